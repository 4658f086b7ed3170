import Foundation
import SlipwayManifest
import SlipwayCore

/// One host reached over ssh through a single ControlMaster connection.
///
/// Every remote step goes through ``run(_:step:input:timeout:onOutput:)``: the script runs
/// under `sh -c` on the host (wrapped in the target's `sudo` template for a non-root user),
/// with a local timeout. Failures become ``DeployError/step(host:step:command:lines:hint:)``.
public struct SSHConnection: Sendable {
    public let host: DeployHost
    public let settings: DeploySpec.SSH
    public let sudo: [String]?
    /// Folder of the control socket (short: sockets are limited to ~100 bytes).
    public let controlDirectory: String
    let runner: any CommandRunner

    public init(
        host: DeployHost, settings: DeploySpec.SSH, sudo: [String]?, controlDirectory: String,
        runner: any CommandRunner
    ) {
        self.host = host
        self.settings = settings
        self.sudo = sudo
        self.controlDirectory = controlDirectory
        self.runner = runner
    }

    /// Options shared by `ssh` and `NIX_SSHOPTS`, as separate words (no spaces inside one).
    public var options: [String] {
        var words = [
            "-o", "ControlMaster=auto", "-o", "ControlPath=\(controlDirectory)/%C",
            "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=5",
            "-o", "ServerAliveCountMax=3",
        ]
        if let port = host.port { words += ["-p", String(port)] }
        if let identity = settings.identity { words += ["-i", identity, "-o", "IdentitiesOnly=yes"] }
        if let knownHosts = settings.knownHosts { words += ["-o", "UserKnownHostsFile=\(knownHosts)"] }
        for option in settings.options { words += ["-o", option] }
        return words
    }

    /// The ssh argv that runs `script` on the host.
    public func argv(_ script: String, privileged: Bool = true) -> [String] {
        var remote = ["sh", "-c", script]
        if privileged, let sudo, !host.isRoot {
            remote = sudo.flatMap { $0 == "{}" ? remote : [$0] }
        }
        return ["ssh"] + options + [host.destination, "--", ShellQuote.command(remote)]
    }

    /// Runs `script` on the host; throws unless it exits 0.
    @discardableResult
    public func run(
        _ script: String, step: String, input: CommandInput = .none, timeout: Double = 60,
        onOutput: (@Sendable (String) -> Void)? = nil
    ) async throws -> CommandResult {
        let result = try await attempt(script, input: input, timeout: timeout, onOutput: onOutput)
        guard result.succeeded else { throw failure(result, step: step, script: script) }
        return result
    }

    /// Runs `script` and returns how it ended, whatever the status.
    public func attempt(
        _ script: String, input: CommandInput = .none, timeout: Double = 60,
        onOutput: (@Sendable (String) -> Void)? = nil
    ) async throws -> CommandResult {
        try await runner.run(argv(script), environment: [:], input: input, timeout: timeout, onOutput: onOutput)
    }

    /// The error for a failed step, with a hint for ssh's own failures (status 255).
    public func failure(_ result: CommandResult, step: String, script: String) -> DeployError {
        let lines = result.lastLines()
        let firstLine = script.split(separator: "\n").first.map(String.init) ?? script
        return .step(
            host: host.description, step: step, command: firstLine, lines: lines,
            hint: Self.hint(result, lines: lines))
    }

    static func hint(_ result: CommandResult, lines: [String]) -> String? {
        let text = lines.joined(separator: "\n")
        if result.timedOut { return "the host did not answer in time; is it reachable, and is the step stuck?" }
        guard result.status == 255 else { return nil }
        if text.contains("Permission denied") {
            return
                "ssh authentication failed: check the user, [deploy.NAME.ssh] identity and the host's authorized_keys"
        }
        if text.contains("Host key verification failed") {
            return "the host key is unknown or changed: check [deploy.NAME.ssh] known_hosts"
        }
        return "ssh could not reach the host: check the address and port, and that sshd runs there"
    }

    /// Starts the control master (`ssh -M -f -N`, kept 60 s after the last use) that every later
    /// step and `nix copy` reuse. Its output goes to a log file, not to a pipe: a backgrounded
    /// master would otherwise hold the pipe open and the caller would wait for it.
    /// - Throws: ``DeployError/step(host:step:command:lines:hint:)`` at step `connect`.
    public func open() async throws {
        let log =
            controlDirectory + "/" + host.host.filter { $0.isLetter || $0.isNumber || $0 == "." }
            + "-\(host.port ?? 22).log"
        _ = unlink(log)
        let master = ["ssh", "-M", "-f", "-N", "-o", "ControlPersist=60", "-E", log] + options + [host.destination]
        let wrapped = ["/bin/sh", "-c", "exec \"$@\" </dev/null >/dev/null 2>&1", "sh"] + master
        var result = try await runner.run(wrapped, timeout: 30)
        if !result.succeeded {
            result.stderr = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw DeployError.step(
                host: host.description, step: "connect", command: master.joined(separator: " "),
                lines: result.lastLines(), hint: Self.hint(result, lines: result.lastLines()))
        }
    }

    /// Closes the control master (ignoring errors: it may already be gone).
    public func close() async {
        _ = try? await runner.run(["ssh"] + options + ["-O", "exit", host.destination], timeout: 5)
    }
}
