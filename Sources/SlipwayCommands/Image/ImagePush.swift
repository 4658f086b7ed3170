import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayOCI
import SlipwayRegistry

/// How to reach registries: the push options `image push` and `ci` share.
struct RegistryOptions {
    var creds: String?
    var authfile: String?
    var certDir: String?
    var tlsVerify = true
    var format: ImagePusher.ManifestFormat = .oci
}

/// `slipway image push NAME [--to docker://HOST[:PORT]/REPO[:TAG]] [--tag TAG ...] [--json]`
struct ImagePush: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Push a built image to a registry with Slipway's own client (no daemon, no skopeo).",
        discussion: """
            The destination comes from --to or from the image's `tags`; each tag gets the manifest. \
            Blobs already in the registry are skipped, so a push after an app-only change uploads \
            only the changed layers. The manifest digest is the one `slipway image build` printed.
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The image.") var name: String
    @Option(help: "Destination: docker://HOST[:PORT]/REPOSITORY[:TAG].") var to: String?
    @Option(name: .customLong("tag"), help: "Another tag to push (repeatable).") var tags: [String] = []
    @Option(help: "USER:PASSWORD for the registry.") var creds: String?
    @Option(help: "A containers auth.json to read credentials from.") var authfile: String?
    @Option(name: .customLong("cert-dir"), help: "A folder of extra CA certificates (*.crt, *.pem).") var certDir: String?
    @Option(name: .customLong("tls-verify"), help: "Verify TLS certificates (false also allows plain HTTP).") var tlsVerify: Bool = true
    @Flag(help: "Print what was done as JSON.") var json = false
    @Option(help: "Manifest format: oci (default) or docker (Docker schema 2, for old registries; another digest).")
    var format: String = "oci"

    func run() async throws {
        guard let manifestFormat = ImagePusher.ManifestFormat(rawValue: format) else {
            throw ValidationError("--format is oci or docker")
        }
        let context = try ImageContext.load(global)
        let record = try context.record(name)
        var destinations: [ImageReference] = []
        if let to {
            let reference = try ImageReference(parsing: to)
            destinations.append(reference)
            for tag in tags { var extra = reference; extra.tag = tag; destinations.append(extra) }
        } else {
            guard !record.tags.isEmpty else {
                throw RegistryError.noDestination(image: name)
            }
            destinations = try record.tags.map { try ImageReference(parsing: $0) }
            for tag in tags { if var extra = destinations.first { extra.tag = tag; destinations.append(extra) } }
        }
        let options = RegistryOptions(creds: creds, authfile: authfile, certDir: certDir, tlsVerify: tlsVerify, format: manifestFormat)
        let reports = try await Self.push(record, to: destinations, options: options, layout: context.planning.layout, quiet: json)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Terminal.write(String(decoding: try encoder.encode(reports), as: UTF8.self) + "\n")
        }
    }

    /// Pushes `record` to every destination (one upload per repository, then each tag).
    /// - Throws: ``RegistryError`` (after retries), ``CredentialError``.
    static func push(
        _ record: BuildRecord, to destinations: [ImageReference], options: RegistryOptions, layout: ProjectLayout, quiet: Bool
    ) async throws -> [PushReport] {
        let tlsVerify = options.tlsVerify
        let json = quiet
        if !tlsVerify { Terminal.writeError("slipway: warning: --tls-verify=false: certificates are not checked and plain HTTP is allowed\n") }
        var groups: [(ImageReference, [String])] = []
        for destination in destinations {
            if let i = groups.firstIndex(where: { $0.0.registry == destination.registry && $0.0.repository == destination.repository }) {
                if let tag = destination.tag, !groups[i].1.contains(tag) { groups[i].1.append(tag) }
            } else {
                groups.append((destination, destination.tag.map { [$0] } ?? ["latest"]))
            }
        }
        var reports: [PushReport] = []
        let interactive = isatty(STDERR_FILENO) == 1
        for (destination, tagList) in groups {
            let credentials = try CredentialResolver(flagCredentials: options.creds, authFile: options.authfile).credentials(for: destination.registry)
            let schemes = layout.registrySchemes
            let client = try await Self.client(for: destination, credentials: credentials, verifyTLS: tlsVerify, certDir: options.certDir, schemesFile: schemes)
            var pusher = ImagePusher(client: client, knownBlobsFile: layout.registryBlobs)
            pusher.format = options.format
            let meter = PushMeter(total: record.layers.reduce(Int64(0)) { $0 + $1.size }, interactive: interactive && !json)
            if !json {
                pusher.progress = { blob in
                    meter.finished(blob.digest)
                    let verb = blob.action == .uploaded ? "uploaded" : (blob.action == .mounted ? "mounted " : "exists  ")
                    Terminal.status("\(verb) \(blob.digest.hex.prefix(12)) \(ByteCount.format(blob.size))")
                }
            }
            pusher.bytesSent = { digest, bytes, size in meter.add(digest, bytes, of: size) }
            let ticker = Task {
                while !Task.isCancelled {
                    try await Task.sleep(for: .milliseconds(interactive ? 250 : 10_000))
                    meter.render()
                }
            }
            defer { ticker.cancel(); meter.clear() }
            do {
                let report = try await pusher.push(record, tags: tagList)
                reports.append(report)
                if !json {
                    Terminal.write("pushed \(report.repository):\(tagList.joined(separator: ",")) \(report.manifestDigest) (\(report.uploaded) of \(report.blobs.count) blobs uploaded, \(ByteCount.format(report.bytesSent)))\n")
                }
                await client.shutdown()
            } catch {
                await client.shutdown()
                throw error
            }
        }
        return reports
    }

    /// HTTPS first; plain HTTP only for a loopback registry that does not speak TLS, or with
    /// `--tls-verify=false`.
    static func client(
        for reference: ImageReference, credentials: Credentials?, verifyTLS: Bool, certDir: String?, schemesFile: String? = nil
    ) async throws -> RegistryClient {
        var options = RegistryClient.Options(verifyTLS: verifyTLS, certificateDirectory: certDir)
        // For tests and slow links: the chunk size of chunked uploads, in bytes.
        if let chunk = ProcessInfo.processInfo.environment["SLIPWAY_REGISTRY_CHUNK_SIZE"].flatMap(Int64.init), chunk > 0 {
            options.chunkSize = chunk
        }
        guard reference.isLoopback || !verifyTLS else {
            return try RegistryClient(reference: reference, credentials: credentials, options: options, plainHTTP: false)
        }
        // A loopback registry found to speak plain HTTP before: no TLS probe (it costs a second).
        var known = schemesFile.flatMap { FileManager.default.contents(atPath: $0) }
            .flatMap { try? JSONDecoder().decode([String: String].self, from: $0) } ?? [:]
        if known[reference.registry] == "http" {
            return try RegistryClient(reference: reference, credentials: credentials, options: options, plainHTTP: true)
        }
        // Loopback: try plain HTTP first. A TLS registry answers a plain request at once (Go's
        // "client sent an HTTP request to an HTTPS server", 400), while a TLS handshake with a
        // plain-HTTP registry only fails on a timeout.
        var probeOptions = options
        probeOptions.attempts = 1
        probeOptions.connectTimeout = 2
        let plainProbe = try RegistryClient(reference: reference, credentials: credentials, options: probeOptions, plainHTTP: true)
        let speaksHTTP: Bool
        do {
            try await plainProbe.ping()
            speaksHTTP = true
        } catch RegistryError.unauthorized {
            speaksHTTP = true
        } catch {
            speaksHTTP = false
        }
        await plainProbe.shutdown()
        if speaksHTTP {
            if let schemesFile {
                known[reference.registry] = "http"
                try? FileManager.default.createDirectory(atPath: (schemesFile as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                if let data = try? JSONEncoder().encode(known) { try? data.write(to: URL(fileURLWithPath: schemesFile), options: .atomic) }
            }
            return try RegistryClient(reference: reference, credentials: credentials, options: options, plainHTTP: true)
        }
        return try RegistryClient(reference: reference, credentials: credentials, options: options, plainHTTP: false)
    }
}

/// Upload progress: on a terminal, one live bar per blob being uploaded (bytes and rate),
/// redrawn in place; otherwise a "still pushing" line every 10 s, so a long push shows that it
/// is alive.
final class PushMeter: @unchecked Sendable {
    private struct Upload {
        var sent: Int64
        var size: Int64
        var started: Date
    }

    private let lock = NSLock()
    private var uploads: [Digest: Upload] = [:]
    private var order: [Digest] = []
    private var total: Int64 = 0
    private let interactive: Bool
    private let started = Date()
    private var drawnLines = 0

    init(total: Int64, interactive: Bool) {
        self.interactive = interactive
    }

    func add(_ digest: Digest, _ bytes: Int, of size: Int64) {
        lock.lock()
        defer { lock.unlock() }
        if uploads[digest] == nil {
            uploads[digest] = Upload(sent: 0, size: size, started: Date())
            order.append(digest)
        }
        uploads[digest]?.sent += Int64(bytes)
        total += Int64(bytes)
    }

    /// A blob is done: its bar goes away (the caller prints its line after this).
    func finished(_ digest: Digest) {
        lock.lock()
        uploads.removeValue(forKey: digest)
        order.removeAll { $0 == digest }
        lock.unlock()
        clear()
    }

    func render() {
        lock.lock()
        let active = order.compactMap { digest in uploads[digest].map { (digest, $0) } }
        let sent = total
        lock.unlock()
        guard sent > 0 else { return }
        guard interactive else {
            let rate = Double(sent) / max(Date().timeIntervalSince(started), 0.001)
            Terminal.status("still pushing: \(ByteCount.format(sent)) sent, \(ByteCount.format(Int64(rate)))/s")
            return
        }
        var text = clearText()
        for (digest, upload) in active {
            let width = 24
            let filled = upload.size > 0 ? min(width, Int(Double(upload.sent) / Double(upload.size) * Double(width))) : 0
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            let rate = Double(upload.sent) / max(Date().timeIntervalSince(upload.started), 0.001)
            text += "  \(digest.hex.prefix(12)) [\(bar)] \(ByteCount.format(upload.sent)) / \(ByteCount.format(upload.size)) \(ByteCount.format(Int64(rate)))/s\n"
        }
        lock.lock(); drawnLines = active.count; lock.unlock()
        Terminal.writeError(text)
    }

    /// Moves up over the bars drawn last and erases them.
    func clear() {
        guard interactive else { return }
        Terminal.writeError(clearText())
        lock.lock(); drawnLines = 0; lock.unlock()
    }

    private func clearText() -> String {
        lock.lock(); let lines = drawnLines; lock.unlock()
        return String(repeating: "\u{1B}[1A\u{1B}[2K", count: lines) + "\r"
    }
}
