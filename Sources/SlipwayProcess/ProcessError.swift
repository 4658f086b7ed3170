import SlipwayCore

/// Why a process could not be started.
public enum ProcessError: SlipwayError, Sendable, Equatable {
    /// `what` (a program or a role, e.g. "guardian") could not start, for `reason` (strerror text).
    case spawnFailed(String, String)

    public var message: String {
        switch self {
        case .spawnFailed(let what, let reason): return "cannot start \(what): \(reason)"
        }
    }
}
