import Foundation
import SlipwayCore
import Testing

extension Tag {
    /// Boots real target hosts (systemd as PID 1, sshd on 127.0.0.x) with `scripts/deploy-target`.
    @Tag static var deploy: Self
}

/// `scripts/deploy-target` of this checkout.
let deployTargetScript = repositoryRoot + "/scripts/deploy-target"

/// The target image, built once per machine (~4 min on a fresh one, then cached). When it cannot
/// be built (no debootstrap, no network to Debian's mirror, not root) every deploy test fails
/// with the script's message: they never pass silently.
let deployTargetImage: Result<String, DeployTargetError> = {
    let result: RunResult
    do { result = try runToFiles("/bin/bash", [deployTargetScript, "image"], in: repositoryRoot) } catch {
        return .failure(DeployTargetError(message: "cannot run scripts/deploy-target: \(error)"))
    }
    guard result.status == 0 else {
        return .failure(DeployTargetError(message: """
            THE DEPLOY TESTS CANNOT RUN HERE: the target image could not be built \
            (scripts/deploy-target image exited \(result.status)):
            \(result.stderr)
            """))
    }
    return .success(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
}()

struct DeployTargetError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The first three octets of the test targets' addresses: `127.0.0` for the default state folder,
/// another `127.0.N` for any other `SLIPWAY_TARGET_DIR`, so two test runs with their own folders
/// on one machine do not take each other's addresses. Suites use `.100` and above; keep hand-made
/// targets below.
let deployTargetNetwork: String = {
    guard let dir = ProcessInfo.processInfo.environment["SLIPWAY_TARGET_DIR"],
          dir != "/var/lib/slipway-test/targets" else { return "127.0.0" }
    return "127.0.\(1 + dir.utf8.reduce(0) { ($0 * 31 + Int($1)) % 250 })"
}()

/// One booted target host: a podman container with systemd as PID 1 and sshd on `address:port`,
/// in the machine's network namespace (so its `127.0.0.1:PORT` is the test's too).
struct DeployTarget {
    let name: String
    let address: String
    let port: Int
    /// `root@ADDRESS:PORT`, as a manifest's `hosts` entry.
    var host: String { "root@\(address):\(port)" }

    /// Boots a fresh target (any old one of that name is thrown away); fails the test loudly
    /// when the image cannot be built or the target does not come up.
    static func boot(_ name: String, address: String, port: Int = 2222, privileged: Bool) throws -> DeployTarget {
        _ = try deployTargetImage.get()
        var arguments = [deployTargetScript, "boot", name, "--address", address, "--port", String(port)]
        if privileged { arguments.append("--privileged") }
        // podman run -d leaves conmon holding inherited descriptors: runToFiles, not run.
        let result = try runToFiles("/bin/bash", arguments, in: repositoryRoot)
        guard result.status == 0 else {
            throw DeployTargetError(message: "target \(name) did not boot:\n\(result.stderr)")
        }
        return DeployTarget(name: name, address: address, port: port)
    }

    /// Runs a shell command on the target as root.
    @discardableResult
    func ssh(_ command: String) throws -> RunResult {
        try run("/bin/bash", [deployTargetScript, "ssh", name, "--", command], in: repositoryRoot)
    }

    /// The trimmed stdout of `command` on the target.
    func output(_ command: String) throws -> String {
        try ssh(command).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func stop() {
        _ = try? run("/bin/bash", [deployTargetScript, "stop", name], in: repositoryRoot)
    }

    /// The client's private key and known-hosts file, for a manifest's `[deploy.NAME.ssh]`.
    static var sshTable: String {
        let dir = ProcessInfo.processInfo.environment["SLIPWAY_TARGET_DIR"] ?? "/var/lib/slipway-test/targets"
        return """
            [deploy.web.ssh]
            identity = "\(dir)/id_ed25519"
            known_hosts = "\(dir)/known_hosts"
            """
    }
}

/// A free TCP port on 127.0.0.1 (bound and released), for a release's HTTP server.
func freeLoopbackPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            _ = bind(fd, pointer, length)
            return getsockname(fd, pointer, &length)
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Polls `condition` every 100 ms until it holds or `seconds` pass; true when it held.
func eventually(within seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    repeat {
        if try condition() { return true }
        usleep(100_000)
    } while Date() < deadline
    return false
}

/// `slipway releases web --json` of `dir`, decoded (contract: target, hosts[].current/previous/releases).
func releasesJSON(_ dir: String) throws -> [[String: Any]] {
    let result = try slipway(["releases", "web", "--json"], in: dir)
    #expect(result.status == 0, "slipway releases: \(result.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                              "releases --json printed no JSON object: \(result.stdout)")
    #expect(object["target"] as? String == "web")
    return try #require(object["hosts"] as? [[String: Any]], "releases --json has no hosts: \(result.stdout)")
}

/// Starts `slipway ARGUMENTS` in `directory` without waiting (for killing it mid-activation).
func startSlipway(_ arguments: [String], in directory: String, environment: [String: String?]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: slipwayBinary)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    var env = ProcessInfo.processInfo.environment
    for (name, value) in environment { env[name] = value }
    process.environment = env
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
    process.standardError = FileHandle(forWritingAtPath: "/dev/null")
    try process.run()
    return process
}

/// Pids of the direct children of `pid` (from /proc/PID/stat's ppid field).
func childProcesses(of pid: Int32) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(Int32.init).filter { child in
        guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
              let close = stat.range(of: ")", options: .backwards) else { return false }
        let fields = stat[close.upperBound...].split(separator: " ")
        return fields.count > 2 && Int32(fields[1]) == pid
    }
}

/// Runs `body` holding an flock(2) on `$TMPDIR/slipway-fixed-ports.lock`, for tests that bind the
/// guestbook's fixed ports (8080, 9000, 5432, 6379): suites run in parallel, and other test
/// processes on the machine take the same lock.
func holdingFixedPorts<T>(_ body: () throws -> T) throws -> T {
    let lock = try FileLock(path: NSTemporaryDirectory() + "slipway-fixed-ports.lock")
    defer { lock.release() }
    return try body()
}
