import Dispatch
import SlipwayCore
import Synchronization

/// Cuts its input into blocks of `blockSize` bytes and compresses up to `width` of them at
/// once (`DispatchQueue.concurrentPerform`), writing each block's output in input order.
/// A block's bytes depend only on its input, so the result is the same for any `width`.
final class BlockCompressor: ByteSink {
    private let next: ByteSink
    private let blockSize: Int
    private let codecs: [BlockCodec]
    private var blocks: [[UInt8]] = []
    private var current: [UInt8] = []
    private var wroteAny = false

    init(into next: ByteSink, blockSize: Int, width: Int, codec: () -> BlockCodec) {
        self.next = next
        self.blockSize = blockSize
        codecs = (0..<width).map { _ in codec() }
        current.reserveCapacity(blockSize)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let take = min(blockSize - current.count, bytes.count - offset)
            current.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)]))
            offset += take
            if current.count == blockSize { try endBlock() }
        }
    }

    func finish() throws {
        if !current.isEmpty || !wroteAny { blocks.append(current) }
        current = []
        try compressBlocks()
        try next.finish()
    }

    private func endBlock() throws {
        blocks.append(current)
        current = []
        current.reserveCapacity(blockSize)
        if blocks.count == codecs.count { try compressBlocks() }
    }

    /// Compresses the pending blocks in parallel, then writes them in order.
    private func compressBlocks() throws {
        guard !blocks.isEmpty else { return }
        let inputs = blocks
        blocks = []
        let codecs = self.codecs
        let results = Mutex<[Int: Result<[UInt8], Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: inputs.count) { i in
            let result = Result { try Self.compress(inputs[i], with: codecs[i]) }
            results.withLock { $0[i] = result }
        }
        let outputs = results.withLock { $0 }
        for i in inputs.indices {
            guard let output = outputs[i] else { continue }
            try next.write(try output.get())
        }
        wroteAny = true
    }

    private static func compress(_ input: [UInt8], with codec: BlockCodec) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: codec.bound(input.count))
        let count = try input.withUnsafeBytes { source in
            try output.withUnsafeMutableBytes { try codec.compress(source, into: $0) }
        }
        output.removeSubrange(count...)
        return output
    }
}
