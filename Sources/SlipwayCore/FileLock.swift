import Foundation

/// An exclusive flock(2) on a file, held until ``release()``: one process at a time builds an
/// environment, or starts the services of a task run.
public final class FileLock {
    private let fd: Int32

    /// Blocks until the lock is taken; creates the file if needed.
    /// - Throws: `CocoaError(.fileWriteUnknown)` when the file cannot be opened.
    public init(path: String) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
    }

    public func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
