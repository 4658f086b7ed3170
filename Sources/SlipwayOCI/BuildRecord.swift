import Foundation
import SlipwayCore

/// `.slipway/images/NAME.json`: everything needed to write or push an image again, without
/// keeping any layer bytes.
public struct BuildRecord: Codable, Sendable {
    public struct Layer: Codable, Sendable {
        public var spec: LayerSpec
        /// sha256 of the uncompressed tar (the config's `rootfs.diff_ids`).
        public var diffID: Digest
        /// Size of the uncompressed tar, in bytes.
        public var diffSize: Int64
        /// sha256 of the blob as stored and pushed (compressed).
        public var digest: Digest
        /// Size of the blob, in bytes.
        public var size: Int64
        public var mediaType: String
    }

    /// 2: layers compressed in fixed blocks (one gzip member or zstd frame per block), whose
    /// digests version 1 records cannot be produced again.
    public static let formatVersion = 2

    public var formatVersion = BuildRecord.formatVersion
    public var name: String
    public var profile: String
    public var compression: Compression
    /// The fixed mtime (seconds since the epoch) of store and customisation layers: 1. A layer
    /// whose ``LayerSpec/mtime`` is set (project and artifact layers) uses that instead.
    public var mtime: Int
    /// The image date (the config's `created`, the app layers' mtime), seconds since the epoch;
    /// `nil` in records of older Slipway versions.
    public var created: Int?
    /// Where ``created`` came from (`image date … from commit 3f2c1ab…`).
    public var dateSummary: String?
    /// When the record was written, seconds since the epoch, and the files it was built from
    /// (the manifest, the lock, `copy` sources, artifact sources): a push refuses a record older
    /// than any of them.
    public var builtAt: Double?
    public var sources: [String]?
    public var layers: [Layer]
    /// The exact config bytes (canonical JSON), as text.
    public var config: String
    public var configDigest: Digest
    /// The exact manifest bytes (canonical JSON), as text.
    public var manifest: String
    public var manifestDigest: Digest
    /// Default tags (`tags` in the manifest).
    public var tags: [String]
    /// The image's repository name (`name` in the manifest, else the image's key); `nil` in
    /// records of older versions.
    public var repository: String?

    public var configBytes: [UInt8] { Array(config.utf8) }
    public var manifestBytes: [UInt8] { Array(manifest.utf8) }
}
