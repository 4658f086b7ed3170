import Crypto
import Foundation
import SlipwayCore

extension BlobStore {
    /// A sink that keeps a blob as it is produced: bytes go to a file under `tmp/`, and
    /// ``commit(_:)`` renames it to `sha256/<hex>` once the caller knows the digest matched.
    /// Keeping is best effort: a failed write (disk full) drops the blob, never the build.
    public func writer() -> BlobWriter? {
        guard isEnabled else { return nil }
        return BlobWriter(store: self)
    }

    /// Streams the stored blob `digest` (of `size` bytes) to `sink`, hashing it as it goes;
    /// the last block is held back until the hash matches, so a corrupt blob never reaches
    /// `sink` whole. Then finishes `sink` and marks the blob used.
    /// - Returns: `false` when the blob is not stored (nothing was written).
    /// - Throws: ``ImageError/corruptBlob(_:)`` after removing a blob whose bytes have another
    ///   digest or size; ``ImageError/io(_:_:)``; the sink's errors.
    public func copy(_ digest: SlipwayCore.Digest, size: Int64, to sink: ByteSink) throws -> Bool {
        let path = path(of: digest)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var hasher = SHA256()
        var held: [UInt8] = []
        var count: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try Self.read(fd, into: &buffer, path: path)
            if n == 0 { break }
            if !held.isEmpty { try sink.write(held) }
            held = Array(buffer[0..<n])
            held.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            count += Int64(n)
        }
        guard count == size, SlipwayCore.Digest(hasher.finalize()) == digest else {
            remove(digest)
            throw ImageError.corruptBlob(digest)
        }
        try sink.write(held)
        try sink.finish()
        touch(digest)
        return true
    }

    /// Hashes the stored blob; removes it when its bytes have another digest or size.
    /// - Returns: whether a whole, correct blob is stored.
    public func verify(_ digest: SlipwayCore.Digest, size: Int64) -> Bool {
        do {
            return try copy(digest, size: size, to: NullSink())
        } catch {
            return false
        }
    }

    static func read(_ fd: Int32, into buffer: inout [UInt8], path: String) throws -> Int {
        while true {
            let n = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if n >= 0 { return n }
            if errno != EINTR { throw ImageError.io(path, String(cString: strerror(errno))) }
        }
    }
}

/// A blob on its way into the ``BlobStore``: a temporary file until ``commit(_:)``.
public final class BlobWriter: ByteSink {
    private let store: BlobStore
    private let temporary: String
    private var file: FileSink?
    private var fd: Int32 = -1
    private var hasher = SHA256()
    private var failed = false

    init(store: BlobStore) {
        self.store = store
        temporary = store.temporaryDirectory + "/\(getpid())-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: store.temporaryDirectory, withIntermediateDirectories: true)
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd >= 0 { file = FileSink(fd: fd, path: temporary) } else { failed = true }
    }

    deinit {
        if fd >= 0 { close(fd) }
        unlink(temporary)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !failed else { return }
        hasher.update(bufferPointer: bytes)
        do { try file?.write(bytes) } catch { failed = true }
    }

    public func finish() throws {
        guard !failed else { return }
        do { try file?.finish() } catch { failed = true }
    }

    /// Moves the finished blob into the store as `digest`, when its bytes hash to it.
    /// - Returns: whether the blob is now stored.
    @discardableResult
    public func commit(_ digest: SlipwayCore.Digest) -> Bool {
        let matches = !failed && fd >= 0 && SlipwayCore.Digest(hasher.finalize()) == digest
        if fd >= 0 { close(fd) }
        fd = -1
        failed = true
        guard matches else {
            unlink(temporary)
            return false
        }
        try? FileManager.default.createDirectory(atPath: store.blobsDirectory, withIntermediateDirectories: true)
        return rename(temporary, store.path(of: digest)) == 0
    }
}
