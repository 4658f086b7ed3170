import SlipwayCore
import SlipwayManifest

/// Why services could not be started or controlled.
public enum SupervisorError: SlipwayError, Sendable {
    /// `slipway up NAME` named no service of the profile.
    case unknownService(String, known: [String])
    /// `user = NAME` names no account.
    case unknownUser(service: String, user: String)
    /// A service runs as `user`, who cannot enter `folder` on the way to its state folder.
    case stateUnreachable(service: String, user: String, folder: String)
    /// No supervisor answers on the control socket.
    case notRunning(profile: String)
    /// A supervisor for this project and profile is already running.
    case alreadyRunning(profile: String, pid: Int32)
    /// A request to the supervisor failed.
    case control(String)
    /// Services failed to start: name and the last lines of its log.
    case startFailed([(service: String, reason: String, lastLines: [String])])

    public var message: String {
        switch self {
        case .unknownService(let name, _):
            return "no service named '\(name)'"
        case .unknownUser(let service, let user):
            return "service '\(service)': user '\(user)' does not exist on this machine"
        case .stateUnreachable(let service, let user, let folder):
            return "service '\(service)' runs as '\(user)', who cannot enter \(folder) to reach its state folder"
        case .notRunning(let profile):
            return "no supervisor is running for profile '\(profile)'"
        case .alreadyRunning(let profile, let pid):
            return "a supervisor for profile '\(profile)' is already running (pid \(pid))"
        case .control(let text):
            return text
        case .startFailed(let failures):
            return failures.map { f in
                "service '\(f.service)' failed: \(f.reason)"
                    + (f.lastLines.isEmpty
                        ? "" : "\n  last log lines:\n" + f.lastLines.map { "    " + $0 }.joined(separator: "\n"))
            }.joined(separator: "\n")
        }
    }

    public var hint: String? {
        switch self {
        case .unknownService(let name, let known):
            if let near = Spelling.closest(to: name, in: known) { return "did you mean '\(near)'?" }
            return known.isEmpty ? "the profile has no [services]" : "services: \(known.joined(separator: ", "))"
        case .unknownUser: return "create the account (useradd), or remove 'user' to run as yourself"
        case .stateUnreachable(_, _, let folder):
            return "move the project somewhere '\(folder)' does not hide (e.g. /srv or /tmp), or `chmod o+x \(folder)`"
        case .notRunning: return "start it with `slipway up -d`"
        case .alreadyRunning: return "use `slipway ps`, `slipway logs -f` or `slipway down`"
        case .startFailed: return "see `slipway logs SERVICE` for the whole log"
        default: return nil
        }
    }
}
