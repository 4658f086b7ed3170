import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Globs over a project tree: `*` and `?` within one path segment (fnmatch(3) with
/// `FNM_PATHNAME`), `**` for any number of folders, and `[...]` classes.
///
/// Paths are relative to the root, `/`-separated. By default names starting with `.` match only
/// a pattern that starts with `.` (as in a shell), and ``expand(_:root:)`` never enters
/// `.slipway/` and `.git/` (unless a pattern starts with them), so state and history do not
/// count as inputs. Task globs, artifact `exclude` and ``GitIgnore`` patterns use it.
public struct FileGlob: Sendable, Hashable {
    public let pattern: String
    private let segments: [String]
    /// `*`, `?` and `**` match names starting with `.` too (as `.gitignore` patterns do).
    public let matchesHidden: Bool

    public init(_ pattern: String, matchesHidden: Bool = false) {
        self.pattern = pattern
        self.matchesHidden = matchesHidden
        var trimmed = pattern
        while trimmed.hasPrefix("./") { trimmed.removeFirst(2) }
        segments = trimmed.split(separator: "/").map(String.init)
    }

    /// Whether `path` (relative, `/`-separated) matches.
    public func matches(_ path: String) -> Bool {
        match(segments[...], path.split(separator: "/").map(String.init)[...])
    }

    private func match(_ pattern: ArraySlice<String>, _ path: ArraySlice<String>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        if first == "**" {
            // Like bash's globstar: any number of folders, hidden ones only with `matchesHidden`.
            var rest = path
            while true {
                if match(pattern.dropFirst(), rest) { return true }
                guard let next = rest.first, matchesHidden || !next.hasPrefix(".") else { return false }
                rest = rest.dropFirst()
            }
        }
        guard let segment = path.first, fnmatch(first, segment, matchesHidden ? FNM_PATHNAME : FNM_PATHNAME | FNM_PERIOD) == 0 || (first == segment) else { return false }
        return match(pattern.dropFirst(), path.dropFirst())
    }

    /// Regular files (and symbolic links) under `root` matching any of `globs`, sorted.
    /// A pattern without wildcards that names a folder matches everything in it.
    public static func expand(_ globs: [String], root: String) -> [String] {
        guard !globs.isEmpty else { return [] }
        let patterns = globs.map { FileGlob($0) }
        let folders = globs.filter { !$0.contains(where: { "*?[".contains($0) }) }.map { $0 == "." || $0 == "./" ? FileGlob("**") : FileGlob($0 + "/**") }
        var found: [String] = []
        let skipped = [".slipway", ".git"]
        let explicit = Set(globs.compactMap { $0.split(separator: "/").first.map(String.init) }).intersection(skipped)
        func walk(_ relative: String) {
            let absolute = relative.isEmpty ? root : root + "/" + relative
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: absolute) else { return }
            for name in names {
                let path = relative.isEmpty ? name : relative + "/" + name
                if !path.contains("/") && skipped.contains(name) && !explicit.contains(name) { continue }
                var info = stat()
                guard lstat(absolute + "/" + name, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: walk(path)
                case S_IFREG, S_IFLNK:
                    if patterns.contains(where: { $0.matches(path) }) || folders.contains(where: { $0.matches(path) }) { found.append(path) }
                default: continue
                }
            }
        }
        // Walk only from each pattern's literal folder prefix (`src` for `src/**/*.php`).
        var bases: [String] = []
        for glob in globs {
            var parts: [String] = []
            for segment in FileGlob(glob).segments.dropLast() {
                if segment.contains(where: { "*?[".contains($0) }) { break }
                parts.append(segment)
            }
            if folders.contains(where: { $0.pattern == glob + "/**" }) { parts = FileGlob(glob).segments }
            bases.append(parts.filter { $0 != "." }.joined(separator: "/"))
        }
        let distinct = Set(bases)
        for base in distinct.sorted() where !distinct.contains(where: { other in other != base && (other.isEmpty || base.hasPrefix(other + "/")) }) {
            var info = stat()
            let absolute = base.isEmpty ? root : root + "/" + base
            guard lstat(absolute, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR { walk(base) }
            else if [S_IFREG, S_IFLNK].contains(info.st_mode & S_IFMT), patterns.contains(where: { $0.matches(base) }) || folders.contains(where: { $0.matches(base) }) { found.append(base) }
        }
        return Array(Set(found)).sorted()
    }
}
