import Foundation
import Testing

/// `slipway logs -n N` and `-f` print the log file's own bytes, whole lines, whatever its size.
@Suite("Logs", .tags(.integration), .serialized)
struct LogsIntegrationTests {
    static let manifest = """
        [project]
        name = "logs"
        [services.api]
        command = "sleep 1000"
        [services.worker]
        command = "sleep 1000"
        """

    /// A project whose `api` (and `worker`) logs hold `bytes`, written as the supervisor would.
    func makeProject(api: [UInt8], worker: [UInt8] = []) throws -> String {
        let dir = try project(Self.manifest)
        let logs = dir + "/.slipway/state/dev/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        try Data(api).write(to: URL(fileURLWithPath: logs + "/api.log"))
        try Data(worker).write(to: URL(fileURLWithPath: logs + "/worker.log"))
        return dir
    }

    /// Runs slipway with its standard output in a file: the exact bytes.
    func output(_ arguments: [String], in dir: String) throws -> (Int32, [UInt8]) {
        let path = dir + "/.out-\(UUID().uuidString.prefix(8))"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: slipwayBinary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    @Test func theLast150000Of200000LinesComeOutWhole() throws {
        var text = ""
        text.reserveCapacity(30 << 20)
        for index in 0..<200_000 { text += "\(index) " + String(repeating: "log line ", count: 1 + index % 23) + "\n" }
        let bytes = Array(text.utf8)
        #expect(bytes.count > 16 << 20, "well past the old 8 MiB window: \(bytes.count)")
        let dir = try makeProject(api: bytes)
        let (status, out) = try output(["logs", "api", "-n", "150000"], in: dir)
        #expect(status == 0)
        let lines = text.split(separator: "\n").suffix(150_000)
        #expect(out.filter { $0 == 0x0A }.count == 150_000)
        let expected = Array((lines.joined(separator: "\n") + "\n").utf8)
        let same = out == expected
        #expect(same, "the same bytes as the file's last 150,000 lines: \(out.count) bytes, \(expected.count) expected")
        #expect(String(decoding: out.prefix(7), as: UTF8.self) == "50000 l", "the first line is whole")
    }

    @Test func tenLinesOf40KiBAreByteForByte() throws {
        let lines: [[UInt8]] = (0..<40).map { index in
            Array("line \(index): ".utf8) + Array(repeating: UInt8(0x41 + index % 26), count: 40 << 10) + [0xC3, 0x28, 0x0A]  // not UTF-8
        }
        let dir = try makeProject(api: lines.flatMap { $0 })
        let (status, out) = try output(["logs", "api", "-n", "10"], in: dir)
        #expect(status == 0)
        let expected = lines.suffix(10).flatMap { $0 }
        let same = out == expected
        #expect(same, "byte for byte: \(out.count) bytes, \(expected.count) expected")
        // Several services: each line whole, after its service's name.
        let (_, both) = try output(["logs", "-n", "2"], in: try makeProject(api: lines.flatMap { $0 }, worker: Array("w1\nw2\nw3\n".utf8)))
        let prefixed = lines.suffix(2).flatMap { Array("api    | ".utf8) + $0 } + Array("worker | w2\nworker | w3\n".utf8)
        let samePrefixed = both == prefixed
        #expect(samePrefixed, "\(both.count) bytes, \(prefixed.count) expected")
    }

    /// A real service printing 40 KiB lines: the supervisor keeps them whole in the log file, and
    /// `logs -n 10` prints the file's last ten lines byte for byte.
    @Test func aServicesLinesOf40KiBStayWhole() throws {
        let dir = try project("""
            [project]
            name = "longlines"
            [nix]
            nixpkgs = "@OFFLINE@"
            [services.api]
            command = "sh -c 'i=0; while [ $i -lt 20 ]; do printf \\"line %d \\" $i; head -c 40960 /dev/zero | tr \\"\\\\000\\" x; echo; i=$((i+1)); done; exec sleep 1000'"
            """)
        let up = try slipway(["up", "-d"], in: dir)
        defer { _ = try? slipway(["down"], in: dir) }
        #expect(up.status == 0, "\(up.stderr)")
        let log = dir + "/.slipway/state/dev/logs/api.log"
        let complete = try eventually(within: 20) {
            ((try? Data(contentsOf: URL(fileURLWithPath: log))) ?? Data()).split(separator: 0x0A).contains { $0.starts(with: Array("line 19 ".utf8)) }
        }
        #expect(complete, "the service printed its 20 lines")
        let file = Array(try Data(contentsOf: URL(fileURLWithPath: log)))
        let long = file.split(separator: 0x0A).filter { $0.starts(with: Array("line ".utf8)) }
        #expect(long.count == 20, "20 lines, none cut: \(long.count)")
        #expect(long.allSatisfy { $0.count > 40960 }, "every line whole")
        let (status, out) = try output(["logs", "api", "-n", "10"], in: dir)
        #expect(status == 0)
        let lastTen = file.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().suffix(10)
        let expected: [UInt8] = lastTen.flatMap { line -> [UInt8] in Array(line) + [0x0A] }
        let same = out == expected
        #expect(same, "byte for byte: \(out.count) bytes, \(expected.count) expected")
    }

    @Test func followPrintsWholeLinesAsTheyComplete() throws {
        let dir = try makeProject(api: Array("one\ntwo\nthr".utf8))
        let log = dir + "/.slipway/state/dev/logs/api.log"
        let path = dir + "/.follow.out"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: slipwayBinary)
        process.arguments = ["logs", "api", "-f", "-n", "5"]
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        usleep(600_000)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("one\ntwo\n".utf8), "the unfinished line waits")
        let handle = try #require(FileHandle(forWritingAtPath: log))
        handle.seekToEndOfFile()
        let long = [UInt8](repeating: 0x7A, count: 3 << 20)
        handle.write(Data("ee\n".utf8 + long + [0x0A] + Array("four\n".utf8)))
        try handle.close()
        var got = Data()
        for _ in 0..<50 {
            usleep(200_000)
            got = try Data(contentsOf: URL(fileURLWithPath: path))
            if got.count >= 14 + long.count + 6 { break }
        }
        let expected = Data("one\ntwo\nthree\n".utf8 + long + [0x0A] + Array("four\n".utf8))
        let same = got == expected
        #expect(same, "\(got.count) bytes, \(expected.count) expected")
    }
}
