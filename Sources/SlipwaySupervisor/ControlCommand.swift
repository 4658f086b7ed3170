/// What a request on the control socket asks of a running supervisor. On the wire it is the
/// request's `"command"` string (`{"command":"start","service":"db"}`).
public enum ControlCommand: String, Codable, Sendable, CaseIterable {
    /// The state of every service (`slipway ps`).
    case ps
    /// Start one service and what it depends on.
    case start
    /// Stop one service (its stop signal, then SIGKILL after `stop_timeout`).
    case stop
    /// Stop, then start one service.
    case restart
    /// Stop everything and exit (`slipway down`).
    case down

    /// Whether the request must name a service.
    public var needsService: Bool {
        switch self {
        case .start, .stop, .restart: true
        case .ps, .down: false
        }
    }
}
