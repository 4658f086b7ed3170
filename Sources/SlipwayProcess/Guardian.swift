import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A watchdog process that stops every service group if the supervisor dies, even by SIGKILL.
///
/// The supervisor starts `slipway __guardian` in its own session with a pipe on its standard
/// input and writes one line per change: `add PGID SIGNAL TIMEOUT_MS` when a service starts,
/// `del PGID` when its group is gone. When the pipe reaches end of file (the supervisor exited,
/// however it exited), the guardian sends each remaining group its stop signal, waits up to its
/// timeout, then sends SIGKILL, and exits. The pipe's write end is close-on-exec, so services
/// never hold it open.
public final class GuardianLink: Sendable {
    /// The pipe's write end, under a lock so lines of concurrent callers never interleave.
    private let pipe: Mutex<Int32>

    /// A random value every service of this supervisor gets as `SLIPWAY_SUPERVISOR_TOKEN`: the
    /// guardian also finds processes by it (one that was starting when the supervisor died, or
    /// a grandchild that moved to its own session).
    public let token: String

    /// Starts the guardian: `executable __guardian TOKEN`.
    /// - Throws: ``ProcessError/spawnFailed(_:_:)``.
    public init(executable: String) throws {
        token = (0..<4).map { _ in String(UInt64.random(in: .min ... .max), radix: 16) }.joined()
        var fds: [Int32] = [0, 0]
        guard Glibc.pipe(&fds) == 0 else {
            throw ProcessError.spawnFailed("guardian", String(cString: strerror(errno)))
        }
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        do {
            _ = try Spawn.detached(
                [executable, "__guardian", token], stdin: fds[0], stdout: -1, stderr: -1, environment: nil)
        } catch {
            Glibc.close(fds[0])
            Glibc.close(fds[1])
            throw error
        }
        Glibc.close(fds[0])
        pipe = Mutex(fds[1])
        // A dead guardian makes writes fail with EPIPE instead of killing this process.
        BrokenPipes.survive()
    }

    /// Tells the guardian to stop `group` with `stopSignal`, then SIGKILL after `timeout`.
    public func add(_ group: ProcessGroup, stopSignal: Int32, timeout: Duration) {
        send("add \(group.id) \(stopSignal) \(timeout.milliseconds)\n")
    }

    public func remove(_ group: ProcessGroup) {
        send("del \(group.id)\n")
    }

    /// Tells the guardian the supervisor stopped everything itself: it exits without signalling.
    public func finish() {
        send("done\n")
    }

    /// One `write(2)` per line: a dead guardian (EPIPE) is no reason to stop the services.
    private func send(_ line: String) {
        pipe.withLock { fd in
            let bytes = Array(line.utf8)
            _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        }
    }

    /// The guardian's main loop (`slipway __guardian`): reads the pipe until EOF, then stops
    /// what is left. Never returns.
    public static func runGuardian(token: String) -> Never {
        signal(SIGINT, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        var groups: [pid_t: (signal: Int32, timeoutMS: Int)] = [:]
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            pending.append(contentsOf: buffer[0..<n])
            while let newline = pending.firstIndex(of: 0x0A) {
                let parts = String(decoding: pending[..<newline], as: UTF8.self).split(separator: " ")
                pending.removeSubrange(...newline)
                if parts.count == 4, parts[0] == "add", let pgid = pid_t(parts[1]), let sig = Int32(parts[2]),
                   let ms = Int(parts[3]) {
                    groups[pgid] = (sig, ms)
                } else if parts.count == 2, parts[0] == "del", let pgid = pid_t(parts[1]) {
                    groups.removeValue(forKey: pgid)
                } else if parts.count == 1, parts[0] == "done" {
                    // Everything was stopped in order; only strays carrying the token remain.
                    stopTagged(token, graceMS: 2000)
                    exit(0)
                }
            }
        }
        let clock = ContinuousClock()
        let start = clock.now
        // Only groups with live members now; a group id is never signalled again once its
        // members are gone (the kernel may reuse the number).
        var left = groups.filter { ProcessGroup(id: $0.key).isAlive }
        for (pgid, stop) in left { kill(-pgid, stop.signal) }
        while !left.isEmpty {
            usleep(20_000)
            let elapsed = (clock.now - start).milliseconds
            for (pgid, stop) in left {
                if !ProcessGroup(id: pgid).isAlive {
                    left.removeValue(forKey: pgid)
                } else if elapsed >= stop.timeoutMS {
                    kill(-pgid, SIGKILL)
                }
            }
            if elapsed > 120_000 { break }
        }
        stopTagged(token, graceMS: 5000)
        exit(0)
    }

    /// The environment entry that marks a service process of the supervisor with `token`.
    public static func marker(_ token: String) -> String { "SLIPWAY_SUPERVISOR_TOKEN=" + token }

    /// SIGTERM, then after `graceMS` SIGKILL, to every process group holding a process whose
    /// environment carries the token (read from `/proc/*/environ`).
    static func stopTagged(_ token: String, graceMS: Int) {
        guard !token.isEmpty else { return }
        var groups = taggedGroups(token)
        guard !groups.isEmpty else { return }
        for pgid in groups { kill(-pgid, SIGTERM) }
        let clock = ContinuousClock()
        let start = clock.now
        while !groups.isEmpty && (clock.now - start).milliseconds < graceMS {
            usleep(20_000)
            groups = groups.filter { ProcessGroup(id: $0).isAlive }
        }
        for pgid in taggedGroups(token) { kill(-pgid, SIGKILL) }
    }

    static func taggedGroups(_ token: String) -> Set<pid_t> {
        let needle = Array(marker(token).utf8)
        var groups: Set<pid_t> = []
        let me = getpid()
        for name in ProcessTable.pids() {
            guard let pid = pid_t(name), pid != me else { continue }
            let fd = open("/proc/\(pid)/environ", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            var data: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                data.append(contentsOf: buffer[0..<n])
            }
            close(fd)
            let found = data.split(separator: 0).contains { $0.elementsEqual(needle) }
            if found {
                let pgid = getpgid(pid)
                if pgid > 0 { groups.insert(pgid) }
            }
        }
        return groups
    }
}

extension Duration {
    /// Whole milliseconds (rounded down).
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
