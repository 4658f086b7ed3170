import Foundation
import SlipwayOCI

/// Runs a blob's producer once, on its own thread, and hands its bytes out in chunks of
/// `chunkSize` bytes (the last one shorter), in order: the work of a chunked upload is linear
/// in the blob's size, not the size times the number of chunks.
///
/// The producer makes the next chunk while the current one is sent and then waits until it is
/// taken, so at most two chunks are in memory: the one being sent and the next.
final class ChunkProducer: @unchecked Sendable {
    /// Thrown into the producer when the upload no longer wants its bytes.
    struct Stopped: Error {}

    private let condition = NSCondition()
    private var ready: [UInt8]?
    private var waiter: CheckedContinuation<[UInt8]?, Error>?
    private var finished = false
    private var failure: Error?
    private var stopped = false

    /// Starts the producer.
    /// - Parameters:
    ///   - skip: bytes at the start of the blob to produce but not hand out (a resumed upload).
    ///   - tally: counts every byte produced, skipped ones included.
    init(chunkSize: Int, skip: Int64 = 0, tally: UploadTally, produce: @escaping @Sendable (ByteSink) throws -> Void) {
        let sink = ChunkingSink(chunkSize: chunkSize, skip: skip, tally: tally)
        Thread { [self] in
            do {
                sink.deliver = { try self.deliver($0) }
                try produce(sink)
                try sink.flushRemainder()
                self.end(nil)
            } catch {
                self.end(error)
            }
        }.start()
    }

    /// The next chunk, or nil after the last one.
    /// - Throws: the producer's error (``SlipwayOCI/ImageError`` when the layer cannot be made again).
    func next() async throws -> [UInt8]? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, Error>) in
            condition.lock()
            if let chunk = ready {
                ready = nil
                condition.broadcast()
                condition.unlock()
                continuation.resume(returning: chunk)
            } else if let failure {
                condition.unlock()
                continuation.resume(throwing: failure)
            } else if finished {
                condition.unlock()
                continuation.resume(returning: nil)
            } else {
                waiter = continuation
                condition.unlock()
            }
        }
    }

    /// Stops the producer (its next write throws); chunks not taken are dropped.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Producer side: hands `chunk` over and waits until it is taken.
    private func deliver(_ chunk: [UInt8]) throws {
        condition.lock()
        defer { condition.unlock() }
        if stopped { throw Stopped() }
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: chunk)
            return
        }
        ready = chunk
        while ready != nil && !stopped { condition.wait() }
        if stopped { throw Stopped() }
    }

    private func end(_ error: Error?) {
        condition.lock()
        if error is Stopped || stopped {
            finished = true
        } else if let error {
            failure = error
        } else {
            finished = true
        }
        let waiting = waiter
        waiter = nil
        condition.unlock()
        if let error, !(error is Stopped) { waiting?.resume(throwing: error) } else { waiting?.resume(returning: nil) }
    }
}

/// Cuts the producer's bytes into chunks, dropping the first `skip` bytes.
private final class ChunkingSink: ByteSink, @unchecked Sendable {
    var deliver: (([UInt8]) throws -> Void)?
    private let chunkSize: Int
    private var skip: Int64
    private let tally: UploadTally
    private var buffer: [UInt8] = []

    init(chunkSize: Int, skip: Int64, tally: UploadTally) {
        self.chunkSize = max(chunkSize, 1)
        self.skip = skip
        self.tally = tally
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        tally.add(produced: bytes.count)
        var part = bytes
        if skip > 0 {
            let dropped = Int(min(skip, Int64(part.count)))
            skip -= Int64(dropped)
            part = UnsafeRawBufferPointer(rebasing: part[dropped...])
        }
        while !part.isEmpty {
            let take = min(chunkSize - buffer.count, part.count)
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: part[..<take]))
            part = UnsafeRawBufferPointer(rebasing: part[take...])
            if buffer.count == chunkSize { try handOver() }
        }
    }

    /// Compressors call this at their end; the last chunk goes out once the producer returns.
    func finish() throws {}

    func flushRemainder() throws {
        if !buffer.isEmpty { try handOver() }
    }

    private func handOver() throws {
        let chunk = buffer
        buffer = []
        buffer.reserveCapacity(chunkSize)
        try deliver?(chunk)
    }
}
