/// The state of one service, as `slipway ps` shows it.
public enum ServiceState: String, Codable, Sendable {
    /// Waiting for its dependencies.
    case pending
    /// Running its setup, or started and not yet ready.
    case starting
    /// Its readiness probe passed.
    case ready
    /// Running, with no readiness probe.
    case running
    /// Exited with status 0 and will not restart.
    case exited
    /// Exited non-zero, never became ready, or gave up restarting.
    case failed
    /// Waiting out the backoff before the next start.
    case restarting
    /// Stopping or stopped on request.
    case stopped
}

/// One row of `slipway ps --json`.
public struct ServiceStatus: Codable, Sendable {
    public var name: String
    public var pid: Int32?
    public var state: ServiceState
    public var restarts: Int
    public var port: Int?
    /// Seconds since the current process started, when running.
    public var uptime: Double?
    /// Last exit status, if any (negative: killed by that signal).
    public var exitStatus: Int32?
    /// Why the service failed, when it did.
    public var reason: String?
}

/// The answer of `slipway ps --json`.
public struct SupervisorStatus: Codable, Sendable {
    public var supervisorPid: Int32
    public var profile: String
    public var services: [ServiceStatus]
}
