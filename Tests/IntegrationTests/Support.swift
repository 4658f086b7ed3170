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
