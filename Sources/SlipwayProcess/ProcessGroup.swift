import SlipwayCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A process group (its leader ran `setsid`, so the group id is the leader's pid).
///
/// Signals go to the whole group, so children and grandchildren of `sh -c` stop too, and the
/// group is watched until its last member is gone, not just until the leader exits.
public struct ProcessGroup: Sendable, Hashable {
    public let id: pid_t

    public init(id: pid_t) {
        self.id = id
    }

    /// Sends `signal` to every member. Returns `false` when no member is left.
    @discardableResult
    public func signal(_ signal: Int32) -> Bool {
        kill(-id, signal) == 0
    }

    /// Whether any process of the group still runs. Zombies do not count: members whose parent
    /// died are reaped by init, which may take a while, and a zombie can do no harm.
    /// The leader is looked at first (one read of `/proc/<id>/stat`); the whole process table
    /// is scanned only when the leader is gone and other members may be left.
    public var isAlive: Bool {
        guard kill(-id, 0) == 0 || errno == EPERM else { return false }
        if let leader = ProcessTable.stat(of: String(id)), leader.group == id, ProcessTable.isLive(leader.state) {
            return true
        }
        return ProcessTable.liveMembers(of: id) > 0
    }

    /// Waits until the group is gone, checking every 10 ms, for at most `timeout`.
    /// - Returns: `true` when it is gone.
    public func waitUntilGone(timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while isAlive {
            if clock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// Stops the group: `signal` to every member, up to `grace` for them to exit, then SIGKILL
    /// and up to `afterKill` more. Returns at once when the group is already gone.
    /// - Parameter willKill: called just before the SIGKILL (to say so in a log).
    /// - Returns: `true` when the group is gone.
    @discardableResult
    public func stop(
        signal stopSignal: Int32 = SIGTERM, grace: Duration, afterKill: Duration = .seconds(5),
        willKill: () -> Void = {}
    ) async -> Bool {
        guard isAlive else { return true }
        signal(stopSignal)
        if await waitUntilGone(timeout: grace) { return true }
        willKill()
        signal(SIGKILL)
        return await waitUntilGone(timeout: afterKill)
    }
}

/// Whether `pid` is a live process: it exists and is not a zombie waiting to be reaped (a
/// supervisor started by `up -d` is reaped by init, which may take a while).
public func processIsRunning(_ pid: pid_t) -> Bool {
    guard kill(pid, 0) == 0 || errno == EPERM else { return false }
    guard let state = ProcessTable.state(of: pid) else { return true }
    return ProcessTable.isLive(state)
}

/// Reads `/proc/<pid>/stat` (Linux `proc(5)`).
enum ProcessTable {
    /// The state letter and process group of `pid`, from the fields after `pid (comm) `.
    static func stat(of pid: String) -> (state: UInt8, group: pid_t)? {
        var buffer = [UInt8](repeating: 0, count: 1024)
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard n > 0, let close = buffer[0..<n].lastIndex(of: UInt8(ascii: ")")), close + 2 < n else { return nil }
        // After "pid (comm) ": state ppid pgrp ...
        let fields = buffer[(close + 2)..<n].split(separator: UInt8(ascii: " "))
        guard fields.count > 2, let state = fields[0].first,
              let group = pid_t(String(decoding: fields[2], as: UTF8.self)) else { return nil }
        return (state, group)
    }

    /// Whether a process in `state` (the letter of `/proc/<pid>/stat`) still runs: anything but a
    /// zombie (`Z`) or a dead process being removed (`X`).
    static func isLive(_ state: UInt8) -> Bool {
        state != UInt8(ascii: "Z") && state != UInt8(ascii: "X")
    }

    static func state(of pid: pid_t) -> UInt8? {
        stat(of: String(pid))?.state
    }

    /// Names of the numeric entries of `/proc` (the pids); `nil` when `/proc` cannot be opened
    /// (no `/proc`, or no file descriptor left).
    static func pids() -> [String]? {
        DirectoryEntries.names(in: "/proc")?.filter { name in
            guard let first = name.utf8.first else { return false }
            return first >= 0x30 && first <= 0x39
        }
    }

    /// Non-zombie processes whose process group is `pgid`. When `/proc` cannot be read, it
    /// answers 1 (alive), so a stop still waits out its timeout.
    static func liveMembers(of pgid: pid_t) -> Int {
        guard let pids = pids() else { return 1 }
        return pids.reduce(0) { count, pid in
            guard let stat = stat(of: pid), stat.group == pgid, isLive(stat.state) else { return count }
            return count + 1
        }
    }
}
