/// What happened to one task of a run.
public struct TaskOutcome: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case succeeded
        case failed
        /// Inputs and outputs unchanged since the last success.
        case skipped
        /// A dependency failed (or the run was interrupted) before it could start.
        case notRun = "not-run"
        /// Stopped by Ctrl-C / SIGTERM while running.
        case cancelled
    }

    public var name: String
    public var status: Status
    /// The exit status of `sh -c` (128 + N when killed by signal N), when it ran.
    public var exitCode: Int32?
    /// Wall-clock seconds.
    public var seconds: Double
    /// Why it failed or did not run.
    public var reason: String?
    /// Absolute paths of the JUnit XML files the task left.
    public var reports: [String] = []
    /// Totals and failing tests of those reports.
    public var junit: JUnitReport?
}

/// Starts (and later stops) the services tasks declare.
public protocol TaskServices: Sendable {
    /// Makes sure `services` are up and ready (starting them if needed).
    /// - Throws: when one cannot start; the task then fails without running.
    func acquire(_ services: [String]) async throws
    /// No remaining task of the run needs `services`: stop those this run started.
    func release(_ services: [String]) async
}
