import ArgumentParser
import Foundation
import SlipwayEnvironment
import SlipwayImage
import SlipwayManifest
import SlipwayCore
import SlipwayOCI
import SlipwayRegistry

/// `slipway image push NAME [--to docker://HOST[:PORT]/REPO[:TAG]] [--tag TAG ...] [--json]`
struct ImagePush: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Push a built image to a registry with Slipway's own client (no daemon, no skopeo).",
        discussion: """
            The destination comes from --to, or from the image's `name` (with a registry host) and \
            `tags` (else `latest`); each tag gets the manifest. \
            Blobs already in the registry are skipped, so a push after an app-only change uploads \
            only the changed layers; layer blobs are streamed from the blob store the build filled \
            (`slipway cache info`), or tarred and compressed again when it no longer has them. \
            The manifest digest is the one `slipway image build` printed.
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
        let context = try ImageCatalog.load(global)
        let record = try context.currentRecord(name)
        var destinations: [ImageReference] = []
        if let to {
            let reference = try ImageReference(parsing: to)
            destinations.append(reference)
            for tag in tags { var extra = reference; extra.tag = tag; destinations.append(extra) }
        } else {
            let repository = record.repository ?? record.name
            guard ImageNames.split(repository).host != nil else { throw RegistryError.noDestination(image: name) }
            let environment = ProcessInfo.processInfo.environment
            let own = record.tags.map { EnvironmentExpansion.expand($0) { environment[$0] } }.filter { !$0.isEmpty }
            for tag in (own.isEmpty ? ["latest"] : own) + tags {
                destinations.append(try ImageReference(parsing: repository + ":" + tag))
            }
        }
        let options = RegistryPush.Options(
            creds: creds, authfile: authfile, certDir: certDir, tlsVerify: tlsVerify, format: format, chunkSize: Self.chunkSize)
        let reports = try await Self.push(record, to: destinations, options: options, layout: context.layout, quiet: json)
        if json {
            Terminal.write(try PrettyJSON.text(reports) + "\n")
        }
    }

    /// `SLIPWAY_REGISTRY_CHUNK_SIZE` (bytes, for tests and slow links): the chunk size of chunked uploads.
    static var chunkSize: Int64? { ProcessInfo.processInfo.environment["SLIPWAY_REGISTRY_CHUNK_SIZE"].flatMap(Int64.init) }

    /// Pushes `record` to every destination, with progress on stderr unless `quiet`.
    /// - Throws: ``RegistryError`` (after retries, or for unusable credentials).
    static func push(
        _ record: BuildRecord, to destinations: [ImageReference], options: RegistryPush.Options, layout: ProjectLayout,
        quiet: Bool
    ) async throws -> [PushReport] {
        if !options.tlsVerify {
            Terminal.writeError("slipway: warning: --tls-verify=false: certificates are not checked and plain HTTP is allowed\n")
        }
        let output = PushMeter.Output(
            write: { Terminal.write($0) }, writeError: { Terminal.writeError($0) }, status: { Terminal.status($0) })
        let meter = PushMeter(interactive: isatty(STDERR_FILENO) == 1 && !quiet, output: output)
        let store = try BlobStore()
        return try await meter.showing {
            try await RegistryPush(options: options, layout: layout, store: store).push(
                record, to: destinations, observer: quiet ? meter.quietObserver : meter.observer)
        }
    }
}

extension ImagePusher.ManifestFormat: ExpressibleByArgument {}
