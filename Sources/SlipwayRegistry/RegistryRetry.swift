/// How the registry client retries and when it gives up: the one place these numbers live
/// (docs/cli.md and docs/reliability.md quote them; `RegistryRetryTests` checks that they do).
///
/// A step is one request, or one upload's `POST` + `PUT`, or one chunk's `PATCH` (with the
/// `GET` that asks where the upload is). A step that gets a 5xx, a 429, a dropped connection or
/// a timeout is tried again after a jittered wait, up to ``attempts`` times. Independently, when
/// the registry has given no HTTP answer at all for ``noAnswerLimit``, the push fails at once
/// with "no answer from HOST" (a registry that accepts connections but never answers).
public struct RegistryRetry: Sendable, Equatable {
    /// Tries per step. 16 gets a push through a registry that fails half of its requests
    /// (a step fails with probability 2⁻¹⁶), while a registry that only answers 503 is reported
    /// within ``worstCaseWait`` (23.1 s of waits at most).
    public static let defaultAttempts = 16

    /// Tries per step.
    public var attempts = Self.defaultAttempts
    /// The ceiling of the first wait; it doubles after each failure, up to ``maxDelay``.
    public var firstDelay: Duration = .milliseconds(100)
    /// The largest ceiling of a wait.
    public var maxDelay: Duration = .seconds(2)
    /// A request without an upload body must be answered within this (connect, send, answer);
    /// an upload body must keep moving (no write stalls longer than this) and be answered
    /// within this once sent.
    public var requestTimeout: Duration = .seconds(20)
    /// No HTTP answer at all (of any status) for this long fails the push: 25 s.
    public var noAnswerLimit: Duration = .seconds(25)

    public init() {}

    /// The wait after the `failures`-th failure of a step (1-based): uniform in
    /// `[0, min(firstDelay · 2^(failures-1), maxDelay)]` ("full jitter", so clients that failed
    /// together do not come back together).
    /// - Parameter unit: a number in `[0, 1]`; random unless a test gives one.
    public func delay(afterFailure failures: Int, unit: Double = Double.random(in: 0...1)) -> Duration {
        let ceiling = min(firstDelay * (1 << min(max(failures - 1, 0), 20)), maxDelay)
        return ceiling * min(max(unit, 0), 1)
    }

    /// The longest a step can spend waiting between its tries (every wait at its ceiling).
    public var worstCaseWait: Duration {
        (1..<attempts).reduce(Duration.zero) { $0 + delay(afterFailure: $1, unit: 1) }
    }
}
