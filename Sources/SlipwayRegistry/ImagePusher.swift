import Foundation
import SlipwayCore
import SlipwayOCI

/// What a push did, for `--json` and the summary line.
public struct PushReport: Codable, Sendable {
    public struct Blob: Codable, Sendable {
        public enum Action: String, Codable, Sendable { case existed, mounted, uploaded }
        public var digest: Digest
        public var size: Int64
        public var action: Action
        public var bytesSent: Int64
        /// Bytes produced from the store for it (tar and compression work): its size once for a
        /// clean upload, more only when a retry had to produce it again; 0 when not uploaded.
        public var bytesProduced: Int64 = 0
    }

    public var repository: String
    public var tags: [String]
    public var manifestDigest: Digest
    public var blobs: [Blob]

    public var uploaded: Int { blobs.filter { $0.action == .uploaded }.count }
    public var bytesSent: Int64 { blobs.reduce(0) { $0 + $1.bytesSent } }
}

/// Pushes a built image (from its build record) to one repository under one or more tags:
/// blobs in parallel (at most `parallelism` at once), each skipped if present, mounted from
/// another repository of the same registry when a previous push put it there, else uploaded
/// while it is produced; then the manifest, once per tag.
public struct ImagePusher: Sendable {
    public let client: RegistryClient
    /// Where previous pushes put blobs (for cross-repository mounts): a JSON file.
    public let knownBlobsFile: String
    public var parallelism = 3
    /// `.docker`: push a Docker schema 2 manifest (for registries that predate OCI); its
    /// digest then differs from the build record's OCI manifest digest.
    public var format: ManifestFormat = .oci

    public enum ManifestFormat: String, Sendable, CaseIterable { case oci, docker }
    /// Called once per blob when it is done (one line per blob on a non-terminal).
    public var progress: @Sendable (PushReport.Blob) -> Void = { _ in }
    /// Called with every chunk of bytes sent, per blob: digest, bytes, blob size (for
    /// progress bars and "still alive" lines).
    public var bytesSent: @Sendable (Digest, Int, Int64) -> Void = { _, _, _ in }

    public init(client: RegistryClient, knownBlobsFile: String) {
        self.client = client
        self.knownBlobsFile = knownBlobsFile
    }

    /// The manifest to push: the recorded OCI bytes, or a Docker schema 2 rendering of them
    /// (distribution `manifest-v2-2.md`: Docker media types, gzip layers only).
    func manifestBytes(_ record: BuildRecord) throws -> ([UInt8], String) {
        guard format == .docker else { return (record.manifestBytes, MediaTypes.manifest) }
        guard record.compression == .gzip else {
            throw RegistryError.protocolError("Docker schema 2 manifests need gzip layers; this image uses \(record.compression.rawValue) (set compression = \"gzip\")")
        }
        struct DockerManifest: Encodable {
            var schemaVersion = 2
            var mediaType = MediaTypes.dockerManifest
            var config: Descriptor
            var layers: [Descriptor]
        }
        let docker = DockerManifest(
            config: Descriptor(mediaType: MediaTypes.dockerConfig, digest: record.configDigest, size: Int64(record.configBytes.count)),
            layers: record.layers.map { Descriptor(mediaType: MediaTypes.dockerLayerGzip, digest: $0.digest, size: $0.size) })
        return (try CanonicalJSON.encode(docker), MediaTypes.dockerManifest)
    }

    /// One blob to push: its digest, size, and how to produce its bytes again.
    struct Item: Sendable {
        var digest: Digest
        var size: Int64
        var produce: @Sendable (ByteSink) throws -> Void
    }

    /// Pushes every blob of `record` not in the repository yet (mounted from another repository
    /// of the registry when known there), then the manifest under each tag (its digest when none).
    /// - Throws: ``RegistryError``; ``ImageError`` when a layer cannot be produced again.
    public func push(_ record: BuildRecord, tags: [String]) async throws -> PushReport {
        let reference = client.reference
        try await client.ping()
        var known = (FileManager.default.contents(atPath: knownBlobsFile))
            .flatMap { try? JSONDecoder().decode([String: [String]].self, from: $0) } ?? [:]
        let items = Self.items(record)
        let place = "\(reference.registry)/\(reference.repository)"
        let mountSources = known.mapValues { repos in repos.filter { $0 != place && $0.hasPrefix(reference.registry + "/") } }
        let blobs = try await upload(items, mountSources: mountSources)
        let manifestDigest = try await putManifest(record, tags: tags)
        for blob in blobs {
            var repos = known[blob.digest.description] ?? []
            if !repos.contains(place) { repos.append(place) }
            known[blob.digest.description] = repos
        }
        // A cache of where blobs are: failing to write it only costs mounts later.
        try? FileManager.default.createDirectory(atPath: (knownBlobsFile as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if let data = try? JSONEncoder().encode(known) { try? data.write(to: URL(fileURLWithPath: knownBlobsFile), options: .atomic) }
        let order = Dictionary(uniqueKeysWithValues: items.enumerated().map { ($1.digest, $0) })
        return PushReport(repository: place, tags: tags, manifestDigest: manifestDigest,
                          blobs: blobs.sorted { (order[$0.digest] ?? 0) < (order[$1.digest] ?? 0) })
    }

    /// The distinct layers, then the config.
    static func items(_ record: BuildRecord) -> [Item] {
        var items: [Item] = []
        var seen: Set<Digest> = []
        let compression = record.compression
        let mtime = record.mtime
        for layer in record.layers where seen.insert(layer.digest).inserted {
            items.append(Item(digest: layer.digest, size: layer.size) { sink in
                try LayerDigest.writeBlob(layer, compression: compression, mtime: mtime, to: sink)
            })
        }
        let config = record.configBytes
        items.append(Item(digest: record.configDigest, size: Int64(config.count)) { sink in
            try sink.write(config)
            try sink.finish()
        })
        return items
    }

    /// Each item, `parallelism` at once: existing, mounted from one of `mountSources`
    /// (`HOST/REPO` by digest), or uploaded. Results in the order they finished.
    private func upload(_ items: [Item], mountSources: [String: [String]]) async throws -> [PushReport.Blob] {
        let client = self.client
        let registry = client.reference.registry
        let progress = self.progress
        let onBytes = self.bytesSent
        return try await withThrowingTaskGroup(of: PushReport.Blob.self) { group in
            var results: [PushReport.Blob] = []
            var next = 0
            func launch(_ item: Item) {
                let sources = (mountSources[item.digest.description] ?? []).map { String($0.dropFirst(registry.count + 1)) }
                group.addTask {
                    if try await client.blobExists(item.digest) {
                        return .init(digest: item.digest, size: item.size, action: .existed, bytesSent: 0)
                    }
                    for source in sources where try await client.mount(item.digest, from: source) {
                        return .init(digest: item.digest, size: item.size, action: .mounted, bytesSent: 0)
                    }
                    let digest = item.digest, size = item.size
                    let cost = try await client.upload(item.digest, size: item.size, onBytes: { onBytes(digest, $0, size) }, produce: item.produce)
                    return .init(digest: item.digest, size: item.size, action: .uploaded, bytesSent: cost.sent, bytesProduced: cost.produced)
                }
            }
            while next < min(parallelism, items.count) { launch(items[next]); next += 1 }
            while let blob = try await group.next() {
                results.append(blob)
                progress(blob)
                if next < items.count { launch(items[next]); next += 1 }
            }
            return results
        }
    }

    /// Puts the manifest under each tag (under its own digest when `tags` is empty).
    /// - Returns: the manifest's digest.
    /// - Throws: ``RegistryError/protocolError(_:)`` when the registry stored other bytes.
    private func putManifest(_ record: BuildRecord, tags: [String]) async throws -> Digest {
        let (manifest, mediaType) = try manifestBytes(record)
        let manifestDigest = Digest.of(manifest)
        for tag in tags.isEmpty ? [manifestDigest.description] : tags {
            let answered = try await client.putManifest(manifest, mediaType: mediaType, tag: tag)
            if let answered, answered != manifestDigest.description {
                throw RegistryError.protocolError("the registry stored the manifest as \(answered), not \(manifestDigest)")
            }
        }
        return manifestDigest
    }
}
