import Foundation
import SlipwayCore

/// Compressed layer blobs kept by digest, under `$XDG_CACHE_HOME/slipway/blobs/sha256/<hex>`
/// (beside the ``LayerCache``): the build writes each blob here once, and `image push` and
/// `--output oci:` stream it from here instead of tarring and compressing the layer again.
///
/// Files are named by their SHA-256 (OCI image-spec v1.1 §descriptor "digests"), so an entry
/// never goes stale; a blob is trusted only after its bytes hash to its name. Files appear
/// whole (written under `tmp/`, renamed into place). The store holds at most ``capacity``
/// bytes: ``evict(toFit:)`` removes the least recently used blobs first (a blob's mtime is
/// its last use). A blob that is gone or corrupt is produced again from its layer, with the
/// same digest, by ``LayerBlobs``.
public struct BlobStore: Sendable {
    /// The default cap: 10 GiB.
    public static let defaultCapacity: Int64 = 10 << 30
    /// The environment variable that sets the cap (`20G`, `512MiB`, bytes; `0` keeps nothing).
    public static let capacityVariable = "SLIPWAY_BLOB_STORE_MAX_SIZE"

    /// The store's root (it holds `sha256/` and `tmp/`).
    public let directory: String
    /// The most bytes kept, summed over blobs' sizes.
    public let capacity: Int64

    /// - Parameters:
    ///   - directory: default `$XDG_CACHE_HOME/slipway/blobs` (`~/.cache` when unset).
    ///   - capacity: default from `SLIPWAY_BLOB_STORE_MAX_SIZE`, else ``defaultCapacity``.
    /// - Throws: ``ImageError/invalidSetting(_:)`` when the variable is not a size.
    public init(directory: String? = nil, capacity: Int64? = nil) throws {
        self.directory = directory ?? CacheLocation.base() + "/blobs"
        if let capacity {
            self.capacity = capacity
        } else if let text = ProcessInfo.processInfo.environment[Self.capacityVariable], !text.isEmpty {
            guard let parsed = ByteCount.parse(text) else {
                throw ImageError.invalidSetting("\(Self.capacityVariable)=\(text) is not a size (use bytes, or e.g. 512M, 10G)")
            }
            self.capacity = parsed
        } else {
            self.capacity = Self.defaultCapacity
        }
    }

    /// Whether the store keeps blobs at all (a cap of 0 turns it off).
    public var isEnabled: Bool { capacity > 0 }

    var blobsDirectory: String { directory + "/sha256" }
    var temporaryDirectory: String { directory + "/tmp" }

    /// Where the blob `digest` lives (whether or not it is there).
    public func path(of digest: Digest) -> String { blobsDirectory + "/" + digest.hex }

    /// Whether a blob of `digest` and `size` bytes is stored (its bytes are not read).
    public func contains(_ digest: Digest, size: Int64) -> Bool {
        var info = stat()
        return stat(path(of: digest), &info) == 0 && Int64(info.st_size) == size
    }

    /// Marks the blob as just used (its mtime is the LRU clock); no-op when absent.
    public func touch(_ digest: Digest) {
        _ = utimensat(AT_FDCWD, path(of: digest), nil, 0)
    }

    /// Removes the blob (a corrupt one, or one evicted).
    public func remove(_ digest: Digest) {
        unlink(path(of: digest))
    }
}

/// The per-user cache root, `$XDG_CACHE_HOME/slipway` (default `~/.cache/slipway`).
enum CacheLocation {
    static func base() -> String {
        let env = ProcessInfo.processInfo.environment
        let root = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((env["HOME"] ?? "/tmp") + "/.cache")
        return root + "/slipway"
    }
}
