import Foundation
import Testing
@testable import SlipwayProcess

/// The last N lines of a log, whole, whatever its size: the same bytes as the file.
@Suite("Log tail")
struct LogTailTests {
    func file(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "slipway-logtail-" + UUID().uuidString.prefix(8) + ".log"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func tail(_ path: String, _ count: Int) throws -> [UInt8] {
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64)
        let start = try LogTail.startOfLastLines(count, path: path, end: size)
        var out: [UInt8] = []
        try LogTail.copy(path: path, from: start, to: size, into: { out += $0 })
        return out
    }

    @Test func lastLinesOfAFileFarLargerThanTheOldWindow() throws {
        // 40,000 lines, about 10 MB (the old reader saw only the last 8 MiB).
        let lines: [[UInt8]] = (0..<40_000).map { Array("line \($0) ".utf8) + [UInt8](repeating: 0x78, count: 200 + $0 % 97) + [0x0A] }
        let bytes = lines.flatMap { $0 }
        let path = try file(bytes)
        let out = try tail(path, 30_000)
        let same = out == lines.suffix(30_000).flatMap { $0 }
        #expect(same, "\(out.count) bytes")
        let all = try tail(path, 50_000) == bytes
        #expect(all, "more than there are: all of it")
        #expect(LogTail.lastLines(of: path, count: 2) == ["line 39998 " + String(repeating: "x", count: 200 + 39_998 % 97),
                                                           "line 39999 " + String(repeating: "x", count: 200 + 39_999 % 97)])
    }

    @Test func longLinesAndBytesThatAreNotUTF8ComeOutAsTheyAre() throws {
        var bytes: [UInt8] = []
        for index in 0..<30 {
            bytes += Array(repeating: UInt8(0x61 + index % 26), count: 40 << 10) + [0xFF, 0xFE, 0x0A]
        }
        let path = try file(bytes)
        let out = try tail(path, 10)
        let same = out == Array(bytes.suffix(10 * ((40 << 10) + 3)))
        #expect(same)
    }

    @Test func aLastLineWithoutNewlineAndEmptyLinesCount() throws {
        let path = try file(Array("a\n\nb\nc".utf8))
        #expect(try tail(path, 1) == Array("c".utf8))
        #expect(try tail(path, 2) == Array("b\nc".utf8))
        #expect(try tail(path, 3) == Array("\nb\nc".utf8))
        #expect(try tail(path, 0) == [])
        let size = UInt64(6)
        #expect(try LogTail.endOfCompleteLines(path: path, from: 0, end: size) == 5)
        #expect(try LogTail.endOfCompleteLines(path: path, from: 5, end: size) == 5)
        var prefixed: [UInt8] = []
        try LogTail.copy(path: path, from: 0, to: 5, linePrefix: Array("s | ".utf8), into: { prefixed += $0 })
        #expect(String(decoding: prefixed, as: UTF8.self) == "s | a\ns | \ns | b\n")
    }
}
