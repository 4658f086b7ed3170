import Foundation
import SlipwayCore
import SlipwayManifest
import Testing
@testable import SlipwaySupervisor

#if canImport(Glibc)
import Glibc
#endif

/// The `unix`, HTTP-over-unix and `https` readiness probes against real sockets and servers.
@Suite("Socket and HTTPS readiness probes")
struct SocketProbeTests {
    func check(_ kind: ServiceSpec.ProbeKind, environment: [String: String] = [:], cwd: String = "/") async -> Bool {
        await Probe.check(kind, port: nil, environment: environment, cwd: cwd, timeout: 2, logMatched: false)
    }

    /// A unix socket listening at `path` (close-on-exec, so no child of another test keeps it).
    func listen(at path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 && Glibc.listen(fd, 4) == 0
            }
        }
        try #require(bound, "cannot listen on \(path): \(String(cString: strerror(errno)))")
        return fd
    }

    func temporaryFolder() throws -> String {
        let dir = NSTemporaryDirectory() + "probe-" + String(UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func unixProbeNeedsAListeningSocketAndExpandsTheServicesVariables() async throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let environment = ["STATE_DIR": dir]
        #expect(!(await check(.unix("$STATE_DIR/app.sock"), environment: environment)))
        let fd = try listen(at: dir + "/app.sock")
        #expect(await check(.unix("$STATE_DIR/app.sock"), environment: environment))
        #expect(await check(.unix("${STATE_DIR}/app.sock"), environment: environment))
        #expect(await check(.unix("app.sock"), cwd: dir))
        close(fd)
        let ready = try await stillReadyAfter20Seconds { await check(.unix("$STATE_DIR/app.sock"), environment: environment) }
        #expect(!ready, "a socket file nobody accepts on")
        #expect(SocketPath.resolve("$NOPE/x/${A}", environment: ["A": "a"], cwd: "/c") == "/x/a")
        #expect(SocketPath.resolve("${A}/s.sock", environment: ["A": "a"], cwd: "/c") == "/c/a/s.sock")
    }

    @Test func httpOverAUnixSocketReadsTheStatus() async throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (status, ready) in [("204 No Content", true), ("503 Service Unavailable", false)] {
            let path = dir + "/\(status.prefix(3)).sock"
            let fd = try listen(at: path)
            let server = Thread {
                let client = accept(fd, nil, nil)
                var buffer = [UInt8](repeating: 0, count: 1024)
                _ = recv(client, &buffer, buffer.count, 0)
                let answer = Array("HTTP/1.1 \(status)\r\nContent-Length: 0\r\n\r\n".utf8)
                _ = send(client, answer, answer.count, Int32(MSG_NOSIGNAL))
                close(client)
            }
            server.start()
            #expect(await check(.unixHTTP(socket: path, path: "/health")) == ready, "\(status)")
            close(fd)
        }
    }

    @Test func httpsVerifiesAgainstTheCAFileOrNotAtAllWhenInsecure() async throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let made = try run("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1"])
        try #require(made == 0)
        let port = try #require(LoopbackPort.ephemeral())
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        server.arguments = ["s_server", "-quiet", "-www", "-accept", "127.0.0.1:\(port)",
                            "-cert", dir + "/cert.pem", "-key", dir + "/key.pem"]
        server.standardInput = FileHandle.nullDevice
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        // s_server does not stop on SIGTERM while it serves.
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        let url = "https://127.0.0.1:\(port)/"
        var up = false
        for _ in 0..<100 where !up {
            up = await check(.https(url: url, ca: nil, insecure: true))
            if !up { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(up, "insecure = true accepts the self-signed certificate")
        #expect(await check(.https(url: url, ca: "cert.pem", insecure: false), cwd: dir), "the CA file, relative to cwd")
        #expect(!(await check(.https(url: url, ca: nil, insecure: false))), "not in the system's roots")
        #expect(!(await check(.https(url: "https://127.0.0.1:\(port + 1)/", ca: nil, insecure: true))), "nothing there")
    }

    func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
