import Foundation

/// Starts `releases/<dir>/activate.sh MODE` on the host as the transient unit
/// `slipway-activate-<target>` (`systemd-run --wait --pipe --collect --service-type=exec`) and
/// relays its `slipway:` progress lines.
struct Activation: Sendable {
    let connection: SSHConnection
    let paths: HostPaths
    let context: DeployContext

    func run(directory: String, mode: String, timeout: Double) async throws -> CommandResult {
        let script = ShellQuote.command([
            "systemd-run", "--wait", "--pipe", "--collect", "--quiet", "--service-type=exec",
            "--unit=\(paths.activationUnit)", "--property=TimeoutStopSec=30",
            "/bin/sh", paths.release(directory) + "/activate.sh", mode,
        ]) + " </dev/null"
        let host = connection.host.description
        let progress = context.progress
        let buffer = LineBuffer()
        let result = try await connection.attempt(script, timeout: timeout) { chunk in
            for line in buffer.append(chunk) where line.hasPrefix("slipway: ") {
                progress("\(host): " + line.dropFirst("slipway: ".count))
            }
        }
        if result.status == 255 || result.timedOut {
            throw connection.failure(result, step: "activate", script: script)
        }
        return result
    }

    /// Exit 0 → deployed; 3 → rolled back; 4 → broken; others → failed before the switch.
    static func outcome(_ result: CommandResult, host: String, release: String, seconds: Double) throws -> DeployOutcome.Host {
        let lines = result.stdout.split(separator: "\n").map(String.init)
            .filter { !$0.hasPrefix("slipway-result:") }.map { $0.hasPrefix("slipway: ") ? String($0.dropFirst(9)) : $0 }
        switch result.status {
        case 0: return .init(host: host, state: .deployed, release: release, seconds: seconds, message: nil)
        case 3: return .init(host: host, state: .rolledBack, release: release, seconds: seconds,
                             message: lines.suffix(25).joined(separator: "\n"))
        case 4: return .init(host: host, state: .broken, release: release, seconds: seconds,
                             message: lines.suffix(25).joined(separator: "\n"))
        default:
            throw DeployError.step(host: host, step: "activate", command: "activate.sh (systemd-run)",
                                   lines: Array((lines + result.lastLines()).suffix(15)),
                                   hint: result.status == 75 ? "another deploy or rollback of this target is running" : nil)
        }
    }
}

/// Splits streamed output into whole lines.
final class LineBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = ""

    func append(_ chunk: String) -> [String] {
        lock.lock(); defer { lock.unlock() }
        pending += chunk
        var lines = pending.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        pending = lines.removeLast()
        return lines
    }
}
