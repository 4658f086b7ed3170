import SlipwayCore

/// Why a deploy, rollback or query did not end where the user asked.
///
/// Every case names the host, the step and the command, with the last lines it printed; none
/// carries a secret value (secret names only).
public enum DeployError: SlipwayError, Sendable {
    /// A step on a host failed: `step` is the protocol step (`connect`, `transfer`, `activate`…).
    case step(host: String, step: String, command: String, lines: [String], hint: String?)
    /// A secret could not be resolved on the deploying machine.
    case secret(name: String, reason: String)
    /// The release could not be built or found.
    case release(String)
    /// The host has no release with this id (rollback `--to`), or none to go back to.
    case noRelease(host: String, reason: String)
    /// Hosts not reached because an earlier host failed.
    case stopped(failed: String, skipped: [String])
    /// Several hosts ended in a bad state; the summary is one line per host.
    case hosts([String])

    public var message: String {
        switch self {
        case .step(let host, let step, let command, let lines, _):
            var text = "deploy failed on \(host) at step '\(step)'\n  command: \(command)"
            if !lines.isEmpty { text += "\n" + lines.map { "  | " + $0 }.joined(separator: "\n") }
            return text
        case .secret(let name, let reason):
            return "secret \(name): \(reason)"
        case .release(let reason):
            return "cannot make the release: \(reason)"
        case .noRelease(let host, let reason):
            return "\(host): \(reason)"
        case .stopped(let failed, let skipped):
            return "\(failed) failed; not deployed: \(skipped.joined(separator: ", "))"
        case .hosts(let lines):
            return lines.joined(separator: "\n")
        }
    }

    public var hint: String? {
        switch self {
        case .step(_, _, _, _, let hint): hint
        case .secret: "secrets are read on this machine at deploy time; see [deploy.NAME.secrets] in docs/manifest.md"
        case .noRelease: "`slipway releases NAME` lists the releases each host keeps"
        default: nil
        }
    }
}
