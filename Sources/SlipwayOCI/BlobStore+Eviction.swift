import Foundation
import SlipwayCore

extension BlobStore {
    /// One stored blob, as the file system tells it.
    public struct Entry: Sendable, Equatable {
        public var digest: Digest
        /// Bytes.
        public var size: Int64
        /// Last use, seconds since the epoch (the file's mtime).
        public var lastUse: Double
    }

    /// What the store holds: `count` blobs of `bytes` bytes in all, with its cap.
    public struct Usage: Codable, Sendable, Equatable {
        public var directory: String
        public var count: Int
        public var bytes: Int64
        public var capacity: Int64
    }

    /// What an eviction removed.
    public struct Eviction: Codable, Sendable, Equatable {
        public var removed: [Digest] = []
        /// Bytes of blobs removed.
        public var bytes: Int64 = 0
        /// Leftover temporary files removed (from processes that died while writing).
        public var temporaryFiles: Int = 0
    }

    /// Every stored blob, least recently used first.
    public func entries() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: blobsDirectory)) ?? []
        var result: [Entry] = []
        for name in names {
            guard let digest = Digest("sha256:" + name) else { continue }
            var info = stat()
            guard stat(blobsDirectory + "/" + name, &info) == 0 else { continue }
            let mtime = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
            result.append(Entry(digest: digest, size: Int64(info.st_size), lastUse: mtime))
        }
        return result.sorted { ($0.lastUse, $0.digest) < ($1.lastUse, $1.digest) }
    }

    /// The blobs' count and total size.
    public func usage() -> Usage {
        let all = entries()
        return Usage(directory: directory, count: all.count, bytes: all.reduce(0) { $0 + $1.size }, capacity: capacity)
    }

    /// Removes least recently used blobs until the rest fit in `limit` bytes (default:
    /// ``capacity``), and temporary files older than an hour.
    @discardableResult
    public func evict(toFit limit: Int64? = nil) -> Eviction {
        var eviction = Eviction(temporaryFiles: removeStaleTemporaryFiles(olderThan: 3600))
        let all = entries()
        var total = all.reduce(0) { $0 + $1.size }
        let cap = max(0, limit ?? capacity)
        for entry in all where total > cap {
            remove(entry.digest)
            total -= entry.size
            eviction.removed.append(entry.digest)
            eviction.bytes += entry.size
        }
        return eviction
    }

    private func removeStaleTemporaryFiles(olderThan seconds: Double) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporaryDirectory)) ?? []
        let now = Date().timeIntervalSince1970
        var removed = 0
        for name in names {
            var info = stat()
            let path = temporaryDirectory + "/" + name
            guard stat(path, &info) == 0, now - Double(info.st_mtim.tv_sec) > seconds else { continue }
            if unlink(path) == 0 { removed += 1 }
        }
        return removed
    }
}
