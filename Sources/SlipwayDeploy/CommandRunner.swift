import Foundation

/// What a local program (`ssh`, `nix`) is given on its standard input.
public enum CommandInput: Sendable {
    case none
    /// Bytes written whole; used for files sent over ssh (`cat > FILE`), so secrets never go in argv.
    case bytes([UInt8])
    /// A writer that streams into the given file descriptor (an image archive into `podman load`).
    /// The runner closes the descriptor when the writer returns.
    case stream(@Sendable (Int32) throws -> Void)
}

/// How one program ended.
public struct CommandResult: Sendable, Hashable {
    /// Exit status; `nil` when killed by a signal or by the runner's timeout.
    public var status: Int32?
    public var stdout: String
    public var stderr: String
    /// The runner stopped it after its timeout.
    public var timedOut = false

    public init(status: Int32?, stdout: String, stderr: String, timedOut: Bool = false) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.timedOut = timedOut
    }

    public var succeeded: Bool { status == 0 && !timedOut }

    /// The last `count` non-empty lines of stderr (else stdout), for error messages.
    public func lastLines(_ count: Int = 12) -> [String] {
        let text = stderr.contains(where: { !$0.isWhitespace }) ? stderr : stdout
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        return Array(lines.filter { !$0.isEmpty }.suffix(count))
    }
}

/// Runs local programs; the deploy's only way to reach a host (`ssh`) or Nix (`nix copy`).
///
/// The real runner is ``ProcessRunner``; tests swap in a scripted one.
public protocol CommandRunner: Sendable {
    /// Runs `argv` (`argv[0]` looked up on `PATH`) with `environment` added to the inherited one.
    ///
    /// - Parameters:
    ///   - timeout: seconds; the program is killed after it and the result says `timedOut`.
    ///   - onOutput: called with each chunk of stdout as it arrives (activation progress), if given.
    /// - Throws: when the program cannot be started.
    func run(
        _ argv: [String], environment: [String: String], input: CommandInput, timeout: Double,
        onOutput: (@Sendable (String) -> Void)?
    ) async throws -> CommandResult
}

extension CommandRunner {
    public func run(
        _ argv: [String], environment: [String: String] = [:], input: CommandInput = .none,
        timeout: Double
    ) async throws -> CommandResult {
        try await run(argv, environment: environment, input: input, timeout: timeout, onOutput: nil)
    }
}
