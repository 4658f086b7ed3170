import Foundation
import SlipwayCore
import SlipwayOCI

/// Pushes a built image (from its build record) to one repository under one or more tags, as
/// distribution-spec v1.1 §Push describes: nothing more when every tag already names the
/// manifest; else blobs checked in parallel, each skipped if present, mounted from another
/// repository of the same registry when a previous push put it there, else uploaded (streamed
/// from the ``BlobStore``, or produced again); then the manifest, once per tag.
public struct ImagePusher: Sendable {
    public let client: RegistryClient
    /// Where previous pushes put blobs (for cross-repository mounts): a JSON file.
    public let knownBlobsFile: String
    /// Blob uploads in flight at once (each produces or reads its bytes).
    public var parallelism = 3
    /// Blob `HEAD`s in flight at once (latency-bound, so many more).
    public var headParallelism = 16
    /// Where compressed blobs are read from (and kept, when produced again); `nil`: produce all.
    public var store: BlobStore?
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

    /// The manifest to push in `format`: the recorded OCI bytes, or a Docker schema 2 rendering
    /// of them (distribution `manifest-v2-2.md`: Docker media types, gzip layers only).
    func manifestBytes(_ record: BuildRecord, format: ManifestFormat) throws -> ([UInt8], String) {
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

    /// One blob to push: its digest, size, and how to produce its bytes (which tells where
    /// they came from).
    struct Item: Sendable {
        var digest: Digest
        var size: Int64
        var produce: @Sendable (ByteSink) throws -> BlobSource
    }

    /// Pushes every blob of `record` not in the repository yet (mounted from another repository
    /// of the registry when known there), then the manifest under each tag (its digest when none).
    /// When every tag already names the manifest (`HEAD` per tag), nothing else is sent.
    /// - Throws: ``RegistryError``; ``ImageError`` when a layer cannot be produced again.
    public func push(_ record: BuildRecord, tags: [String]) async throws -> PushReport {
        let reference = client.reference
        try await client.ping()
        let items = Self.items(record, blobs: LayerBlobs(record, store: store))
        let place = "\(reference.registry)/\(reference.repository)"
        let (manifest, mediaType) = try manifestBytes(record, format: format)
        if try await isTagged(Digest.of(manifest), mediaType: mediaType, tags: tags) {
            let blobs = items.map { PushReport.Blob(digest: $0.digest, size: $0.size, action: .existed, bytesSent: 0) }
            return PushReport(repository: place, tags: tags, manifestDigest: Digest.of(manifest), blobs: blobs, upToDate: true)
        }
        var known = (FileManager.default.contents(atPath: knownBlobsFile))
            .flatMap { try? JSONDecoder().decode([String: [String]].self, from: $0) } ?? [:]
        let mountSources = known.mapValues { repos in repos.filter { $0 != place && $0.hasPrefix(reference.registry + "/") } }
        let blobs = try await transfer(items, mountSources: mountSources)
        let (manifestDigest, notes) = try await putManifest(record, tags: tags)
        if blobs.contains(where: { $0.source == .produced }) { store?.evict() }
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
                          blobs: blobs.sorted { (order[$0.digest] ?? 0) < (order[$1.digest] ?? 0) }, notes: notes)
    }

    /// Whether every tag (the digest itself when there are none) already names `digest`.
    private func isTagged(_ digest: Digest, mediaType: String, tags: [String]) async throws -> Bool {
        for tag in tags.isEmpty ? [digest.description] : tags {
            guard try await client.manifestDigest(tag, mediaType: mediaType) == digest else { return false }
        }
        return true
    }

    /// The distinct layers (from `blobs`), then the config.
    static func items(_ record: BuildRecord, blobs: LayerBlobs) -> [Item] {
        var items: [Item] = []
        var seen: Set<Digest> = []
        for layer in record.layers where seen.insert(layer.digest).inserted {
            items.append(Item(digest: layer.digest, size: layer.size) { sink in try blobs.write(layer, to: sink) })
        }
        let config = record.configBytes
        items.append(Item(digest: record.configDigest, size: Int64(config.count)) { sink in
            try sink.write(config)
            try sink.finish()
            return .record
        })
        return items
    }

    /// Checks which items the repository has (``headParallelism`` `HEAD`s at once), then
    /// mounts or uploads the others, ``parallelism`` at once. Results in the order they finished.
    private func transfer(_ items: [Item], mountSources: [String: [String]]) async throws -> [PushReport.Blob] {
        let present = try await existing(items)
        var results = items.filter { present.contains($0.digest) }.map {
            PushReport.Blob(digest: $0.digest, size: $0.size, action: .existed, bytesSent: 0)
        }
        results.forEach(progress)
        results += try await upload(items.filter { !present.contains($0.digest) }, mountSources: mountSources)
        return results
    }

    /// The digests of `items` the repository already has.
    private func existing(_ items: [Item]) async throws -> Set<Digest> {
        let client = self.client
        return try await withThrowingTaskGroup(of: Digest?.self) { group in
            var present: Set<Digest> = []
            var next = 0
            func launch(_ item: Item) { group.addTask { try await client.blobExists(item.digest) ? item.digest : nil } }
            while next < min(headParallelism, items.count) { launch(items[next]); next += 1 }
            while let answer = try await group.next() {
                if let answer { present.insert(answer) }
                if next < items.count { launch(items[next]); next += 1 }
            }
            return present
        }
    }

    /// Each item, `parallelism` at once: mounted from one of `mountSources` (`HOST/REPO` by
    /// digest), or uploaded. Results in the order they finished.
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
                    for source in sources where try await client.mount(item.digest, from: source) {
                        return .init(digest: item.digest, size: item.size, action: .mounted, bytesSent: 0)
                    }
                    return try await Self.upload(item, client: client) { onBytes(item.digest, $0, item.size) }
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

    /// Uploads one item; a stored blob found corrupt (and removed) is produced again and sent
    /// on a new upload.
    static func upload(_ item: Item, client: RegistryClient, onBytes: @escaping @Sendable (Int) -> Void) async throws -> PushReport.Blob {
        let source = SourceRecord()
        let produce: @Sendable (ByteSink) throws -> Void = { sink in source.set(try item.produce(sink)) }
        let cost: RegistryClient.UploadCost
        do {
            cost = try await client.upload(item.digest, size: item.size, onBytes: onBytes, produce: produce)
        } catch ImageError.corruptBlob {
            cost = try await client.upload(item.digest, size: item.size, onBytes: onBytes, produce: produce)
        }
        return .init(digest: item.digest, size: item.size, action: .uploaded, bytesSent: cost.sent,
                     bytesProduced: cost.produced, source: source.value)
    }

    /// Puts the manifest under each tag (under its own digest when `tags` is empty). A registry
    /// that refuses the OCI manifest's media type (``refusesOCI(_:)``) gets it once more as
    /// Docker schema 2 (gzip layers only), as containers/image does, with a note saying so.
    /// - Returns: the digest of the manifest the registry holds, and the notes for the user.
    /// - Throws: ``RegistryError``; `.protocolError` when the registry stored other bytes.
    private func putManifest(_ record: BuildRecord, tags: [String]) async throws -> (Digest, [String]) {
        do {
            return (try await putManifest(record, format: format, tags: tags), [])
        } catch let error as RegistryError where format == .oci && record.compression == .gzip && Self.refusesOCI(error) {
            let digest = try await putManifest(record, format: .docker, tags: tags)
            let registry = client.reference.registry
            return (digest, ["\(registry) refused the OCI manifest (\(error.message)); pushed it as a Docker schema 2 manifest, "
                             + "digest \(digest) (pass --format docker to skip the first try)"])
        }
    }

    /// Whether `error` is a registry refusing the OCI manifest media type: 415, or 400/404 with
    /// `MANIFEST_INVALID`, `MANIFEST_UNKNOWN` or `UNSUPPORTED` (distribution-spec error codes;
    /// older registries and some proxies answer so).
    static func refusesOCI(_ error: RegistryError) -> Bool {
        guard case .rejected(_, let status, let detail) = error else { return false }
        if status == 415 { return true }
        return [400, 404].contains(status) && ["MANIFEST_INVALID", "MANIFEST_UNKNOWN", "UNSUPPORTED"].contains { detail.contains($0) }
    }

    private func putManifest(_ record: BuildRecord, format: ManifestFormat, tags: [String]) async throws -> Digest {
        let (manifest, mediaType) = try manifestBytes(record, format: format)
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
