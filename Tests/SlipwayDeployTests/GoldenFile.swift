import Foundation
import Testing

/// Golden files under `Tests/SlipwayDeployTests/Golden/`, read from the source tree. After an
/// intended change, rewrite them and review the diff:
///
///     SLIPWAY_UPDATE_GOLDEN=1 swift test --skip-build --filter SlipwayDeployTests
///
/// With the variable set the test writes the file and then still fails, so a CI run that has it
/// set cannot pass by rewriting its own expectations.
enum GoldenFile {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// A file of `Tests/Support/`.
    static func support(_ name: String) -> String {
        folder.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Support")
            .appendingPathComponent(name).path
    }

    static func expectMatches(_ rendered: String, _ name: String) throws {
        if ProcessInfo.processInfo.environment["SLIPWAY_UPDATE_GOLDEN"] == "1" {
            try rendered.write(toFile: path(name), atomically: true, encoding: .utf8)
            Issue.record("rewrote golden \(name); run again without SLIPWAY_UPDATE_GOLDEN")
            return
        }
        let golden = try String(contentsOfFile: path(name), encoding: .utf8)
        #expect(rendered == golden, "\(name) differs from the rendered output (see GoldenFile.swift)")
    }
}

/// Runs a program from `PATH` with arguments; exit status, stdout and stderr.
func runProgram(_ program: String, _ arguments: [String], input: String? = nil) throws -> (Int32, String, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [program] + arguments
    let out = Pipe()
    let err = Pipe()
    let inPipe = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
    try process.run()
    if let input {
        inPipe.fileHandleForWriting.write(Data(input.utf8))
        try inPipe.fileHandleForWriting.close()
    }
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

/// Writes `text` to a new temporary file and returns its path.
func temporaryFile(_ text: String, suffix: String) throws -> String {
    let path = NSTemporaryDirectory() + "slipway-test-\(UUID().uuidString)\(suffix)"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
