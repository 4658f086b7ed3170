import Testing
@testable import SlipwaySupervisor

#if canImport(Glibc)
import Glibc
#endif

/// The TCP readiness probe against a real listening socket on loopback.
@Suite("TCP readiness probe")
struct ProbeTests {
    /// A socket listening on 127.0.0.1 at a port the kernel picks; returns (fd, port).
    func listen() throws -> (Int32, Int) {
        // Close-on-exec: a process another test spawns meanwhile must not inherit the listener
        // (it would keep the port accepting after `close`, and the "not after" check would fail).
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        try #require(fd >= 0, "socket: \(String(cString: strerror(errno)))")
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && Glibc.listen(fd, 4) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        try #require(bound, "cannot listen on loopback: \(String(cString: strerror(errno)))")
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test("ready once something listens on the port, not before, not after it closes")
    func tcp() async throws {
        let (fd, port) = try listen()
        #expect(await Probe.check(.tcp(port), port: nil, environment: [:], cwd: "/", timeout: 1, logMatched: false))
        // `tcp = 0` (the default) probes the service's own port.
        #expect(await Probe.check(.tcp(0), port: port, environment: [:], cwd: "/", timeout: 1, logMatched: false))
        close(fd)
        // A process another test spawns at this moment holds a copy of the listener between its
        // fork and its exec (close-on-exec acts only at the exec), so the port may accept a little
        // longer: the probe must say "not ready" once it is really closed, within 20 s.
        let ready = try await stillReadyAfter20Seconds {
            await Probe.check(.tcp(port), port: nil, environment: [:], cwd: "/", timeout: 1, logMatched: false)
        }
        #expect(!ready, "the probe still answered ready 20 s after the listener was closed")
    }

    @Test("the connection the probe opens reaches the listener")
    func connects() throws {
        let (fd, port) = try listen()
        defer { close(fd) }
        let client = try #require(Probe.connect(host: "127.0.0.1", port: port, timeout: 1))
        defer { close(client) }
        let accepted = accept(fd, nil, nil)
        #expect(accepted >= 0)
        if accepted >= 0 { close(accepted) }
    }
}

/// Whether `check` still answers ready after up to 20 s of tries, 50 ms apart: after a listener
/// closes, a process another test spawns at that moment holds a copy of it between its fork and
/// its exec (close-on-exec acts only at the exec), so it may accept a little longer.
func stillReadyAfter20Seconds(_ check: () async -> Bool) async throws -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(20)
    var ready = true
    while ready && clock.now < deadline {
        ready = await check()
        if ready { try await Task.sleep(for: .milliseconds(50)) }
    }
    return ready
}
