import Foundation
import SlipwayCore
import SlipwayManifest
import SlipwayProcess
import Subprocess
import SystemPackage

/// One readiness check of a service (`ready = { exec | http | tcp | log | unix }`).
enum Probe {
    /// Runs one check; `true` when the service answered as ready within `timeout` seconds.
    static func check(
        _ kind: ServiceSpec.ProbeKind, port: Int?, environment: [String: String], cwd: String, timeout: Double,
        logMatched: Bool
    ) async -> Bool {
        switch kind {
        case .log:
            return logMatched
        case .tcp(let target):
            let port = target == 0 ? (port ?? 0) : target
            return await offPool {
                guard let fd = connect(host: "127.0.0.1", port: port, timeout: timeout) else { return false }
                close(fd)
                return true
            }
        case .http(let target):
            var host = "127.0.0.1"
            var path = target
            var targetPort = port ?? 80
            if target.contains("://"), let url = URL(string: target) {
                host = url.host ?? host
                targetPort = url.port ?? (url.scheme == "https" ? 443 : 80)
                path = url.path.isEmpty ? "/" : url.path
                if let query = url.query { path += "?" + query }
            }
            if !path.hasPrefix("/") { path = "/" + path }
            let (address, number, url) = (host, targetPort, path)
            return await offPool {
                httpStatus(host: address, port: number, path: url, timeout: timeout).map {
                    (200..<400).contains($0)
                } ?? false
            }
        case .exec(let command):
            return await run(command, environment: environment, cwd: cwd, timeout: timeout)
        case .unix(let socket):
            let path = SocketPath.resolve(socket, environment: environment, cwd: cwd)
            return await offPool {
                guard let fd = SocketPath.connect(path) else { return false }
                close(fd)
                return true
            }
        case .unixHTTP(let socket, let path):
            let socketPath = SocketPath.resolve(socket, environment: environment, cwd: cwd)
            return await offPool {
                guard let fd = SocketPath.connect(socketPath) else { return false }
                let status = httpStatus(fd: fd, host: "localhost", path: path, timeout: timeout)
                return status.map { (200..<400).contains($0) } ?? false
            }
        case .https(let url, let ca, let insecure):
            let caPath = ca.map { $0.hasPrefix("/") ? $0 : cwd + "/" + $0 }
            return await HTTPSProbe.check(url, ca: caPath, insecure: insecure, timeout: timeout)
        }
    }

    /// Runs blocking work (connect, poll, recv: up to the probe's timeout) on a thread of its
    /// own, never on Swift's cooperative pool, where it would hold up the control socket's
    /// answers (`ps`, `down`) and every other service.
    static func offPool(_ work: @escaping @Sendable () -> Bool) async -> Bool {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }

    /// `sh -c COMMAND` exits 0 within `timeout`.
    static func run(_ command: String, environment: [String: String], cwd: String, timeout: Double) async -> Bool {
        let leader = Shared<pid_t?>(nil)
        let outcome: Bool? = await withTaskGroup(of: Bool?.self) { group in
            group.addTask {
                var options = PlatformOptions()
                options.createSession = true
                do {
                    let result = try await Subprocess.run(
                        .path(FilePath("/bin/sh")), arguments: ["-c", command],
                        environment: .exactly(environment),
                        workingDirectory: FilePath(cwd), platformOptions: options,
                        input: .none, output: .discarded, error: .discarded
                    ) { execution in
                        leader.withLock { $0 = execution.processIdentifier.value }
                    }
                    return result.terminationStatus.isSuccess
                } catch {
                    return false
                }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                return nil
            }
            let first = await group.next() ?? nil
            if first == nil, let pid = leader.value { kill(-pid, SIGKILL) }
            group.cancelAll()
            return first
        }
        return outcome ?? false
    }

    /// A connected TCP socket to `host:port` (IPv4 literal or name), or `nil` within `timeout`.
    static func connect(host: String, port: Int, timeout: Double) -> Int32? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(list) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
            if fd >= 0 {
                let flags = fcntl(fd, F_GETFL)
                _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
                let result = Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
                if result == 0 || errno == EINPROGRESS {
                    var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    if poll(&poller, 1, Int32(timeout * 1000)) == 1 {
                        var error: Int32 = 0
                        var length = socklen_t(MemoryLayout<Int32>.size)
                        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                        if error == 0 && !isSelfConnected(fd) {
                            _ = fcntl(fd, F_SETFL, flags)
                            return fd
                        }
                    }
                }
                close(fd)
            }
            entry = info.pointee.ai_next
        }
        return nil
    }

    /// A connect to a free loopback port in the ephemeral range can pick that very port as its
    /// own and connect to itself (TCP simultaneous open): nothing listens, so it is no answer.
    static func isSelfConnected(_ fd: Int32) -> Bool {
        var local = sockaddr_storage(), peer = sockaddr_storage()
        var localLength = socklen_t(MemoryLayout<sockaddr_storage>.size), peerLength = localLength
        let named = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &localLength) == 0 }
        }
        let peered = withUnsafeMutablePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &peerLength) == 0 }
        }
        guard named, peered, localLength == peerLength else { return false }
        return memcmp(&local, &peer, Int(localLength)) == 0
    }

    /// The status code of `GET path` over HTTP/1.1, or `nil`.
    static func httpStatus(host: String, port: Int, path: String, timeout: Double) -> Int? {
        guard let fd = connect(host: host, port: port, timeout: timeout) else { return nil }
        return httpStatus(fd: fd, host: "\(host):\(port)", path: path, timeout: timeout)
    }

    /// The status code of `GET path` over the connected socket `fd` (closed after), or `nil`.
    static func httpStatus(fd: Int32, host: String, path: String, timeout: Double) -> Int? {
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int32((timeout - Double(Int(timeout))) * 1e6).clamped)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let request = Array(
            "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: slipway-probe\r\nConnection: close\r\n\r\n"
                .utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count
        else { return nil }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while response.count < 64, !response.contains(0x0A) {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response.append(contentsOf: buffer[0..<n])
        }
        let line = String(decoding: response.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/") else { return nil }
        return Int(parts[1])
    }
}

extension Int32 {
    fileprivate var clamped: Int { Int(self) }
}
