#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A folder's entries read with `opendir`/`readdir` (POSIX), without Foundation's per-entry
/// objects: for the hot paths (the process table, task output folders, tree fingerprints).
public enum DirectoryEntries {
    /// The names in `path`, without `.` and `..`, in the order `readdir` gives them, stopping after
    /// `limit` names; `nil` when `path` cannot be opened as a folder (missing, not a folder, no
    /// permission, no file descriptor left). A symbolic link is followed unless `followLinks` is false.
    public static func names(in path: String, limit: Int = .max, followLinks: Bool = true) -> [String]? {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (followLinks ? 0 : O_NOFOLLOW))
        guard fd >= 0 else { return nil }
        guard let dir = fdopendir(fd) else {
            close(fd)
            return nil
        }
        defer { closedir(dir) }
        var names: [String] = []
        while names.count < limit, let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Whether `path` is a folder (not a symbolic link to one) with nothing in it.
    public static func isEmptyFolder(_ path: String) -> Bool {
        names(in: path, limit: 1, followLinks: false)?.isEmpty == true
    }
}
