import AsyncHTTPClient
import NIOCore
import SlipwayOCI
import Synchronization

/// Bytes of one blob upload, counted across its tries: `sent` went to the registry (again
/// after a failure), `produced` came out of the blob's producer (tar and compression work).
final class UploadTally: Sendable {
    private let counts = Mutex<(sent: Int64, produced: Int64)>((0, 0))

    var sent: Int64 { counts.withLock { $0.sent } }
    var produced: Int64 { counts.withLock { $0.produced } }

    func add(sent: Int) { counts.withLock { $0.sent += Int64(sent) } }
    func add(produced: Int) { counts.withLock { $0.produced += Int64(produced) } }
}

/// Where the last try of a blob's producer took its bytes from.
final class SourceRecord: Sendable {
    private let source = Mutex<BlobSource?>(nil)

    var value: BlobSource? { source.withLock { $0 } }
    func set(_ value: BlobSource) { source.withLock { $0 = value } }
}

/// The bytes of a blob's first try, kept so that a retry sends them again instead of producing
/// them again; holds at most `limit` bytes (a blob that does not fit is produced again).
final class BlobCapture: Sendable {
    private let bytes = Mutex<[UInt8]>([])
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func append(_ part: UnsafeRawBufferPointer) {
        bytes.withLock { if $0.count + part.count <= limit { $0.append(contentsOf: part) } }
    }

    /// The whole blob, when exactly `size` bytes were kept.
    func whole(size: Int64) -> [UInt8]? {
        bytes.withLock { Int64($0.count) == size ? $0 : nil }
    }
}

/// Sends produced bytes to an upload in 256 KiB writes, waiting for each one (back-pressure:
/// the tar writer never runs ahead of the network by more than one write).
final class StreamSink: ByteSink, @unchecked Sendable {
    private let writer: HTTPClient.Body.StreamWriter
    private let onBytes: @Sendable (Int) -> Void
    private let tally: UploadTally
    private let capture: BlobCapture?
    private var buffer: [UInt8] = []

    init(
        writer: HTTPClient.Body.StreamWriter, tally: UploadTally, capture: BlobCapture?, onBytes: @escaping @Sendable (Int) -> Void
    ) {
        self.writer = writer
        self.onBytes = onBytes
        self.tally = tally
        self.capture = capture
        buffer.reserveCapacity(1 << 18)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        tally.add(produced: bytes.count)
        capture?.append(bytes)
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 18 { try flush() }
    }

    func finish() throws { try flush() }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try writer.write(.byteBuffer(ByteBuffer(bytes: buffer))).wait()
        onBytes(buffer.count)
        tally.add(sent: buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }
}
