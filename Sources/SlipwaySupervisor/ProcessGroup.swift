import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A service's process group (its leader ran `setsid`, so the group id is the leader's pid).
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
    public var isAlive: Bool {
        guard kill(-id, 0) == 0 || errno == EPERM else { return false }
        return ProcessGroup.liveMembers(of: id) > 0
    }

    /// Non-zombie processes whose process group is `pgid` (from `/proc/*/stat`).
    static func liveMembers(of pgid: pid_t) -> Int {
        guard let dir = opendir("/proc") else { return 1 }
        defer { closedir(dir) }
        var count = 0
        var buffer = [UInt8](repeating: 0, count: 1024)
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let first = name.utf8.first, first >= 0x30 && first <= 0x39 else { continue }
            let fd = open("/proc/\(name)/stat", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard n > 0, let close = buffer[0..<n].lastIndex(of: UInt8(ascii: ")")) else { continue }
            // After "pid (comm) ": state ppid pgrp ...
            let fields = buffer[(close + 2)..<n].split(separator: UInt8(ascii: " "))
            guard fields.count > 2 else { continue }
            let state = fields[0].first
            if String(decoding: fields[2], as: UTF8.self) == String(pgid), state != UInt8(ascii: "Z"), state != UInt8(ascii: "X") {
                count += 1
            }
        }
        return count
    }

    /// Waits until the group is gone, checking every 10 ms, for at most `timeout` seconds.
    /// - Returns: `true` when it is gone.
    public func waitUntilGone(timeout: Double) async -> Bool {
        let deadline = Clock.now + timeout
        while isAlive {
            if Clock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }
}

/// Whether `pid` is a live process: it exists and is not a zombie waiting to be reaped (a
/// supervisor started by `up -d` is reaped by init, which may take a while).
public func processIsRunning(_ pid: pid_t) -> Bool {
    guard kill(pid, 0) == 0 || errno == EPERM else { return false }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return true }
    let state = stat[stat.index(after: close)...].trimmingPrefix(" ").first
    return state != "Z" && state != "X"
}

/// Monotonic seconds.
enum Clock {
    static var now: Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
