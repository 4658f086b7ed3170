import Foundation
import SlipwayOCI
import Testing
@testable import SlipwayRegistry

/// A chunked upload produces its blob once: the bytes handed out are the blob's, in order, and
/// the producer's work is the blob's size, not size² / chunk.
@Suite("Chunk producer")
struct ChunkProducerTests {
    /// A deterministic blob written in uneven pieces, as a tar writer and a compressor do.
    static func blob(_ size: Int) -> [UInt8] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<size).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    static func producer(_ bytes: [UInt8]) -> @Sendable (ByteSink) throws -> Void {
        { sink in
            var index = 0, piece = 1
            while index < bytes.count {
                let end = min(index + piece, bytes.count)
                try sink.write(Array(bytes[index..<end]))
                index = end
                piece = piece * 7 % 100_003 + 1
            }
            try sink.finish()
        }
    }

    @Test(arguments: [(3 << 20, 256 << 10), (3 << 20 + 17, 256 << 10), (1000, 4096), (5 << 20, 1 << 20)])
    func everyByteOnceInOrder(_ size: Int, _ chunkSize: Int) async throws {
        let bytes = Self.blob(size)
        let tally = UploadTally()
        let source = ChunkProducer(chunkSize: chunkSize, tally: tally, produce: Self.producer(bytes))
        var joined: [UInt8] = []
        var chunks = 0
        while let chunk = try await source.next() {
            #expect(chunk.count == chunkSize || joined.count + chunk.count == size)
            joined += chunk
            chunks += 1
        }
        #expect(joined == bytes)
        #expect(chunks == (size + chunkSize - 1) / chunkSize)
        #expect(tally.produced == Int64(size), "produced once: \(tally.produced) bytes for a \(size)-byte blob")
    }

    @Test func aResumedUploadSkipsWhatTheRegistryHas() async throws {
        let bytes = Self.blob(1 << 20)
        let tally = UploadTally()
        let source = ChunkProducer(chunkSize: 300_000, skip: 123_456, tally: tally, produce: Self.producer(bytes))
        var joined: [UInt8] = []
        while let chunk = try await source.next() { joined += chunk }
        #expect(joined == Array(bytes[123_456...]))
    }

    @Test func aProducerErrorReachesTheUploadAndStopEndsTheProducer() async throws {
        struct Broken: Error {}
        let failing = ChunkProducer(chunkSize: 1024, tally: UploadTally()) { sink in
            try sink.write([UInt8](repeating: 1, count: 1500))
            throw Broken()
        }
        #expect(try await failing.next()?.count == 1024)
        await #expect(throws: Broken.self) { _ = try await failing.next() }

        let tally = UploadTally()
        let endless = ChunkProducer(chunkSize: 1024, tally: tally) { sink in
            while true { try sink.write([UInt8](repeating: 2, count: 512)) }
        }
        _ = try await endless.next()
        endless.stop()
        try await Task.sleep(for: .milliseconds(100))
        let after = tally.produced
        try await Task.sleep(for: .milliseconds(100))
        #expect(tally.produced == after, "the producer stopped")
        #expect(after <= 3 * 1024 + 512, "it never ran more than two chunks ahead: \(after)")
    }
}
