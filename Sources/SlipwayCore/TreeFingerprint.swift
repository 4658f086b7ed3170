import Crypto
import Foundation

/// A cheap fingerprint of a folder's files: SHA-256 over each entry's relative path, size and
/// modification time (nanoseconds), walking at most ``limit`` entries and skipping `.git`,
/// `.slipway`, `node_modules`, `vendor` and `result*` links.
///
/// Local `path:` flake inputs (such as `nix/offline`) are read live by Nix, so a warm
/// environment must notice when one of their files changes.
public enum TreeFingerprint {
    public static let limit = 5000
    /// An array, not a `Set`: four names, and no hashing on the warm `exec` path.
    static let skipped = [".git", ".slipway", "node_modules", "vendor"]

    /// `sha256:<hex>`, or `nil` when `root` is not a folder.
    public static func of(_ root: String) -> String? {
        var info = stat()
        guard stat(root, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return nil }
        var hasher = SHA256()
        var seen = 0
        var pending = [""]
        while let relative = pending.popLast(), seen < limit {
            guard let all = DirectoryEntries.names(in: relative.isEmpty ? root : root + "/" + relative) else { continue }
            let names = all.filter { !skipped.contains($0) && !$0.hasPrefix("result") }
            for name in names.sorted() {
                seen += 1
                let path = relative.isEmpty ? name : relative + "/" + name
                var entryInfo = stat()
                guard lstat(root + "/" + path, &entryInfo) == 0 else { continue }
                let line = "\(path)\t\(entryInfo.st_size)\t\(entryInfo.st_mtim.tv_sec).\(entryInfo.st_mtim.tv_nsec)\n"
                hasher.update(bytes: Array(line.utf8))
                if (entryInfo.st_mode & S_IFMT) == S_IFDIR { pending.append(path) }
            }
        }
        return Digest(hasher.finalize()).description
    }
}
