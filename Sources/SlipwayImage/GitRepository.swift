import CDeflate
import Foundation
import SlipwayCore

/// Reads a git repository's `HEAD` commit without the `git` program: `.git` (a folder, or a
/// `gitdir:` file for worktrees and submodules, with `commondir`), `HEAD` → ref (loose refs,
/// then `packed-refs`) → the commit object, loose (zlib) or in a pack (`.idx` version 2,
/// `OFS_DELTA` and `REF_DELTA` entries resolved). SHA-1 and SHA-256 object names both work.
public struct GitRepository: Sendable {
    /// The repository's own git folder (`HEAD`, per-worktree refs).
    public let gitDirectory: String
    /// Where objects, branches and `packed-refs` live (`commondir`, else `gitDirectory`).
    public let commonDirectory: String

    /// A commit: its object name and committer time.
    public struct Commit: Sendable, Equatable {
        /// Lower-case hex object name.
        public var id: String
        /// Committer time, seconds since the epoch (UTC).
        public var committerTime: Int
    }

    /// The repository holding `folder`: `folder/.git` or that of the nearest parent; `nil` outside one.
    public init?(containing folder: String) {
        var dir = folder
        while true {
            if let found = Self.gitDirectory(of: dir) {
                gitDirectory = found
                let common = Self.text(found + "/commondir")
                commonDirectory = common.map { $0.hasPrefix("/") ? $0 : found + "/" + $0 } ?? found
                return
            }
            if dir == "/" || dir.isEmpty { return nil }
            dir = FilePaths.parent(dir)
        }
    }

    private static func gitDirectory(of dir: String) -> String? {
        let git = dir + "/.git"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: git, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue { return FileManager.default.fileExists(atPath: git + "/HEAD") ? git : nil }
        guard let link = text(git), link.hasPrefix("gitdir: ") else { return nil }
        let target = String(link.dropFirst("gitdir: ".count))
        return target.hasPrefix("/") ? target : dir + "/" + target
    }

    /// The commit `HEAD` names; `nil` for a repository without commits.
    /// - Throws: ``GitError`` for a corrupt or unreadable object.
    public func head() throws -> Commit? {
        guard let id = resolve("HEAD") else { return nil }
        let object = try ObjectStore(directory: commonDirectory + "/objects").read(id)
        guard object.type == .commit else { throw GitError.corrupt("HEAD names a \(object.type), not a commit") }
        guard let time = Self.committerTime(object.data) else { throw GitError.corrupt("commit \(id) has no committer line") }
        return Commit(id: id, committerTime: time)
    }

    /// The object name `HEAD` resolves to (lower-case hex), without reading the object; `nil`
    /// for a repository without commits.
    public func headName() -> String? { resolve("HEAD") }

    /// Follows `name` (`HEAD`, `refs/heads/main`) through symbolic refs to an object name.
    func resolve(_ name: String) -> String? {
        var name = name
        for _ in 0..<10 {
            let value = Self.text(gitDirectory + "/" + name) ?? Self.text(commonDirectory + "/" + name) ?? packed(name)
            guard let value else { return nil }
            guard value.hasPrefix("ref: ") else { return Self.isObjectName(value) ? value.lowercased() : nil }
            name = String(value.dropFirst("ref: ".count))
        }
        return nil
    }

    private func packed(_ ref: String) -> String? {
        for line in (Self.text(commonDirectory + "/packed-refs") ?? "").split(separator: "\n")
        where !line.hasPrefix("#") && !line.hasPrefix("^") && line.hasSuffix(" " + ref) {
            return String(line.prefix { $0 != " " })
        }
        return nil
    }

    /// The time of the `committer NAME <EMAIL> SECONDS ±HHMM` header line.
    static func committerTime(_ data: [UInt8]) -> Int? {
        let headers = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self).components(separatedBy: "\n\n").first ?? ""
        for line in headers.split(separator: "\n") where line.hasPrefix("committer ") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { return nil }
            return Int(fields[fields.count - 2])
        }
        return nil
    }

    static func isObjectName(_ text: String) -> Bool {
        (text.count == 40 || text.count == 64) && text.allSatisfy(\.isHexDigit)
    }

    static func text(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map {
            String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}

/// A git object store could not be read.
public enum GitError: Error, Sendable, CustomStringConvertible {
    case missing(String)
    case corrupt(String)

    public var description: String {
        switch self {
        case .missing(let id): "git object \(id) is neither loose nor in a pack"
        case .corrupt(let why): "unreadable git object: \(why)"
        }
    }
}
