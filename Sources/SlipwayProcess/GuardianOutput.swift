#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a guardian does with service output once the supervisor that read it is dead: it opens
/// a new read end of each service's stdout and stderr pipe (`open("/proc/PID/fd/1")` on a pipe
/// gives the same pipe, Linux `proc(5)`) and appends what arrives to the service's log file
/// while the groups stop, so PostgreSQL's shutdown lines still reach its log and no service
/// writes into a pipe nobody reads. Bytes are copied as they come (a line the dead supervisor
/// had half read stays cut).
struct GuardianOutput {
    private struct Reader {
        var pipe: Int32
        var log: Int32
    }

    private var readers: [Reader] = []
    private var logs: [Int32] = []

    /// Attaches to the pipes of one live member of each group (`pgid` → log file path).
    init(groups: [pid_t: String]) {
        guard !groups.isEmpty else { return }
        var seen: Set<String> = []
        let members = Self.members(of: Set(groups.keys))
        for (pgid, path) in groups {
            guard let pids = members[pgid] else { continue }
            let log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard log >= 0 else { continue }
            logs.append(log)
            let note = Array("[slipway] the supervisor is gone: its guardian stops the service\n".utf8)
            _ = note.withUnsafeBytes { write(log, $0.baseAddress, $0.count) }
            // The leader first; its members share the same pipes unless they redirected them.
            for pid in [pgid] + pids.filter({ $0 != pgid }) {
                for descriptor in [1, 2] {
                    let link = "/proc/\(pid)/fd/\(descriptor)"
                    guard let target = Self.readLink(link), target.hasPrefix("pipe:"), seen.insert(target).inserted
                    else { continue }
                    let fd = open(link, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
                    if fd >= 0 { readers.append(Reader(pipe: fd, log: log)) }
                }
            }
        }
    }

    /// Copies what is waiting in every pipe to its log; drops a pipe at end of file.
    mutating func drain() {
        var buffer = [UInt8](repeating: 0, count: 65536)
        readers = readers.filter { reader in
            while true {
                let n = buffer.withUnsafeMutableBytes { read(reader.pipe, $0.baseAddress, $0.count) }
                if n > 0 {
                    _ = buffer.withUnsafeBytes { write(reader.log, $0.baseAddress, n) }
                    continue
                }
                if n < 0 && (errno == EAGAIN || errno == EINTR) { return true }
                close(reader.pipe)
                return false
            }
        }
    }

    /// The last copy, then every descriptor closed.
    mutating func finish() {
        drain()
        for reader in readers { close(reader.pipe) }
        for log in logs { close(log) }
        readers.removeAll()
        logs.removeAll()
    }

    private static func members(of groups: Set<pid_t>) -> [pid_t: [pid_t]] {
        var members: [pid_t: [pid_t]] = [:]
        for name in ProcessTable.pids() ?? [] {
            guard let pid = pid_t(name), let stat = ProcessTable.stat(of: name), groups.contains(stat.group),
                ProcessTable.isLive(stat.state)
            else { continue }
            members[stat.group, default: []].append(pid)
        }
        return members
    }

    private static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
