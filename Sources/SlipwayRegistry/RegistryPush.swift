import Foundation
import SlipwayCore
import SlipwayOCI

/// Pushes one built image to several destinations: one upload per repository (credentials,
/// client and blob checks once), then a manifest per tag. Used by `image push` and `slipway ci`.
public struct RegistryPush: Sendable {
    /// How to reach registries.
    public struct Options: Sendable {
        /// `USER:PASSWORD` given on the command line.
        public var creds: String?
        /// A containers `auth.json` to read credentials from.
        public var authfile: String?
        /// A folder of extra CA certificates (`*.crt`, `*.pem`).
        public var certDir: String?
        /// `false` skips certificate checks and allows plain HTTP.
        public var tlsVerify = true
        public var format: ImagePusher.ManifestFormat = .oci
        /// Bytes per chunk of a chunked upload (`nil`: the client's default).
        public var chunkSize: Int64?

        public init(creds: String? = nil, authfile: String? = nil, certDir: String? = nil, tlsVerify: Bool = true,
                    format: ImagePusher.ManifestFormat = .oci, chunkSize: Int64? = nil) {
            self.creds = creds
            self.authfile = authfile
            self.certDir = certDir
            self.tlsVerify = tlsVerify
            self.format = format
            self.chunkSize = chunkSize
        }
    }

    /// What a push tells as it goes (all optional; a quiet push uses none).
    public struct Observer: Sendable {
        /// A blob is done (uploaded, mounted or already there).
        public var blobDone: @Sendable (PushReport.Blob) -> Void = { _ in }
        /// Bytes of a blob sent so far: digest, bytes sent, blob size.
        public var bytesSent: @Sendable (Digest, Int, Int64) -> Void = { _, _, _ in }
        /// One repository is done, with the tags it got.
        public var pushed: @Sendable (PushReport, [String]) -> Void = { _, _ in }

        public init() {}
    }

    public let options: Options
    /// `.slipway/registry/schemes.json` and `blobs.json` live here.
    public let layout: ProjectLayout
    /// Where layer blobs are streamed from (``BlobStore``); `nil` produces every blob again.
    public let store: BlobStore?

    public init(options: Options, layout: ProjectLayout, store: BlobStore? = nil) {
        self.options = options
        self.layout = layout
        self.store = store
    }

    /// Pushes `record` to every destination.
    /// - Returns: one report per repository, in the order of `destinations`.
    /// - Throws: ``RegistryError`` (after retries, or for unusable credentials).
    public func push(
        _ record: BuildRecord, to destinations: [ImageReference], observer: Observer = Observer()
    ) async throws -> [PushReport] {
        var reports: [PushReport] = []
        for (destination, tags) in PushGroups.group(destinations) {
            let credentials = try await CredentialResolver(flagCredentials: options.creds, authFile: options.authfile)
                .credentials(for: destination.registry)
            let client = try await client(for: destination, credentials: credentials)
            var pusher = ImagePusher(client: client, knownBlobsFile: layout.registryBlobs)
            pusher.format = options.format
            pusher.store = store
            pusher.progress = observer.blobDone
            pusher.bytesSent = observer.bytesSent
            do {
                let report = try await pusher.push(record, tags: tags)
                await client.shutdown()
                observer.pushed(report, tags)
                reports.append(report)
            } catch {
                await client.shutdown()
                throw error
            }
        }
        return reports
    }

    /// A client for `reference`: HTTPS, or plain HTTP for a loopback registry that speaks it
    /// (remembered in `.slipway/registry/schemes.json`).
    public func client(for reference: ImageReference, credentials: Credentials?) async throws -> RegistryClient {
        try await Self.client(for: reference, credentials: credentials, options: options, schemesFile: layout.registrySchemes)
    }

    /// A client for `reference` with `options`; `schemesFile` (when given) remembers which
    /// loopback registries speak plain HTTP.
    public static func client(
        for reference: ImageReference, credentials: Credentials?, options: Options, schemesFile: String?
    ) async throws -> RegistryClient {
        var clientOptions = RegistryClient.Options(verifyTLS: options.tlsVerify, certificateDirectory: options.certDir)
        if let chunk = options.chunkSize, chunk > 0 { clientOptions.chunkSize = chunk }
        return try await RegistryClient.connect(
            to: reference, credentials: credentials, options: clientOptions, schemes: RegistrySchemes(path: schemesFile))
    }
}
