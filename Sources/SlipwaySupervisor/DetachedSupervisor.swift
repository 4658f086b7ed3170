import Foundation
import SlipwayCore
import SlipwayManifest
import SlipwayProcess

/// `slipway up -d`: the supervisor started as `slipway up --supervise` in a session of its
/// own, its output in `<logs>/supervisor.log`, and the waits for it and its services.
public struct DetachedSupervisor: Sendable {
    public let layout: ProjectLayout
    public let profile: String
    /// The profile's services.
    public let services: [ServiceSpec]
    /// Services to start (with what they depend on); empty: all.
    public let requested: [String]
    /// Passed on as `--pure` (`true`) or `--impure` (`false`); `nil`: the profile decides.
    public let purity: Bool?
    /// Each service log's size when this was made: error messages quote only lines written since
    /// (not an earlier run's).
    let logOffsets: [String: UInt64]

    public init(
        layout: ProjectLayout, profile: String, services: [ServiceSpec], requested: [String], purity: Bool? = nil
    ) {
        self.layout = layout
        self.profile = profile
        self.services = services
        self.requested = requested
        self.purity = purity
        let logs = layout.serviceLogDir(profile: profile)
        logOffsets = Dictionary(services.compactMap { spec in LogTail.fileSize(logs + "/\(spec.name).log").map { (spec.name, $0) } },
                                uniquingKeysWith: { a, _ in a })
    }

    public var client: ControlClient { ControlClient(path: layout.controlSocket(profile: profile)) }
    private var logDirectory: String { layout.serviceLogDir(profile: profile) }

    /// Starts the supervisor and returns once it answers on its control socket.
    /// - Parameter spawned: told the supervisor's pid as soon as it exists (before it answers).
    /// - Throws: ``SupervisorError/unknownUser(service:user:)`` before anything starts when a
    ///   service's `user` does not exist; ``SupervisorError/startFailed(_:)`` with the log's last
    ///   lines when it exits first or has no socket after 60 s; ``ProcessError/spawnFailed(_:_:)``;
    ///   what `spawned` throws.
    public func start(spawned: (pid_t) throws -> Void = { _ in }) async throws {
        try ServiceAccounts.check(ServiceOrder.startOrder(services, requested: requested))
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        let logPath = logDirectory + "/supervisor.log"
        let log = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else { throw ProcessError.spawnFailed("supervisor", "cannot open \(logPath)") }
        defer { close(log) }
        let purityFlag = purity.map { [$0 ? "--pure" : "--impure"] } ?? []
        let arguments = [Spawn.currentExecutable(), "up", "--supervise", "--profile", profile,
                         "--manifest", layout.manifest] + purityFlag + requested
        let pid = try Spawn.detached(arguments, stdin: -1, stdout: log, stderr: log, environment: nil)
        try spawned(pid)
        let client = self.client
        let answered = try await Settling.poll(every: .milliseconds(5), timeout: .seconds(60)) { () -> Bool? in
            if client.isAlive { return true }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let tail = LogTail.lastLines(of: logPath, count: 20)
                throw SupervisorError.startFailed([("supervisor", "exited before it was ready", tail)])
            }
            return nil
        }
        if answered == nil {
            let tail = LogTail.lastLines(of: logPath, count: 20)
            throw SupervisorError.startFailed([("supervisor", "no control socket after 60s", tail)])
        }
    }

    /// Waits until every requested service is ready, running or exited 0.
    /// - Parameters:
    ///   - shouldStop: polled while waiting: `true` gives up (Ctrl-C of a task run).
    ///   - onFailure: shown the last status before a failure is thrown.
    /// - Returns: the status once settled.
    /// - Throws: ``SupervisorError/startFailed(_:)`` naming the failed (or, after their start
    ///   timeouts and restarts plus slack, the still waiting) services with their last log lines.
    public func waitUntilSettled(
        shouldStop: @Sendable () -> Bool = { false }, onFailure: (SupervisorStatus) -> Void = { _ in }
    ) async throws -> SupervisorStatus? {
        let specs = ServiceOrder.startOrder(services, requested: requested)
        let names = specs.map(\.name)
        let limit = Self.patience(specs)
        var status: SupervisorStatus?
        let settled = try await Settling.poll(every: .milliseconds(5), timeout: limit) { () -> Bool? in
            if shouldStop() { throw SupervisorError.startFailed([("services", "interrupted while starting", [])]) }
            status = try client.send(.init(command: .ps)).status
            let (pending, failed) = Settling.verdict(status?.services ?? [], services: names)
            if !failed.isEmpty {
                if let status { onFailure(status) }
                throw SupervisorError.startFailed(failed.map { ($0.0, $0.1, lastLines(of: $0.0)) })
            }
            return pending ? nil : true
        }
        if settled == nil {
            let waiting = names.filter { name in
                !(status?.services.contains { $0.name == name && [.ready, .exited].contains($0.state) } ?? false)
            }
            let after = "not ready after \(Int(limit.seconds))s"
            throw SupervisorError.startFailed(waiting.map { ($0, after, lastLines(of: $0)) })
        }
        return status
    }

    /// The last lines of a service's log written since this was made, for error messages.
    public func lastLines(of service: String, count: Int = 10) -> [String] {
        LogTail.lastLines(of: logDirectory + "/\(service).log", count: count, since: logOffsets[service] ?? 0)
    }

    /// However the services behave, waiting ends: their start timeouts and restarts, plus slack.
    static func patience(_ specs: [ServiceSpec]) -> Duration {
        .seconds(specs.map { spec in
            let attempts = Double(spec.restart == .no ? 1 : (spec.maxRestarts == 0 ? 3 : min(spec.maxRestarts, 3) + 1))
            return ((spec.ready?.startTimeout ?? 5) + 1) * attempts + 30
        }.max() ?? 60)
    }
}
