import Foundation
import Testing

extension Tag {
    /// Drives the built `slipway` binary against real Nix and the offline package set.
    @Tag static var integration: Self
}

/// The repository checkout, found from this file's path.
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// The `slipway` binary under test: `SLIPWAY_BIN`, else `.build/debug/slipway`.
let slipwayBinary: String = ProcessInfo.processInfo.environment["SLIPWAY_BIN"] ?? repositoryRoot + "/.build/debug/slipway"

/// What a finished process printed and how it ended.
struct RunResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `executable` with `arguments` in `directory`, over the test process's environment
/// changed by `environment` (a `nil` value removes the variable).
@discardableResult
func run(
    _ executable: String, _ arguments: [String], in directory: String, environment: [String: String?] = [:],
    stdin: String? = nil
) throws -> RunResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    var env = ProcessInfo.processInfo.environment
    for (name, value) in environment { env[name] = value }
    process.environment = env
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Read both pipes concurrently so a full stderr pipe cannot block the child.
    nonisolated(unsafe) var errData = Data()
    let reader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
    reader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !reader.isFinished { usleep(1000) }
    return RunResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}

/// The `name | line` output lines of one task in `slipway run`'s output, without the prefix.
func lines(_ output: String, of task: String) -> [String] {
    output.split(separator: "\n").compactMap { line in
        let parts = line.split(separator: "|", maxSplits: 1)
        guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == task else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }
}

/// Runs `slipway ARGUMENTS` in `directory`.
@discardableResult
func slipway(_ arguments: [String], in directory: String, environment: [String: String?] = [:], stdin: String? = nil) throws -> RunResult {
    try run(slipwayBinary, arguments, in: directory, environment: environment, stdin: stdin)
}

/// A fresh temporary folder holding a copy of `examples/NAME` (without its `.slipway/`), with
/// `nixpkgs` pointing at the repository's offline set.
func exampleCopy(_ name: String) throws -> String {
    let dir = try temporaryDirectory()
    let source = repositoryRoot + "/examples/" + name
    for item in try FileManager.default.contentsOfDirectory(atPath: source) where item != ".slipway" && item != "slipway.lock" {
        try FileManager.default.copyItem(atPath: source + "/" + item, toPath: dir + "/" + item)
    }
    let manifest = dir + "/slipway.toml"
    let text = try String(contentsOfFile: manifest, encoding: .utf8)
        .replacingOccurrences(of: "\"../../nix/offline\"", with: "\"\(repositoryRoot)/nix/offline\"")
    try text.write(toFile: manifest, atomically: true, encoding: .utf8)
    return dir
}

/// A new empty folder under the system's temporary folder.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "slipway-test-" + UUID().uuidString.prefix(8)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A project folder with `slipway.toml` = `manifest` (`@OFFLINE@` replaced by the offline set).
func project(_ manifest: String) throws -> String {
    let dir = try temporaryDirectory()
    try manifest.replacingOccurrences(of: "@OFFLINE@", with: repositoryRoot + "/nix/offline")
        .write(toFile: dir + "/slipway.toml", atomically: true, encoding: .utf8)
    return dir
}

/// A minimal HTTP/1.0 client over a socket (status code and body), for testing real servers.
/// `form` makes it a POST of `application/x-www-form-urlencoded`.
func http(_ url: String, form: String? = nil) throws -> (Int, String) {
    guard let parsed = URL(string: url), let host = parsed.host, let port = parsed.port else { return (0, "") }
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr(host)
    address.sin_port = UInt16(port).bigEndian
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return (0, "") }
    var request = "\(form == nil ? "GET" : "POST") \(parsed.path.isEmpty ? "/" : parsed.path) HTTP/1.0\r\nHost: \(host):\(port)\r\n"
    if let form {
        request += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\n\r\n\(form)"
    } else {
        request += "\r\n"
    }
    _ = Array(request.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
    var response = Data()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        response.append(contentsOf: buffer[0..<n])
    }
    let text = String(decoding: response, as: UTF8.self)
    let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
    let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
    return (status, body)
}

/// GETs `url` every 100 ms until it answers 200, for at most `tries` attempts; the last answer
/// (status 0 when nothing listens yet).
func waitForHTTP(_ url: String, tries: Int = 100) throws -> (Int, String) {
    var answer = (0, "")
    for _ in 0..<tries {
        answer = try http(url)
        if answer.0 == 200 { break }
        usleep(100_000)
    }
    return answer
}

/// Runs a command whose children may outlive it holding inherited descriptors (e.g. `podman run
/// -d`, whose conmon stays): spawned with posix_spawn, every descriptor above 2 closed, output to
/// files, and reaped with waitpid, so nothing waits for an end of file that never comes.
func runToFiles(_ executable: String, _ arguments: [String], in directory: String) throws -> RunResult {
    let out = directory + "/.run-\(UUID().uuidString.prefix(8)).out"
    let err = out + ".err"
    defer { unlink(out); unlink(err) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
    }
    let argv = (["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory, executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ)
    guard spawned == 0 else { return RunResult(status: 127, stdout: "", stderr: String(cString: strerror(spawned))) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return RunResult(status: code, stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                     stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
}

/// The store paths of the closure of `profile`'s environment, as the cache in `dir` records them.
func environmentClosure(_ dir: String, profile: String) throws -> [String] {
    let cache = try #require(FileManager.default.contents(atPath: dir + "/.slipway/cache/env-\(profile).json"))
    let object = try #require(try JSONSerialization.jsonObject(with: cache) as? [String: Any])
    let build = try #require(object["build"] as? [String: Any])
    return try #require(build["closure"] as? [[String: Any]]).compactMap { $0["path"] as? String }
}

/// nix/offline/check-closure.sh on `paths`: status 0 when every ELF file resolves into the store only.
func checkClosure(_ paths: [String], in dir: String) throws -> RunResult {
    try run("/bin/bash", [repositoryRoot + "/nix/offline/check-closure.sh"] + paths, in: dir)
}

/// The port `slipway ps --json` reports for `service` of the project in `dir`.
func servicePort(_ dir: String, _ service: String) throws -> Int {
    let ps = try slipway(["ps", "--json"], in: dir)
    let status = try #require(try JSONSerialization.jsonObject(with: Data(ps.stdout.utf8)) as? [String: Any])
    let services = try #require(status["services"] as? [[String: Any]])
    return try #require(services.first { $0["name"] as? String == service }?["port"] as? Int)
}
