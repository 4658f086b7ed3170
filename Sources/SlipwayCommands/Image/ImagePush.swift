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
    var format: ImagePusher.ManifestFormat = .oci

    func run() async throws {
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
        let options = RegistryOptions(creds: creds, authfile: authfile, certDir: certDir, tlsVerify: tlsVerify, format: format)
        let reports = try await Self.push(record, to: destinations, options: options, layout: context.layout, quiet: json)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Terminal.write(String(decoding: try encoder.encode(reports), as: UTF8.self) + "\n")
        }
    }

    /// Pushes `record` to every destination (one upload per repository, then each tag).
    /// - Throws: ``RegistryError`` (after retries, or for unusable credentials).
    static func push(
        _ record: BuildRecord, to destinations: [ImageReference], options: RegistryOptions, layout: ProjectLayout, quiet: Bool
    ) async throws -> [PushReport] {
        let tlsVerify = options.tlsVerify
        let json = quiet
        if !tlsVerify { Terminal.writeError("slipway: warning: --tls-verify=false: certificates are not checked and plain HTTP is allowed\n") }
        let groups = PushGroups.group(destinations)
        var reports: [PushReport] = []
        let interactive = isatty(STDERR_FILENO) == 1
        for (destination, tagList) in groups {
            let credentials = try await CredentialResolver(flagCredentials: options.creds, authFile: options.authfile)
                .credentials(for: destination.registry)
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

    /// A client for `reference` (HTTPS, or plain HTTP for a loopback registry that speaks it).
    /// `SLIPWAY_REGISTRY_CHUNK_SIZE` (bytes, for tests and slow links) sets the chunk size of chunked uploads.
    static func client(
        for reference: ImageReference, credentials: Credentials?, verifyTLS: Bool, certDir: String?, schemesFile: String? = nil
    ) async throws -> RegistryClient {
        var options = RegistryClient.Options(verifyTLS: verifyTLS, certificateDirectory: certDir)
        if let chunk = ProcessInfo.processInfo.environment["SLIPWAY_REGISTRY_CHUNK_SIZE"].flatMap(Int64.init), chunk > 0 {
            options.chunkSize = chunk
        }
        return try await RegistryClient.connect(
            to: reference, credentials: credentials, options: options, schemes: RegistrySchemes(path: schemesFile))
    }
}

extension ImagePusher.ManifestFormat: ExpressibleByArgument {}
