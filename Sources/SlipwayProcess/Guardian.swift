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
/// timeout, then sends SIGKILL, runs the ``onDeath(run:)`` command if one was given, and exits.
/// The pipe's write end is close-on-exec, so services never hold it open.
public final class GuardianLink: Sendable {
    /// The pipe's write end, under a lock so lines of concurrent callers never interleave.
    private let pipe: Mutex<Int32>

    /// A random value every service of this supervisor gets as `SLIPWAY_SUPERVISOR_TOKEN`: the
    /// guardian also finds processes by it (one that was starting when the supervisor died, or
    /// a grandchild that moved to its own session).
    public let token: String

    /// The internal command word: `slipway __guardian TOKEN` (served by ``runIfRequested(_:)``).
    public static let command = "__guardian"

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
                [executable, Self.command, token], stdin: fds[0], stdout: -1, stderr: -1, environment: nil)
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
    /// - Parameter log: the group's log file: if this process dies, the guardian keeps copying
    ///   the group's output there while it stops (see ``GuardianOutput``). No newline in it.
    public func add(_ group: ProcessGroup, stopSignal: Int32, timeout: Duration, log: String? = nil) {
        send("add \(group.id) \(stopSignal) \(timeout.milliseconds)" + (log.map { " " + $0 } ?? "") + "\n")
    }

    public func remove(_ group: ProcessGroup) {
        send("del \(group.id)\n")
    }

    /// A command the guardian runs (and waits for, up to ``releaseTimeout``) after stopping
    /// the groups when the pipe reaches end of file, never after ``finish()``: how a task run
    /// killed by SIGKILL still releases the services it started (`slipway __release-task-services`).
    /// The last call wins. Arguments cannot hold a newline or U+001F.
    public func onDeath(run arguments: [String]) {
        send("exec " + arguments.joined(separator: "\u{1F}") + "\n")
    }

    /// How long the guardian waits for the ``onDeath(run:)`` command (it stops services in order).
    public static let releaseTimeout = Duration.seconds(180)

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

    /// Becomes the guardian when `arguments` (the whole command line) are `slipway __guardian
    /// TOKEN`; returns otherwise. Called first thing in `main`, before the argument parser: the
    /// guardian starts beside every `slipway run` and `up`, and parsing would cost it a few
    /// milliseconds of CPU the run it watches could use.
    public static func runIfRequested(_ arguments: [String]) {
        guard arguments.count == 3, arguments[1] == command else { return }
        runGuardian(token: arguments[2])
    }

    /// The guardian's main loop (`slipway __guardian`): reads the pipe until EOF, then stops
    /// what is left. Never returns.
    public static func runGuardian(token: String) -> Never {
        signal(SIGINT, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        var groups: [pid_t: (signal: Int32, timeoutMS: Int)] = [:]
        var release: [String] = []
        var logs: [pid_t: String] = [:]
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            pending.append(contentsOf: buffer[0..<n])
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                let parts = line.split(separator: " ")
                pending.removeSubrange(...newline)
                if line.hasPrefix("exec ") {
                    release = line.dropFirst(5).split(separator: "\u{1F}", omittingEmptySubsequences: false)
                        .map(String.init)
                } else if parts.count >= 4, parts[0] == "add", let pgid = pid_t(parts[1]), let sig = Int32(parts[2]),
                   let ms = Int(parts[3]) {
                    groups[pgid] = (sig, ms)
                    // The log path is the rest of the line (it may hold spaces).
                    if parts.count > 4 { logs[pgid] = String(line[parts[4].startIndex...]) }
                } else if parts.count == 2, parts[0] == "del", let pgid = pid_t(parts[1]) {
                    groups.removeValue(forKey: pgid)
                    logs.removeValue(forKey: pgid)
                } else if parts.count == 1, parts[0] == "done" {
                    // Everything was stopped in order; only strays carrying the token remain.
                    stopTagged(token, graceMS: 2000)
                    exit(0)
                }
            }
        }
        stopGroups(groups, logs: logs)
        runRelease(release)
        stopTagged(token, graceMS: 5000)
        exit(0)
    }

    /// Each group's stop signal, SIGKILL after its timeout (120 s at most in all), its output
    /// copied to its log meanwhile.
    static func stopGroups(_ groups: [pid_t: (signal: Int32, timeoutMS: Int)], logs: [pid_t: String]) {
        let clock = ContinuousClock()
        let start = clock.now
        // Only groups with live members now; a group id is never signalled again once its
        // members are gone (the kernel may reuse the number).
        var left = groups.filter { ProcessGroup(id: $0.key).isAlive }
        // Readers first, so nothing the services print while stopping meets a pipe without one.
        var output = GuardianOutput(groups: logs.filter { left[$0.key] != nil })
        for (pgid, stop) in left { kill(-pgid, stop.signal) }
        while !left.isEmpty {
            usleep(20_000)
            output.drain()
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
        output.finish()
    }

    /// Runs the ``onDeath(run:)`` command in a session of its own and waits for it (bounded).
    static func runRelease(_ arguments: [String]) {
        guard !arguments.isEmpty, arguments[0].hasPrefix("/"),
            let pid = try? Spawn.detached(arguments, stdin: -1, stdout: -1, stderr: -1, environment: nil)
        else { return }
        let clock = ContinuousClock()
        let deadline = clock.now + releaseTimeout
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if clock.now > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                return
            }
            usleep(20_000)
        }
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
        for name in ProcessTable.pids() ?? [] {
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
