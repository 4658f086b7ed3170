import Foundation

/// Port availability and who holds a port (from `/proc/net/tcp*` and `/proc/*/fd`).
public enum PortCheck {
    /// Whether a TCP listener could bind `port` on 127.0.0.1 and on all addresses now.
    public static func isFree(_ port: Int) -> Bool {
        canBind(port, any: false) && canBind(port, any: true)
    }

    private static func canBind(_ port: Int, any: Bool) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return true }
        defer { close(fd) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = any ? INADDR_ANY : inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return bound == 0
    }

    /// "pid 1234 (redis-server *:6379)" for the process listening on `port`, if it can tell.
    public static func holder(of port: Int) -> String? {
        var inodes: Set<String> = []
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 9, fields[3] == "0A" else { continue }  // 0A: LISTEN
                let local = fields[1].split(separator: ":")
                if let hex = local.last, Int(hex, radix: 16) == port { inodes.insert(String(fields[9])) }
            }
        }
        let files = FileManager.default
        guard !inodes.isEmpty, let pids = try? files.contentsOfDirectory(atPath: "/proc") else { return nil }
        for pid in pids where pid.allSatisfy(\.isNumber) {
            guard let fds = try? files.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { continue }
            for fd in fds {
                guard let target = try? files.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"),
                      target.hasPrefix("socket:["), inodes.contains(String(target.dropFirst(8).dropLast())) else { continue }
                let raw = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data("?".utf8)
                let cmdline = String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
                    .trimmingCharacters(in: .whitespaces)
                return "pid \(pid) (\(cmdline.prefix(80)))"
            }
        }
        return "another process"
    }
}
