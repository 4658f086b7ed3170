import Foundation
import SystemPackage

/// The end of a log file, for error messages and `slipway logs`. Lines end in `\n` (a last
/// line without one counts as a line); they are found by reading backwards from the end in
/// 64 KiB blocks until enough newlines are seen, so the cost is that of the lines asked for,
/// whatever the file's size, and a line is never cut.
public enum LogTail {
    static let block = 64 << 10

    /// The byte offset where the last `count` lines of the file's first `end` bytes begin
    /// (0 when it has fewer lines; `end` when `count` is 0).
    /// - Throws: `Errno` when the file cannot be read.
    public static func startOfLastLines(_ count: Int, path: String, end: UInt64) throws -> UInt64 {
        guard count > 0, end > 0 else { return end }
        let fd = try FileDescriptor.open(path, .readOnly)
        defer { try? fd.close() }
        var position = end
        var newlines = 0
        var buffer = [UInt8](repeating: 0, count: block)
        var skipLast = true  // the newline that ends the last line starts no line
        while position > 0 {
            let length = Int(min(UInt64(block), position))
            position -= UInt64(length)
            let got = try buffer.withUnsafeMutableBytes {
                try fd.read(fromAbsoluteOffset: Int64(position), into: UnsafeMutableRawBufferPointer(rebasing: $0[..<length]))
            }
            guard got == length else { return 0 }  // shrank while read: print it all
            for index in stride(from: length - 1, through: 0, by: -1) where buffer[index] == 0x0A {
                if skipLast && position + UInt64(index) == end - 1 { continue }
                newlines += 1
                if newlines == count { return position + UInt64(index) + 1 }
            }
            skipLast = false
        }
        return 0
    }

    /// The offset just past the last `\n` in bytes `from..<end` of the file (`from` when none):
    /// where the complete lines end.
    /// - Throws: `Errno` when the file cannot be read.
    public static func endOfCompleteLines(path: String, from: UInt64, end: UInt64) throws -> UInt64 {
        guard end > from else { return from }
        let fd = try FileDescriptor.open(path, .readOnly)
        defer { try? fd.close() }
        var position = end
        var buffer = [UInt8](repeating: 0, count: block)
        while position > from {
            let length = Int(min(UInt64(block), position - from))
            position -= UInt64(length)
            let got = try buffer.withUnsafeMutableBytes {
                try fd.read(fromAbsoluteOffset: Int64(position), into: UnsafeMutableRawBufferPointer(rebasing: $0[..<length]))
            }
            if let last = buffer[..<min(got, length)].lastIndex(of: 0x0A) { return position + UInt64(last) + 1 }
        }
        return from
    }

    /// Copies bytes `from..<to` of the file, as they are, to `write` in blocks of at most 1 MiB,
    /// with `linePrefix` before each line (`from` must be where a line starts).
    /// - Returns: the offset copied up to (less than `to` when the file shrank).
    /// - Throws: `Errno` when the file cannot be read.
    @discardableResult
    public static func copy(
        path: String, from: UInt64, to: UInt64, linePrefix: [UInt8] = [], into write: ([UInt8]) -> Void
    ) throws -> UInt64 {
        let fd = try FileDescriptor.open(path, .readOnly)
        defer { try? fd.close() }
        var position = from
        var atLineStart = true
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while position < to {
            let length = Int(min(UInt64(buffer.count), to - position))
            let got = try buffer.withUnsafeMutableBytes {
                try fd.read(fromAbsoluteOffset: Int64(position), into: UnsafeMutableRawBufferPointer(rebasing: $0[..<length]))
            }
            guard got > 0 else { break }
            position += UInt64(got)
            write(linePrefix.isEmpty ? Array(buffer[..<got]) : prefixed(buffer[..<got], linePrefix, atLineStart: &atLineStart))
        }
        return position
    }

    private static func prefixed(_ bytes: ArraySlice<UInt8>, _ prefix: [UInt8], atLineStart: inout Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + prefix.count * 4)
        for byte in bytes {
            if atLineStart { out += prefix }
            out.append(byte)
            atLineStart = byte == 0x0A
        }
        return out
    }

    /// The size of the file at `path` in bytes, or `nil` when there is none.
    public static func fileSize(_ path: String) -> UInt64? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64) ?? nil
    }

    /// The last `count` lines of the file at `path`, without their `\n`, written after byte
    /// offset `since`; none when it cannot be read. Bytes that are not UTF-8 are shown as U+FFFD.
    public static func lastLines(of path: String, count: Int, since: UInt64 = 0) -> [String] {
        guard let size = fileSize(path) else { return [] }
        let since = size < since ? 0 : since  // a shorter file is a new one: all of it is new
        guard size > since, let last = try? startOfLastLines(count, path: path, end: size) else { return [] }
        let start = max(last, since)
        var bytes: [UInt8] = []
        guard (try? copy(path: path, from: start, to: size, into: { bytes += $0 })) != nil else { return [] }
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
