import Foundation
import SlipwayCore
import Testing
@testable import SlipwayOCI

@Suite("Tar writer against GNU tar")
struct TarWriterTests {
    func temporary() throws -> String {
        let dir = NSTemporaryDirectory() + "slipway-tar-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func run(_ arguments: [String], in dir: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func gnuTarReadsEverythingBack() throws {
        let dir = try temporary()
        let source = dir + "/src"
        let longFolder = String(repeating: "a-very-long-folder-name-", count: 6)
        try FileManager.default.createDirectory(atPath: source + "/" + longFolder + "/deeper", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: source + "/empty", withIntermediateDirectories: true)
        try "long\n".write(toFile: source + "/" + longFolder + "/deeper/" + String(repeating: "f", count: 120) + ".txt", atomically: true, encoding: .utf8)
        try "#!/bin/sh\necho hi\n".write(toFile: source + "/run.sh", atomically: true, encoding: .utf8)
        chmod(source + "/run.sh", 0o755)
        try "unicode\n".write(toFile: source + "/café-ünïcødé-名前.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: source + "/link", withDestinationPath: "run.sh")
        let longTarget = "/nix/store/" + String(repeating: "t", count: 150)
        try FileManager.default.createSymbolicLink(atPath: source + "/longlink", withDestinationPath: longTarget)

        var tree = LayerTree()
        try tree.addProjectTree(source: source, destination: "/app", uid: 1000, gid: 1000, user: "app", fileMode: nil, origin: "test")
        try tree.add(TarEntry(name: "tmp", kind: .directory, mode: 0o1777), origin: "test")
        try tree.add(TarEntry(name: "etc/motd", kind: .bytes(Array("hello\n".utf8)), mode: 0o644), origin: "test")
        tree.addParents()
        let archive = dir + "/layer.tar"
        try ImageWriter.atomically(archive) { sink in
            let writer = TarWriter(sink: sink, mtime: 1)
            for entry in tree.sorted { try writer.write(entry) }
            try writer.finish()
        }
        let (status, listing) = try run(["tar", "--numeric-owner", "-tvf", archive], in: dir)
        #expect(status == 0, "\(listing)")
        let lines = listing.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("drwxrwxrwt 0/0") && $0.hasSuffix(" tmp/") })
        #expect(lines.contains { $0.hasPrefix("-rwxr-xr-x 1000/1000") && $0.hasSuffix(" app/run.sh") })
        #expect(lines.contains { $0.hasPrefix("drwxr-xr-x 1000/1000") && $0.hasSuffix(" app/empty/") })
        #expect(lines.contains { $0.hasPrefix("lrwxrwxrwx 1000/1000") && $0.hasSuffix(" app/link -> run.sh") })
        #expect(lines.contains { $0.hasSuffix("app/longlink -> " + longTarget) })
        #expect(lines.contains { $0.hasSuffix("app/café-ünïcødé-名前.txt") })
        #expect(lines.contains { $0.hasSuffix(longFolder + "/deeper/" + String(repeating: "f", count: 120) + ".txt") })
        #expect(lines.allSatisfy { $0.contains("1970-01-01 00:00") }, "every mtime is 1")
        // Parents before children, sorted.
        let names = lines.map { String($0.split(separator: " ", maxSplits: 5).last ?? "") }
        #expect(names.first == "app/")

        let out = dir + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let (extracted, message) = try run(["tar", "-xf", archive, "-C", out], in: dir)
        #expect(extracted == 0, "\(message)")
        #expect(try String(contentsOfFile: out + "/app/" + longFolder + "/deeper/" + String(repeating: "f", count: 120) + ".txt", encoding: .utf8) == "long\n")
        #expect(try String(contentsOfFile: out + "/etc/motd", encoding: .utf8) == "hello\n")
        #expect(FileManager.default.isExecutableFile(atPath: out + "/app/run.sh"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/app/longlink") == longTarget)
    }

    @Test func sameInputSameBytes() throws {
        let entries = [TarEntry(name: "a", kind: .directory, mode: 0o755), TarEntry(name: "a/b", kind: .bytes(Array("x".utf8)), mode: 0o644)]
        func digest(_ compression: Compression) throws -> (Digest, Digest) {
            let blob = DigestingSink()
            let diff = DigestingSink(then: compression.sink(into: blob))
            try LayerSpec(kind: .customisation, entries: entries).writeTar(to: diff, mtime: 1)
            return (diff.digest, blob.digest)
        }
        for compression in Compression.allCases {
            #expect(try digest(compression) == digest(compression))
        }
        #expect(try digest(.gzip).0 == digest(.zstd).0, "the diffID does not depend on compression")
    }

    @Test func paxRecordsForLongNamesAndHugeSizes() {
        #expect(String(decoding: TarWriter.paxRecord("path", "abc"), as: UTF8.self) == "12 path=abc\n")
        // Length fields that change their own digit count.
        #expect(TarWriter.paxRecord("path", String(repeating: "x", count: 90)).count == 99)
        let record = TarWriter.paxRecord("path", String(repeating: "x", count: 91))
        #expect(record.count == 101)
        #expect(String(decoding: record, as: UTF8.self).hasPrefix("101 path="))
        // A 9 GiB file: the ustar size field cannot hold it, so a pax size record carries it.
        let sink = CollectingSink()
        let writer = TarWriter(sink: sink, mtime: 1)
        try? writer.writeFileHeader(name: "big", size: 9 << 30)
        let text = String(decoding: sink.bytes, as: UTF8.self)
        #expect(text.contains(" size=\(9 << 30)\n"))
        #expect(sink.bytes[156] == UInt8(ascii: "x"), "a pax header comes first")
        #expect(sink.bytes.count == 512 * 3, "pax header, its record block, the file header")
    }

    @Test func gzipIsReadableAndHasNoTimestamp() throws {
        let dir = try temporary()
        let path = dir + "/x.gz"
        try ImageWriter.atomically(path) { sink in
            let gzip = Compression.gzip.sink(into: sink)
            try gzip.write(Array(String(repeating: "slipway ", count: 100_000).utf8))
            try gzip.finish()
        }
        let bytes = try #require(FileManager.default.contents(atPath: path))
        #expect(Array(bytes.prefix(10)) == [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3], "no name, mtime 0, OS unix")
        let (status, text) = try run(["sh", "-c", "gzip -dc x.gz | wc -c"], in: dir)
        #expect(status == 0)
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == "800000")
    }

    @Test func conflictingSourcesAreAnError() throws {
        var tree = LayerTree()
        try tree.add(TarEntry(name: "etc/passwd", kind: .bytes(Array("a".utf8)), mode: 0o644), origin: "first")
        try tree.add(TarEntry(name: "etc/passwd", kind: .bytes(Array("a".utf8)), mode: 0o644), origin: "same again")
        #expect(throws: ImageError.self) {
            try tree.add(TarEntry(name: "etc/passwd", kind: .bytes(Array("b".utf8)), mode: 0o644), origin: "second")
        }
    }
}

final class CollectingSink: ByteSink {
    var bytes: [UInt8] = []
    func write(_ buffer: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: buffer) }
    func finish() throws {}
}
