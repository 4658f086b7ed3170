import Foundation
import Synchronization
import Subprocess
import SystemPackage

/// The real ``CommandRunner``: starts the program with swift-subprocess, in its own session,
/// and kills it (SIGKILL to its group) when the timeout passes.
public struct ProcessRunner: CommandRunner {
    public init() {}

    public func run(
        _ argv: [String], environment: [String: String], input: CommandInput, timeout: Double,
        onOutput: (@Sendable (String) -> Void)?
    ) async throws -> CommandResult {
        guard let program = argv.first else { return CommandResult(status: 127, stdout: "", stderr: "no program") }
        let pid = PidCell()
        return try await withThrowingTaskGroup(of: CommandResult?.self) { group in
            group.addTask {
                try await Self.execute(program, Array(argv.dropFirst()), environment, input, pid, onOutput)
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                return nil
            }
            let first = try await group.next() ?? nil
            if first == nil, let id = pid.value { kill(-id, SIGKILL) }
            group.cancelAll()
            if let first { return first }
            _ = try? await group.next()
            return CommandResult(status: nil, stdout: "", stderr: "timed out after \(Int(timeout)) s", timedOut: true)
        }
    }

    private static func execute(
        _ program: String, _ arguments: [String], _ environment: [String: String], _ input: CommandInput,
        _ pid: PidCell, _ onOutput: (@Sendable (String) -> Void)?
    ) async throws -> CommandResult {
        var options = PlatformOptions()
        options.createSession = true
        var updates: [Environment.Key: String?] = [:]
        for (key, value) in environment { if let key = Environment.Key(rawValue: key) { updates[key] = value } }
        let (inputFD, writer) = try Self.input(input)
        let result = try await Subprocess.run(
            program.contains("/") ? .path(FilePath(program)) : .name(program), arguments: Arguments(arguments),
            environment: .inherit.updating(updates),
            platformOptions: options,
            input: .fileDescriptor(FileDescriptor(rawValue: inputFD), closeAfterSpawningProcess: true),
            output: .sequence, error: .sequence
        ) { execution in
            pid.set(execution.processIdentifier.value)
            let stdout = execution.standardOutput
            let stderr = execution.standardError
            async let out = Self.collect(stdout, onOutput)
            async let err = Self.collect(stderr, nil)
            return await (out, err)
        }
        let writeError = await writer?.value
        if let writeError, case .exited(0) = result.terminationStatus { throw writeError }
        let status: Int32? = if case .exited(let code) = result.terminationStatus { code } else { nil }
        return CommandResult(status: status, stdout: result.closureResult.0, stderr: result.closureResult.1)
    }

    /// A pipe whose read end becomes the child's stdin, and the task that fills the write end
    /// (`/dev/null` for no input).
    private static func input(_ input: CommandInput) throws -> (Int32, Task<Error?, Never>?) {
        let body: @Sendable (Int32) throws -> Void
        switch input {
        case .none:
            let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            return (fd, nil)
        case .bytes(let bytes):
            body = { fd in try Self.writeAll(fd, bytes) }
        case .stream(let writer): body = writer
        }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        let writeEnd = fds[1]
        let task = Task.detached { () -> Error? in
            defer { close(writeEnd) }
            do {
                try body(writeEnd)
                return nil
            } catch { return error }
        }
        return (fds[0], task)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw POSIXError(.init(rawValue: errno) ?? .EIO)
            }
            offset += n
        }
    }

    private static func collect(_ stream: SubprocessOutputSequence, _ onOutput: (@Sendable (String) -> Void)?) async
        -> String
    {
        var bytes: [UInt8] = []
        do {
            for try await chunk in stream {
                let part = chunk.withUnsafeBytes { Array($0) }
                bytes += part
                onOutput?(String(decoding: part, as: UTF8.self))
            }
        } catch {}
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The child's pid, set once it runs, read by the timeout.
final class PidCell: Sendable {
    private let pid = Mutex<pid_t?>(nil)
    func set(_ value: pid_t) { pid.withLock { $0 = value } }
    var value: pid_t? { pid.withLock { $0 } }
}
