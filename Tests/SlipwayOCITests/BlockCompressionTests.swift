import Foundation
import SlipwayCore
import Testing
@testable import SlipwayOCI

@Suite("Block compression")
struct BlockCompressionTests {
    /// Compressible, not trivial input: text-like lines with counters (about `count` bytes).
    static func sample(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 64)
        var i = 0
        while bytes.count < count {
            bytes += Array("line \(i) of the sample, value \(i &* 2654435761 % 1000003) /nix/store/\(i % 97)-pkg\n".utf8)
            i += 1
        }
        return bytes
    }

    func compressed(_ input: [UInt8], _ compression: Compression, width: Int, writes: Int = 100_003) throws -> [UInt8] {
        let sink = BytesSink()
        let compressor = compression.sink(into: sink, width: width)
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + writes)
            try compressor.write(Array(input[offset..<end]))
            offset = end
        }
        try compressor.finish()
        #expect(sink.finished == 1)
        return sink.bytes
    }

    func run(_ script: String, input: [UInt8]) throws -> [UInt8] {
        let dir = NSTemporaryDirectory() + "slipway-blocks-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data(input).write(to: URL(fileURLWithPath: dir + "/in"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script + " < in > out"]
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(script)")
        return Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/out")))
    }

    @Test(arguments: [Compression.gzip, .zstd])
    func sameBytesForAnyWidthAndWriteSize(_ compression: Compression) throws {
        let input = Self.sample(9 * compression.blockSize + 12_345)
        let one = try compressed(input, compression, width: 1)
        for (width, writes) in [(2, 100_003), (3, 1 << 20), (8, 777)] {
            #expect(try compressed(input, compression, width: width, writes: writes) == one, "width \(width)")
        }
        let tool = compression == .gzip ? "gzip -dc" : "zstd -dc"
        #expect(try run(tool, input: one) == input, "\(tool) reads every member back")
    }

    @Test func gzipIsOneMemberPerBlock() throws {
        let input = Self.sample(3 * Compression.gzip.blockSize + 1)
        let output = try compressed(input, .gzip, width: 2)
        let script = """
            python3 -c 'import sys, zlib
            data = sys.stdin.buffer.read(); n = 0
            while data:
                d = zlib.decompressobj(31); d.decompress(data); data = d.unused_data; n += 1
            print(n)'
            """
        let members = String(decoding: try run(script, input: output), as: UTF8.self)
        #expect(members.trimmingCharacters(in: .whitespacesAndNewlines) == "4")
    }

    @Test(arguments: [Compression.gzip, .zstd])
    func emptyInputIsOneValidMember(_ compression: Compression) throws {
        let output = try compressed([], compression, width: 2)
        #expect(!output.isEmpty)
        #expect(try run(compression == .gzip ? "gzip -dc" : "zstd -dc", input: output).isEmpty)
    }

    @Test func gzipStaysWithinFivePercentOfGzipSix() throws {
        // Real binaries and text, as layers hold.
        let tar = try run("tar -cf - -C /usr/lib/x86_64-linux-gnu libc.so.6 libm.so.6 libz.so.1 -C /usr/share/common-licenses .", input: [])
        #expect(tar.count > 2 << 20, "several blocks")
        let ours = try compressed(tar, .gzip, width: 2).count
        let reference = try run("gzip -6 -c", input: tar).count
        #expect(Double(ours) <= Double(reference) * 1.05, "libdeflate blocks \(ours) bytes, gzip -6 \(reference)")
    }
}
