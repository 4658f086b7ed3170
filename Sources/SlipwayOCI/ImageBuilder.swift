import Foundation
import SlipwayCore

/// What to build, resolved from the manifest and Nix by the caller.
public struct ImagePlan: Sendable {
    public var name: String
    public var profile: String
    /// The closure of the image's contents (and extras such as the CA bundle).
    public var closure: [LayerPlanner.Node]
    /// Generated files and folders (the FHS fixes, users, `dirs`).
    public var customisation: [TarEntry]
    /// The project's own layers (each becomes one top layer), lowest first.
    public var projectLayers: [[TarEntry]]
    /// One layer per artifact of `contents` (kind `artifact`: its store paths and root links),
    /// above the customisation layer. Their store paths are left out of the store layers.
    public var artifactLayers: [LayerSpec] = []
    public var config: ImageConfiguration.Config
    public var maxLayers: Int
    public var compression: Compression
    /// The fixed mtime of store and customisation layers, seconds since the epoch.
    public var mtime: Int
    /// The image date: the config's `created` and history, and the mtime of project and
    /// artifact layers (seconds since the epoch); `mtime` when nil.
    public var created: Int?
    /// Where `created` came from, recorded for `image inspect` and `-v`.
    public var dateSummary: String?
    /// The files the image is built from (see ``BuildRecord/sources``).
    public var sources: [String] = []
    /// The image's repository name (see ``BuildRecord/repository``).
    public var repository: String?
    /// OCI architecture (`amd64`, `arm64`).
    public var architecture: String
    public var tags: [String]

    public init(
        name: String, profile: String, closure: [LayerPlanner.Node], customisation: [TarEntry], projectLayers: [[TarEntry]],
        config: ImageConfiguration.Config, maxLayers: Int, compression: Compression, mtime: Int, architecture: String,
        tags: [String]
    ) {
        self.name = name
        self.profile = profile
        self.closure = closure
        self.customisation = customisation
        self.projectLayers = projectLayers
        self.config = config
        self.maxLayers = maxLayers
        self.compression = compression
        self.mtime = mtime
        self.architecture = architecture
        self.tags = tags
    }
}

/// Builds images: plans layers, digests each (tar → sha256 → compress → sha256, streaming, in
/// parallel, cached), and writes the config and manifest. Each compressed blob is kept in the
/// ``BlobStore`` (when given) as it is made, so a push or `oci:` output never compresses again.
public struct ImageBuilder: Sendable {
    public let cache: LayerCache
    /// Where compressed blobs are kept; `nil` keeps none.
    public let blobs: BlobStore?

    public init(cache: LayerCache = LayerCache(), blobs: BlobStore? = nil) {
        self.cache = cache
        self.blobs = blobs
    }

    /// Counts of work done, for tests and benchmarks.
    public struct Statistics: Sendable {
        public var layersDigested = 0
        public var layersFromCache = 0
    }

    /// - Throws: ``ImageError`` (conflicting paths, unreadable files).
    public func build(_ plan: ImagePlan) async throws -> (BuildRecord, Statistics) {
        let specs = try layers(plan)

        let digested = try await digest(specs, compression: plan.compression, mtime: plan.mtime)
        let layers = digested.sorted { $0.0 < $1.0 }.map(\.1)
        var statistics = Statistics()
        statistics.layersFromCache = digested.filter(\.2).count
        statistics.layersDigested = digested.count - statistics.layersFromCache
        blobs?.evict()
        let created = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(plan.created ?? plan.mtime)))
        let configuration = ImageConfiguration(
            created: created, architecture: plan.architecture, config: plan.config,
            rootfs: .init(diff_ids: layers.map(\.diffID)),
            history: layers.map { .init(created: created, created_by: "slipway image build", comment: $0.spec.summary) })
        let configBytes = try CanonicalJSON.encode(configuration)
        let configDigest = Digest.of(configBytes)
        let manifest = ImageManifest(
            config: Descriptor(mediaType: MediaTypes.config, digest: configDigest, size: Int64(configBytes.count)),
            layers: layers.map { Descriptor(mediaType: $0.mediaType, digest: $0.digest, size: $0.size) })
        let manifestBytes = try CanonicalJSON.encode(manifest)
        var record = BuildRecord(
            name: plan.name, profile: plan.profile, compression: plan.compression, mtime: plan.mtime, layers: layers,
            config: String(decoding: configBytes, as: UTF8.self), configDigest: configDigest,
            manifest: String(decoding: manifestBytes, as: UTF8.self), manifestDigest: Digest.of(manifestBytes), tags: plan.tags)
        record.repository = plan.repository
        record.created = plan.created
        record.dateSummary = plan.dateSummary
        record.builtAt = Date().timeIntervalSince1970
        record.sources = plan.sources
        return (record, statistics)
    }

    /// The layers, bottom to top: store paths (artifacts' left out), customisation, artifacts,
    /// project files; artifact and project layers dated `created`.
    /// - Throws: ``ImageError`` for too small a `max_layers` or two sources for one path.
    func layers(_ plan: ImagePlan) throws -> [LayerSpec] {
        let top = plan.projectLayers.count + plan.artifactLayers.count
        let storeBudget = plan.maxLayers - 1 - top
        guard storeBudget >= 1 else {
            throw ImageError.invalidOutput("max_layers = \(plan.maxLayers) leaves no layer for the store paths (need at least \(top + 2))")
        }
        let artifactPaths = Set(plan.artifactLayers.flatMap(\.storePaths))
        let thirdParty = plan.closure.filter { !artifactPaths.contains($0.path) }
        var specs = LayerPlanner.plan(thirdParty, budget: storeBudget).map { LayerSpec(kind: .store, storePaths: $0) }
        specs.append(LayerSpec(kind: .customisation, entries: plan.customisation))
        specs += plan.artifactLayers.map { var layer = $0; layer.mtime = plan.created; return layer }
        specs += plan.projectLayers.map { LayerSpec(kind: .project, entries: $0, mtime: plan.created) }
        try checkConflicts(specs)
        return specs
    }

    /// Digests every layer, ``ProcessorCount/active`` at once: (index, layer, from the layer cache).
    private func digest(_ specs: [LayerSpec], compression: Compression, mtime: Int) async throws -> [(Int, BuildRecord.Layer, Bool)] {
        let cache = self.cache
        let blobs = self.blobs
        return try await withThrowingTaskGroup(of: (Int, BuildRecord.Layer, Bool).self) { group in
            var results: [(Int, BuildRecord.Layer, Bool)] = []
            let width = ProcessorCount.active
            var next = 0
            func launch(_ i: Int) {
                let spec = specs[i]
                group.addTask {
                    if let hit = cache.lookup(spec, compression: compression, mtime: mtime) {
                        blobs?.touch(hit.digest)
                        return (i, .init(spec: spec, diffID: hit.diffID, diffSize: hit.diffSize, digest: hit.digest, size: hit.size, mediaType: hit.mediaType), true)
                    }
                    let layer = try LayerDigest.compute(spec, compression: compression, mtime: mtime, keepingIn: blobs)
                    cache.store(.init(diffID: layer.diffID, diffSize: layer.diffSize, digest: layer.digest, size: layer.size, mediaType: layer.mediaType),
                                for: spec, compression: compression, mtime: mtime)
                    return (i, layer, false)
                }
            }
            while next < min(width, specs.count) { launch(next); next += 1 }
            while let result = try await group.next() {
                results.append(result)
                if next < specs.count { launch(next); next += 1 }
            }
            return results
        }
    }

    /// Customisation and project entries must not give one image path two contents.
    private func checkConflicts(_ specs: [LayerSpec]) throws {
        var seen = LayerTree()
        for spec in specs where spec.kind != .store {
            var tree = LayerTree()
            for entry in spec.entries { try tree.add(entry, origin: entry.originDescription(spec.kind)) }
            if let conflict = seen.conflicts(with: tree).first {
                throw ImageError.conflict(path: conflict.0, first: conflict.1, second: conflict.2)
            }
            for entry in spec.entries { try? seen.add(entry, origin: entry.originDescription(spec.kind)) }
        }
    }
}

extension TarEntry {
    func originDescription(_ kind: LayerSpec.Kind) -> String {
        if case .file(let path, _) = self.kind { return path }
        return kind == .customisation ? "generated /\(name)" : "/\(name)"
    }
}

/// Produces a layer's digests by streaming its tar through SHA-256 and the compressor.
public enum LayerDigest {
    /// Digests one layer; with `store`, keeps its compressed blob there.
    public static func compute(_ spec: LayerSpec, compression: Compression, mtime: Int, keepingIn store: BlobStore? = nil) throws -> BuildRecord.Layer {
        let keeper = store?.writer()
        let blob = DigestingSink(then: compression == .none ? nil : keeper)
        let tar: ByteSink = compression == .none ? (keeper.map { TeeSink(blob, $0) as ByteSink } ?? blob) : compression.sink(into: blob)
        let diff = DigestingSink(then: tar)
        try spec.writeTar(to: diff, mtime: mtime)
        let digest = compression == .none ? diff.digest : blob.digest
        keeper?.commit(digest)
        return .init(spec: spec, diffID: diff.digest, diffSize: diff.count, digest: digest,
                     size: compression == .none ? diff.count : blob.count, mediaType: compression.layerMediaType)
    }

    /// Writes the layer's blob (compressed as recorded) to `sink`, checking its digest.
    /// - Throws: ``ImageError/digestMismatch(layer:expected:got:)`` if the bytes differ.
    public static func writeBlob(_ layer: BuildRecord.Layer, compression: Compression, mtime: Int, to sink: ByteSink) throws {
        let blob = DigestingSink(then: sink)
        let diff = DigestingSink(then: compression.sink(into: blob))
        try layer.spec.writeTar(to: diff, mtime: mtime)
        let got = compression == .none ? diff.digest : blob.digest
        guard got == layer.digest else { throw ImageError.digestMismatch(layer: layer.spec.summary, expected: layer.digest, got: got) }
    }

    /// Writes the uncompressed layer tar to `sink`, checking its diffID.
    public static func writeTar(_ layer: BuildRecord.Layer, mtime: Int, to sink: ByteSink) throws {
        let diff = DigestingSink(then: sink)
        try layer.spec.writeTar(to: diff, mtime: mtime)
        guard diff.digest == layer.diffID else { throw ImageError.digestMismatch(layer: layer.spec.summary, expected: layer.diffID, got: diff.digest) }
    }
}
