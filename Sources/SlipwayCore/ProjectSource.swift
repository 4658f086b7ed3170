import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The project folder as Nix expressions see it (`src` of artifacts and packages): every entry
/// except `.slipway/`, `.git/` and `result*` links at the top, sockets, FIFOs and devices, and
/// what the project's `.gitignore` files ignore (the root's and nested ones, ``GitIgnore``).
///
/// A folder left out is not entered, so nothing below it comes back (as in Git).
public struct ProjectSource: Sendable, Equatable {
    /// One entry kept: its path relative to the root, `/`-separated.
    public struct Entry: Sendable, Hashable {
        public var path: String
        public var isDirectory: Bool

        public init(path: String, isDirectory: Bool) {
            self.path = path
            self.isDirectory = isDirectory
        }
    }

    /// Top-level names never part of the source.
    public static let stateNames: Set<String> = [".slipway", ".git"]

    /// The entries left out whose parent is kept (relative paths, sorted): the smallest list
    /// that, with "not below one of them", says what is left out.
    public var ignored: [String]
    /// The entries kept, sorted by path.
    public var kept: [Entry]
    /// `sha256:<hex>` over each kept entry's path, kind, size and modification time
    /// (nanoseconds; folders by name only): changes when a file of the source changes, not when an ignored one does.
    /// The top-level `slipway.lock` does not count: a build may write it, and its bytes are part
    /// of the environment's key already.
    public var fingerprint: String

    public init(ignored: [String], kept: [Entry], fingerprint: String) {
        self.ignored = ignored
        self.kept = kept
        self.fingerprint = fingerprint
    }

    /// Walks `root` (an absolute folder). An unreadable folder counts as empty.
    public static func scan(_ root: String) -> ProjectSource {
        var walk = Walk(root: root)
        walk.visit("", rules: [])
        walk.ignored.sort()
        walk.kept.sort { $0.path < $1.path }
        return ProjectSource(ignored: walk.ignored, kept: walk.kept, fingerprint: Digest.of(walk.lines).description)
    }

    /// The kept entries matching one of `globs` whose parent does not (so the list stays short):
    /// what an artifact's `exclude` leaves out besides ``ignored``. A glob naming a folder
    /// leaves out everything in it.
    public func excluded(by globs: [String]) -> [String] {
        guard !globs.isEmpty else { return [] }
        let patterns = globs.map { FileGlob($0) }
        var result: [String] = []
        for entry in kept {
            if let last = result.last, entry.path.hasPrefix(last + "/") { continue }
            if patterns.contains(where: { $0.matches(entry.path) }) { result.append(entry.path) }
        }
        return result
    }

    private struct Walk {
        let root: String
        var ignored: [String] = []
        var kept: [Entry] = []
        var lines: [UInt8] = []

        mutating func visit(_ relative: String, rules: [GitIgnore]) {
            let folder = relative.isEmpty ? root : root + "/" + relative
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
            var rules = rules
            if let text = try? String(contentsOfFile: folder + "/.gitignore", encoding: .utf8) {
                rules.append(GitIgnore(text, base: relative))
            }
            for name in names.sorted() {
                let path = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard lstat(folder + "/" + name, &info) == 0 else { continue }
                let kind = info.st_mode & S_IFMT
                let special = kind != S_IFDIR && kind != S_IFREG && kind != S_IFLNK
                let state = relative.isEmpty && (ProjectSource.stateNames.contains(name) || name.hasPrefix("result"))
                if special || state || GitIgnore.ignores(path, isDirectory: kind == S_IFDIR, by: rules) {
                    ignored.append(path)
                    continue
                }
                kept.append(Entry(path: path, isDirectory: kind == S_IFDIR))
                if path == "slipway.lock" { continue }
                // A folder's own time changes when an ignored file appears in it: only files count.
                let stamp = kind == S_IFDIR ? "dir" : "\(info.st_size)\t\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
                lines += Array("\(path)\t\(kind)\t\(stamp)\n".utf8)
                if kind == S_IFDIR { visit(path, rules: rules) }
            }
        }
    }
}
