#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
#endif

/// Plain-file reading without Foundation (keeps the warm `exec` path light).
public enum FileText {
    public struct ReadError: Error, Sendable { public var reason: String }

    /// The file's bytes decoded as UTF-8 (invalid sequences repaired).
    /// - Throws: ``ReadError`` with `strerror`'s text.
    public static func read(_ path: String) throws(ReadError) -> String {
        let bytes = try readBytes(path)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The file's bytes.
    /// - Parameter limit: stop reading once more than `limit` bytes were read (the result then
    ///   holds at most `limit` + 64 KiB bytes, enough for the caller to tell it is too large).
    /// - Throws: ``ReadError`` with `strerror`'s text.
    public static func readBytes(_ path: String, limit: Int? = nil) throws(ReadError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw ReadError(reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ReadError(reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            result.append(contentsOf: buffer[0..<n])
            if let limit, result.count > limit { break }
        }
        return result
    }
}

/// Path arithmetic on plain strings (POSIX).
public enum FilePaths {
    /// `path` made absolute against the working directory, with `.` and `..` removed.
    public static func absolute(_ path: String, relativeTo base: String? = nil) -> String {
        if path.hasPrefix("/") { return normalize(path) }
        let start = base ?? currentDirectory()
        return normalize(start + "/" + path)
    }

    public static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Removes empty, `.` and `..` components of an absolute path.
    public static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    public static func parent(_ path: String) -> String {
        guard let cut = path.lastIndex(of: "/") else { return "." }
        let head = String(path[..<cut])
        return head.isEmpty ? "/" : head
    }
}
