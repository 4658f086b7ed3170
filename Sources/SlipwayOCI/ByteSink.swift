import Crypto
import SlipwayCore

#if canImport(Glibc)
import Glibc
#endif

/// Somewhere bytes go while a layer is produced: a hasher, a compressor, a file, a socket.
/// Layers are never held in memory whole; they stream through sinks.
public protocol ByteSink: AnyObject {
    /// Consumes `bytes`.
    /// - Throws: ``ImageError/io(_:_:)`` on a failed write.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Flushes and finishes (compressors write their trailer).
    func finish() throws
}

extension ByteSink {
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}

/// SHA-256 and byte count of everything written.
public final class DigestingSink: ByteSink {
    private var hasher = SHA256()
    public private(set) var count: Int64 = 0
    private let next: ByteSink?

    /// - Parameter next: where the bytes go on to, if anywhere.
    public init(then next: ByteSink? = nil) {
        self.next = next
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        hasher.update(bufferPointer: bytes)
        count += Int64(bytes.count)
        try next?.write(bytes)
    }

    public func finish() throws {
        try next?.finish()
    }

    /// The digest so far (call after ``finish()``).
    public var digest: SlipwayCore.Digest { SlipwayCore.Digest(hasher.finalize()) }
}

/// Writes to a file descriptor, through a 1 MiB buffer.
public final class FileSink: ByteSink {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private let path: String

    public init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
        buffer.reserveCapacity(1 << 20)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > (1 << 20) { try flush() }
        if bytes.count >= (1 << 20) {
            try writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    public func finish() throws {
        try flush()
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw ImageError.io(path, String(cString: strerror(errno)))
            }
            offset += n
        }
    }
}

/// Copies to two sinks.
public final class TeeSink: ByteSink {
    private let first: ByteSink
    private let second: ByteSink

    public init(_ first: ByteSink, _ second: ByteSink) {
        self.first = first
        self.second = second
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try first.write(bytes)
        try second.write(bytes)
    }

    public func finish() throws {
        try first.finish()
        try second.finish()
    }
}

/// Discards everything (for measuring).
public final class NullSink: ByteSink {
    public init() {}
    public func write(_ bytes: UnsafeRawBufferPointer) throws {}
    public func finish() throws {}
}
