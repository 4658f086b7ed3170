import CSlipwayBuild
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One thread that waits, with one `epoll(7)` set, on the output pipe and the exit of every
/// program ``GroupProcess`` runs: it reads each pipe into lines for the program's ``LogSink``,
/// reaps each program when its pidfd (`pidfd_open(2)`) becomes readable, and resumes the waiting
/// task once both the exit and the pipe's end of file were seen.
///
/// So a program costs no thread of its own and one hop back to Swift concurrency when it ends
/// (swift-subprocess spent a worker thread to spawn, its monitor thread and a reader per stream).
/// Where the kernel has no pidfds (before Linux 5.3), a thread per program waits in `waitpid`.
final class ProcessReactor: @unchecked Sendable {
    static let shared = ProcessReactor()

    /// One running program.
    final class Watch: @unchecked Sendable {
        let pid: pid_t
        let name: String
        let sink: LogSink
        /// The read end of the program's standard output and error (one pipe, as a terminal is).
        let pipe: Int32
        /// Only touched by the one thread that reads the pipe.
        private var splitter = LineSplitter()
        private var lines: [ArraySlice<UInt8>] = []
        /// Guarded by the reactor's lock.
        var pipeOpen = true
        var termination: GroupProcess.Termination?
        var continuation: CheckedContinuation<GroupProcess.Termination, Never>?

        init(pid: pid_t, name: String, sink: LogSink, pipe: Int32) {
            self.pid = pid
            self.name = name
            self.sink = sink
            self.pipe = pipe
        }

        /// The whole lines of `bytes` (and any before them) to the sink.
        func take(_ bytes: UnsafeRawBufferPointer) {
            splitter.feed(bytes) { lines.append($0) }
            flush()
        }

        /// The unterminated rest, if any, to the sink: the pipe has ended.
        func end() {
            splitter.finish { lines.append($0) }
            flush()
        }

        private func flush() {
            sink.write(name, lines: lines)
            lines.removeAll(keepingCapacity: true)
        }
    }

    private enum Source {
        case output(Watch)
        case exit(Watch)
    }

    private let epoll: Int32
    /// Registered descriptors (pipes and pidfds) and what they belong to.
    private let sources = Mutex<[Int32: Source]>([:])

    private init() {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "slipway-processes"
        thread.start()
    }

    /// Waits until `pid` has exited and `pipe` (the read end of its output, this reactor's to
    /// close) reached end of file; lines go to `sink` under `name`.
    /// - Returns: how the program ended.
    func wait(pid: pid_t, pipe: Int32, name: String, sink: LogSink) async -> GroupProcess.Termination {
        let watch = Watch(pid: pid, name: name, sink: sink, pipe: pipe)
        _ = fcntl(pipe, F_SETFL, fcntl(pipe, F_GETFL) | O_NONBLOCK)
        return await withCheckedContinuation { continuation in
            sources.withLock { _ in watch.continuation = continuation }
            if !add(pipe, .output(watch)) {
                Thread { [self] in
                    Self.drainBlocking(watch)
                    finish(watch, exit: nil)
                }.start()
            }
            let pidfd = slipway_pidfd_open(pid)
            if pidfd < 0 || !add(pidfd, .exit(watch)) {
                if pidfd >= 0 { close(pidfd) }
                Thread { [self] in finish(watch, exit: Self.blockingWait(pid)) }.start()
            }
        }
    }

    /// Registers `fd`; `false` when epoll cannot take it (out of memory, or the per-user limit
    /// `fs.epoll.max_user_watches`): then a thread of its own waits for it instead.
    private func add(_ fd: Int32, _ source: Source) -> Bool {
        sources.withLock { $0[fd] = source }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLHUP.rawValue
        event.data.fd = fd
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) == 0 else {
            sources.withLock { _ = $0.removeValue(forKey: fd) }
            return false
        }
        return true
    }

    /// Reads `watch`'s pipe to its end with blocking reads, then closes it (the fallback of ``add(_:_:)``).
    private static func drainBlocking(_ watch: Watch) {
        _ = fcntl(watch.pipe, F_SETFL, fcntl(watch.pipe, F_GETFL) & ~O_NONBLOCK)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(watch.pipe, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            buffer.withUnsafeBytes { watch.take(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        watch.end()
        close(watch.pipe)
    }

    private func loop() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = epoll_wait(epoll, &events, Int32(events.count), -1)
            guard count >= 0 else {
                if errno == EINTR { continue }
                fatalError("epoll_wait: \(String(cString: strerror(errno)))")
            }
            for event in events.prefix(Int(count)) { handle(event.data.fd, buffer: &buffer) }
        }
    }

    /// Reads a readable pipe, or reaps an exited program.
    private func handle(_ fd: Int32, buffer: inout [UInt8]) {
        guard let source = sources.withLock({ $0[fd] }) else { return }
        switch source {
        case .output(let watch):
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                buffer.withUnsafeBytes { watch.take(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                watch.end()
                remove(fd)
                finish(watch, exit: nil)
            }
        case .exit(let watch):
            let termination = Self.reap(watch.pid)
            guard let termination else { return }
            remove(fd)
            finish(watch, exit: termination)
        }
    }

    private func remove(_ fd: Int32) {
        sources.withLock { _ = $0.removeValue(forKey: fd) }
        epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)
        close(fd)
    }

    /// Records the exit (`exit`) or the pipe's end (`nil`); resumes the waiter after both.
    private func finish(_ watch: Watch, exit: GroupProcess.Termination?) {
        let continuation: CheckedContinuation<GroupProcess.Termination, Never>? = sources.withLock { _ in
            if let exit { watch.termination = exit } else { watch.pipeOpen = false }
            guard !watch.pipeOpen, watch.termination != nil, let continuation = watch.continuation else { return nil }
            watch.continuation = nil
            return continuation
        }
        if let continuation, let termination = watch.termination { continuation.resume(returning: termination) }
    }

    /// `waitpid(pid, WNOHANG)`: how it ended, or `nil` while it runs (a spurious wake-up).
    static func reap(_ pid: pid_t) -> GroupProcess.Termination? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return termination(status) }
            if result == 0 { return nil }
            if errno == EINTR { continue }
            return .exited(127)  // not our child any more (cannot happen: only this reactor reaps it)
        }
    }

    static func blockingWait(_ pid: pid_t) -> GroupProcess.Termination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return .exited(127) }
        }
        return termination(status)
    }

    /// An exit status from `waitpid` (`WIFEXITED`/`WEXITSTATUS`, else `WTERMSIG`).
    static func termination(_ status: Int32) -> GroupProcess.Termination {
        status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
    }
}
