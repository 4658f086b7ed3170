import Foundation
import SlipwayCore

/// Known digests of layers, under `$XDG_CACHE_HOME/slipway/layers/` (default `~/.cache`).
///
/// A layer is named by SHA-256 over the cache format version, its compression, its mtime and
/// its ``LayerSpec`` (the exact store paths, or generated entries). Store paths never change,
/// so an entry never goes stale; layers holding project files are not cached.
public struct LayerCache: Sendable {
    public static let formatVersion = 2
    public let directory: String

    public struct Entry: Codable, Sendable {
        public var diffID: Digest
        public var diffSize: Int64
        public var digest: Digest
        public var size: Int64
        public var mediaType: String
    }

    public init(directory: String? = nil) {
        if let directory {
            self.directory = directory
        } else {
            self.directory = CacheLocation.base() + "/layers"
        }
    }

    /// Whether layers of this spec can be cached (no project files, which may change).
    public static func isCacheable(_ spec: LayerSpec) -> Bool {
        spec.entries.allSatisfy { if case .file = $0.kind { return false } else { return true } }
    }

    func key(_ spec: LayerSpec, compression: Compression, mtime: Int) -> String? {
        struct Key: Encodable {
            var version: Int
            var compression: Compression
            var mtime: Int
            var spec: LayerSpec
        }
        guard let bytes = try? CanonicalJSON.encode(Key(version: Self.formatVersion, compression: compression, mtime: mtime, spec: spec))
        else { return nil }
        return Digest.of(bytes).hex
    }

    public func lookup(_ spec: LayerSpec, compression: Compression, mtime: Int) -> Entry? {
        guard Self.isCacheable(spec), let key = key(spec, compression: compression, mtime: mtime),
              let data = FileManager.default.contents(atPath: directory + "/" + key + ".json") else { return nil }
        return try? JSONDecoder().decode(Entry.self, from: data)
    }

    public func store(_ entry: Entry, for spec: LayerSpec, compression: Compression, mtime: Int) {
        guard Self.isCacheable(spec), let key = key(spec, compression: compression, mtime: mtime),
              let bytes = try? CanonicalJSON.encode(entry) else { return }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try? Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + key + ".json"), options: .atomic)
    }

    /// How many layer digests the cache holds.
    public struct Usage: Codable, Sendable {
        public var directory: String
        public var count: Int
    }

    public func usage() -> Usage {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return Usage(directory: directory, count: names.filter { $0.hasSuffix(".json") }.count)
    }
}
