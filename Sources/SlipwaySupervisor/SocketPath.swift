import Foundation
import SlipwayCore

/// Unix socket paths of readiness probes (`ready = { unix = "$STATE_DIR/app.sock" }`).
enum SocketPath {
    /// `path` with the service's variables expanded as `[env]` values are
    /// (``EnvironmentExpansion``; an unknown name expands to nothing, as in sh), made absolute
    /// against `cwd`.
    static func resolve(_ path: String, environment: [String: String], cwd: String) -> String {
        let expanded = EnvironmentExpansion.expand(path) { environment[$0] }
        return expanded.hasPrefix("/") ? expanded : cwd + "/" + expanded
    }

    /// A connected stream socket to the unix socket at `path`, or `nil` (nothing listens, not a
    /// socket, or a path longer than `sun_path` holds).
    static func connect(_ path: String) -> Int32? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }
}
