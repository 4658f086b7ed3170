import Foundation
import SlipwayCore
import SlipwayManifest
import SlipwayProcess
import SlipwaySupervisor

/// `slipway up -d`: starts `slipway up --supervise` in its own session and waits until every
/// requested service is ready (or one failed).
struct DetachedStart {
    let context: ServiceContext
    let requested: [String]
    /// No status table (tasks' services: the task output follows).
    var quiet = false
    /// Polled while waiting: `true` gives up (Ctrl-C of a task run).
    var shouldStop: @Sendable () -> Bool = { false }
    /// `false`: return once the supervisor answers (task runs wait per service themselves).
    var waitForReady = true

    func run() async throws {
        try FileManager.default.createDirectory(atPath: context.logDirectory, withIntermediateDirectories: true)
        let logPath = context.logDirectory + "/supervisor.log"
        let log = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else { throw SupervisorError.spawnFailed("supervisor", "cannot open \(logPath)") }
        defer { close(log) }
        let arguments = [Spawn.currentExecutable(), "up", "--supervise", "--profile", context.profile,
                         "--manifest", context.layout.manifest] + requested
        let pid = try Spawn.detached(arguments, stdin: -1, stdout: log, stderr: log, environment: nil)
        let client = context.client
        let started = Date()
        while !client.isAlive {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let tail = LogFollower.lastLines(of: logPath, count: 20)
                throw SupervisorError.startFailed([("supervisor", "exited before it was ready", tail)])
            }
            if Date().timeIntervalSince(started) > 60 {
                throw SupervisorError.startFailed([("supervisor", "no control socket after 60s", LogFollower.lastLines(of: logPath, count: 20))])
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        guard waitForReady else { return }
        let specs = ServiceOrder.startOrder(context.services, requested: requested)
        // However the services behave, waiting ends: their start timeouts and restarts, plus slack.
        let limit = specs.map { spec in
            let attempts = Double(spec.restart == .no ? 1 : (spec.maxRestarts == 0 ? 3 : min(spec.maxRestarts, 3) + 1))
            return ((spec.ready?.startTimeout ?? 5) + 1) * attempts + 30
        }.max() ?? 60
        var status: SupervisorStatus?
        while true {
            if shouldStop() { throw SupervisorError.startFailed([("services", "interrupted while starting", [])]) }
            if Date().timeIntervalSince(started) > limit {
                let waiting = specs.map(\.name).filter { name in
                    !(status?.services.contains { $0.name == name && [.ready, .exited].contains($0.state) } ?? false)
                }
                throw SupervisorError.startFailed(waiting.map { ($0, "not ready after \(Int(limit))s", LogFollower.lastLines(of: context.logDirectory + "/\($0).log", count: 10)) })
            }
            let answer = try client.send(.init(command: "ps"))
            status = answer.status
            let rows = answer.status?.services ?? []
            var pending = false
            var failed: [(service: String, reason: String, lastLines: [String])] = []
            for spec in specs {
                guard let row = rows.first(where: { $0.name == spec.name }) else { pending = true; continue }
                switch row.state {
                case .ready, .exited: continue
                case .running where spec.ready == nil: continue
                case .failed:
                    failed.append((spec.name, row.reason ?? "failed",
                                   LogFollower.lastLines(of: context.logDirectory + "/\(spec.name).log", count: 10)))
                default: pending = true
                }
            }
            if !failed.isEmpty {
                if let status { Terminal.write(StatusTable.render(status)) }
                throw SupervisorError.startFailed(failed)
            }
            if !pending { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        if let status, !quiet { Terminal.write(StatusTable.render(status)) }
    }
}

/// Text rendering of `slipway ps`.
enum StatusTable {
    static func render(_ status: SupervisorStatus) -> String {
        var rows = [["SERVICE", "STATE", "PID", "PORT", "RESTARTS", "UPTIME"]]
        for service in status.services {
            rows.append([
                service.name, service.state.rawValue, service.pid.map(String.init) ?? "-",
                service.port.map(String.init) ?? "-", String(service.restarts),
                service.uptime.map { uptime($0) } ?? "-",
            ])
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text = rows.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
        text += "\nsupervisor pid \(status.supervisorPid), profile \(status.profile)\n"
        for service in status.services where service.state == .failed {
            text += "\(service.name): \(service.reason ?? "failed")\n"
        }
        return text
    }

    static func uptime(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        if seconds < 3600 { return "\(Int(seconds) / 60)m\(Int(seconds) % 60)s" }
        return "\(Int(seconds) / 3600)h\(Int(seconds) % 3600 / 60)m"
    }
}
