import Foundation
import SlipwayProcess
import Synchronization

/// The supervisor's control socket: `.slipway/run/<profile>.sock`, one JSON request line and one
/// JSON answer line per connection.
///
/// A socket file with nobody listening (after a crash) is stale: ``ControlClient/isAlive`` finds
/// out by connecting, and the server replaces it. Paths longer than `sun_path` (108 bytes) are
/// reached through `/proc/self/fd/N/NAME` of an open folder descriptor.
public enum ControlProtocol {
    public struct Request: Codable, Sendable, Equatable {
        public var command: ControlCommand
        /// The service a `start`, `stop` or `restart` is about.
        public var service: String?

        public init(command: ControlCommand, service: String? = nil) {
            self.command = command
            self.service = service
        }
    }

    public struct Response: Codable, Sendable {
        public var ok: Bool
        public var error: String?
        public var status: SupervisorStatus?

        public init(ok: Bool, error: String? = nil, status: SupervisorStatus? = nil) {
            self.ok = ok
            self.error = error
            self.status = status
        }
    }
}

/// A Unix socket address for `path`, calling `body` with it (keeping any folder fd open).
func withSocketAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T? {
    var effective = path
    var dirFD: Int32 = -1
    if path.utf8.count >= 104 {
        let cut = path.lastIndex(of: "/") ?? path.startIndex
        dirFD = open(String(path[..<cut]), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirFD >= 0 else { return nil }
        effective = "/proc/self/fd/\(dirFD)/" + path[path.index(after: cut)...]
    }
    defer { if dirFD >= 0 { close(dirFD) } }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(effective.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: bytes)
        raw[bytes.count] = 0
    }
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
}

/// Talks to a running supervisor.
public struct ControlClient: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Whether a supervisor answers on the socket (connecting, not checking the file).
    public var isAlive: Bool {
        guard let fd = connect() else { return false }
        close(fd)
        return true
    }

    private func connect() -> Int32? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        let result = withSocketAddress(path) { Glibc.connect(fd, $0, $1) }
        if result != 0 {
            close(fd)
            return nil
        }
        return fd
    }

    /// Sends `request` and waits for the answer (a `down` answers once everything has exited).
    /// - Throws: ``SupervisorError/control(_:)`` on a refused or broken connection.
    public func send(_ request: ControlProtocol.Request) throws -> ControlProtocol.Response {
        guard let fd = connect() else { throw SupervisorError.control("no supervisor answers on \(path)") }
        defer { close(fd) }
        var line = try JSONEncoder().encode(request)
        line.append(0x0A)
        guard line.withUnsafeBytes({ Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == line.count
        else {
            throw SupervisorError.control("cannot write to \(path)")
        }
        guard let answer = readLine(fd) else { throw SupervisorError.control("the supervisor closed the connection") }
        do {
            return try JSONDecoder().decode(ControlProtocol.Response.self, from: answer)
        } catch {
            throw SupervisorError.control("unreadable answer from the supervisor: \(error)")
        }
    }
}

extension ControlClient {
    /// Waits until the supervisor with `pid` has exited and nobody answers on the socket any more
    /// (it exits once every service group is gone), checking every 10 ms.
    public func waitUntilGone(pid: Int32) async {
        while processIsRunning(pid) || isAlive { try? await Task.sleep(for: .milliseconds(10)) }
    }
}

/// Reads one `\n`-terminated line (or everything until EOF).
func readLine(_ fd: Int32) -> Data? {
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return data.isEmpty ? nil : data }
        data.append(contentsOf: buffer[0..<n])
        if let newline = data.firstIndex(of: 0x0A) { return data[..<newline] }
    }
}

/// Serves control requests for a ``Supervisor`` on a thread of its own.
public final class ControlServer: Sendable {
    public let path: String
    private let fd: Int32
    private let handler: @Sendable (ControlProtocol.Request) async -> ControlProtocol.Response

    /// Binds the socket (replacing a stale one).
    /// - Throws: ``SupervisorError/alreadyRunning(profile:pid:)`` when another supervisor answers,
    ///   ``SupervisorError/control(_:)`` when binding fails.
    public init(
        path: String, profile: String,
        handler: @escaping @Sendable (ControlProtocol.Request) async -> ControlProtocol.Response
    ) throws {
        self.path = path
        self.handler = handler
        let client = ControlClient(path: path)
        if client.isAlive {
            let pid = (try? client.send(.init(command: .ps)))?.status?.supervisorPid ?? 0
            throw SupervisorError.alreadyRunning(profile: profile, pid: pid)
        }
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SupervisorError.control("socket: \(String(cString: strerror(errno)))") }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        let bound = withSocketAddress(path) { bind(fd, $0, $1) }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw SupervisorError.control("cannot listen on \(path): \(String(cString: strerror(errno)))")
        }
        self.fd = fd
    }

    /// Accepts connections until the process exits.
    public func start() {
        let thread = Thread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 {
                    if errno == EINTR || errno == ECONNABORTED { continue }
                    return
                }
                _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                Thread { self.serve(client) }.start()
            }
        }
        thread.start()
    }

    /// Removes the socket file.
    public func remove() {
        unlink(path)
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        guard let line = readLine(client) else { return }
        guard let request = try? JSONDecoder().decode(ControlProtocol.Request.self, from: line) else {
            // A well-formed request for a command this supervisor does not know still gets an answer.
            struct Unknown: Decodable { var command: String }
            if let unknown = try? JSONDecoder().decode(Unknown.self, from: line) {
                reply(ControlProtocol.Response(ok: false, error: "unknown request '\(unknown.command)'"), to: client)
            }
            return
        }
        let answer = Mutex(ControlProtocol.Response(ok: false, error: "no answer"))
        let done = DispatchSemaphore(value: 0)
        let handler = self.handler
        Task {
            let response = await handler(request)
            answer.withLock { $0 = response }
            done.signal()
        }
        done.wait()
        reply(answer.withLock { $0 }, to: client)
    }

    private func reply(_ response: ControlProtocol.Response, to client: Int32) {
        guard var line = try? JSONEncoder().encode(response) else { return }
        line.append(0x0A)
        _ = line.withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
