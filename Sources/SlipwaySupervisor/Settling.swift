/// When a service has settled after a start: the one rule `up -d`, `slipway start`, task runs
/// and the in-process supervisor use, and the one polling loop they wait with.
public enum Settling {
    public enum Verdict: Sendable, Equatable {
        /// Still on its way (pending, starting, restarting; stopped while a start is asked).
        case pending
        /// Ready, running (a service without a readiness probe) for long enough
        /// (``minimumRun``, ``minimumRunAfterRestart``), or exited with status 0.
        case settled
        /// Failed, with the supervisor's reason.
        case failed(String)
    }

    /// How long a service without a readiness probe must have run before it counts as started,
    /// in seconds: a command that fails at once is then seen failing, not reported as running.
    public static let minimumRun = 0.2
    /// The same after a restart: a service that crashed must stay up this long (or use up its
    /// restarts and fail), so `up -d` does not report a crash loop as running.
    public static let minimumRunAfterRestart = 2.0

    /// The verdict on one service's row (`nil`: the supervisor does not list it yet).
    /// - Parameter stoppedFails: whether `stopped` counts as a failure (a task that needs the
    ///   service) rather than as not started yet.
    public static func verdict(_ row: ServiceStatus?, stoppedFails: Bool = false) -> Verdict {
        guard let row else { return .pending }
        switch row.state {
        case .running where (row.uptime ?? 0) < (row.restarts > 0 ? minimumRunAfterRestart : minimumRun):
            return .pending
        case .ready, .exited, .running: return .settled
        case .failed: return .failed(row.reason ?? "failed")
        case .stopped where stoppedFails: return .failed(row.reason ?? "stopped")
        case .pending, .starting, .restarting, .stopped: return .pending
        }
    }

    /// The verdict on several services: failed ones (with reasons) as soon as any failed, else
    /// pending while one is, else settled.
    public static func verdict(
        _ rows: [ServiceStatus], services: [String]
    ) -> (pending: Bool, failed: [(String, String)]) {
        var pending = false
        var failed: [(String, String)] = []
        for name in services {
            switch verdict(rows.first { $0.name == name }) {
            case .settled: continue
            case .pending: pending = true
            case .failed(let reason): failed.append((name, reason))
            }
        }
        return (pending, failed)
    }

    /// Calls `check` every `interval` until it returns a value, or `timeout` (if any) has passed.
    /// - Returns: `check`'s value, or `nil` on timeout.
    /// - Throws: what `check` throws, or `CancellationError` when the task is cancelled.
    public static func poll<Value>(
        every interval: Duration, timeout: Duration? = nil, isolation: isolated (any Actor)? = #isolation,
        _ check: () async throws -> Value?
    ) async throws -> Value? {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        while true {
            if let value = try await check() { return value }
            if let deadline, clock.now >= deadline { return nil }
            try await Task.sleep(for: interval)
        }
    }
}
