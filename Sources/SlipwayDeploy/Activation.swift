import Foundation
import Synchronization
import SlipwayCore

/// Starts `releases/<dir>/activate.sh MODE` on the host as the transient unit
/// `slipway-activate-<target>` (`systemd-run --wait --pipe --collect --service-type=exec`) and
/// relays its `slipway:` progress lines.
struct Activation: Sendable {
    let connection: SSHConnection
    let paths: HostPaths
    let context: DeployContext

    func run(directory: String, mode: String, timeout: Double) async throws -> CommandResult {
        let script =
            ShellQuote.command([
                "systemd-run", "--wait", "--pipe", "--collect", "--quiet", "--service-type=exec",
                "--unit=\(paths.activationUnit)", "--property=TimeoutStopSec=30",
                "/bin/sh", paths.release(directory) + "/activate.sh", mode,
            ]) + " </dev/null; echo \"slipway-exit: $?\""
        let host = connection.host.description
        let progress = context.progress
        let buffer = LineBuffer()
        var result = try await connection.attempt(script, timeout: timeout) { chunk in
            for line in buffer.append(chunk) where line.hasPrefix("slipway: ") {
                progress("\(host): " + line.dropFirst("slipway: ".count))
            }
        }
        guard let marker = result.stdout.split(separator: "\n").last(where: { $0.hasPrefix("slipway-exit: ") }),
            let status = Int32(marker.dropFirst("slipway-exit: ".count))
        else {
            progress("\(host): lost the connection during the activation; it goes on on the host, waiting for its end")
            return try await recover(directory: directory, lost: result, timeout: timeout)
        }
        result.status = status
        return result
    }

    /// After the connection dropped: reconnect, wait for the activation unit to end, read the
    /// release's `result` (`healthy` → 0, `rolled-back` → 3, `stopped` → 6, `not-switched` → 8,
    /// else 4: broken or unknown).
    func recover(directory: String, lost: CommandResult, timeout: Double) async throws -> CommandResult {
        try await connection.open()
        let resultFile = paths.release(directory) + "/result"
        let script =
            "i=0; while systemctl is-active --quiet \(paths.activationUnit).service && [ $i -lt \(Int(timeout)) ]; "
            + "do sleep 1; i=$((i+1)); done; (cat \(resultFile) 2>/dev/null || echo unknown) | head -n 1; "
            + "cat \(paths.release(directory))/activation.log"
        let result = try await connection.run(script, step: "activate (reconnected)", timeout: timeout + 30)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let status: Int32 =
            switch lines.first {
            case "healthy": 0
            case "rolled-back": 3
            case "stopped": 6
            case "not-switched": 8
            default: 4  // rollback-failed, or the activation ended without a result: not known to be good
            }
        return CommandResult(
            status: status, stdout: lines.dropFirst().map { "slipway: " + $0 }.joined(separator: "\n"),
            stderr: lost.stderr)
    }

    static func hint(_ status: Int32?) -> String? {
        switch status {
        case 75: "another deploy or rollback of this target is running"
        case 6: "this was the first release on the host: there is nothing to go back to, so its units are stopped"
        case 5: "the release is not complete on the host; deploy again"
        case 8: "the dead-man timer could not be armed (systemd-run failed), so nothing was switched"
        default: nil
        }
    }

    /// Exit 0 → deployed; 3 → rolled back; 4 → broken; others (5, 6, 75) → failed.
    static func outcome(_ result: CommandResult, host: String, release: String, seconds: Double) throws
        -> DeployOutcome.Host
    {
        let lines = result.stdout.split(separator: "\n").map(String.init)
            .filter { !$0.hasPrefix("slipway-result:") && !$0.hasPrefix("slipway-exit:") }.map {
                $0.hasPrefix("slipway: ") ? String($0.dropFirst(9)) : $0
            }
        switch result.status {
        case 0: return .init(host: host, state: .deployed, release: release, seconds: seconds, message: nil)
        case 3:
            return .init(
                host: host, state: .rolledBack, release: release, seconds: seconds,
                message: lines.suffix(25).joined(separator: "\n"))
        case 4:
            return .init(
                host: host, state: .broken, release: release, seconds: seconds,
                message: lines.suffix(25).joined(separator: "\n"))
        default:
            let errors = result.stderr.split(separator: "\n").map(String.init)
            throw DeployError.step(
                host: host, step: "activate", command: "activate.sh (systemd-run)",
                lines: Array((lines + errors).suffix(25)),
                hint: hint(result.status))
        }
    }
}

/// Splits streamed output into whole lines.
final class LineBuffer: Sendable {
    private let pending = Mutex("")

    func append(_ chunk: String) -> [String] {
        pending.withLock { pending in
            pending += chunk
            var lines = pending.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            pending = lines.removeLast()
            return lines
        }
    }
}
