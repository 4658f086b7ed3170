import Foundation
import SlipwayCore
import SlipwayManifest
import SlipwayPipeline
import SlipwayProcess
import SlipwaySupervisor

/// The services of one `slipway run` / `slipway ci`.
///
/// The first task that needs services starts, once, every service the run's tasks list: in a
/// background supervisor if none runs, else in the running one (the user's `up -d`). They are
/// stopped when no remaining task needs them, unless they were up before or another task run
/// of the project (a lease in `.slipway/run/<profile>.tasks/`) still uses them.
actor TaskServiceSession: TaskServices {
    let context: ServiceContext
    /// Every service the plan's tasks list.
    let planned: [String]
    private var preparation: Task<Void, any Error>?
    private var held: Set<String> = []
    private var released: Set<String> = []
    private var leased = false
    private let interrupted = InterruptFlag()

    init(context: ServiceContext, planned: [String]) {
        self.context = context
        self.planned = planned
    }

    private var runDir: String { context.layout.runDir }
    private var leaseDir: String { runDir + "/\(context.profile).tasks" }
    /// What task runs started: `supervisor` (the whole background supervisor) or service names.
    private var markerPath: String { runDir + "/\(context.profile).task-services" }

    /// Ctrl-C: stop waiting for services.
    nonisolated func interrupt() { interrupted.set() }

    func acquire(_ services: [String]) async throws {
        held.formUnion(services)
        if preparation == nil {
            let work = Task { try await self.prepare() }
            preparation = work
        }
        try await preparation?.value
        for spec in ServiceOrder.startOrder(context.services, requested: services) { try await waitReady(spec) }
    }

    func release(_ services: [String]) async {
        // The runner releases a service once no remaining task of the plan needs it: when every
        // planned service is released, the last task needing services has ended.
        released.formUnion(services)
        if released.isSuperset(of: planned) { await stopAll() }
    }

    /// Starts the planned services once, under a lock so that concurrent task runs of the
    /// project do not start two supervisors.
    private func prepare() async throws {
        try FileManager.default.createDirectory(atPath: leaseDir, withIntermediateDirectories: true)
        let lock = try FileLock(path: runDir + "/\(context.profile).tasks.lock")
        defer { lock.release() }
        // A marker left by a task run that died (no live lease) says nothing about what runs now.
        if liveLeases().isEmpty { try? FileManager.default.removeItem(atPath: markerPath) }
        FileManager.default.createFile(atPath: leaseDir + "/\(getpid())", contents: nil)
        leased = true
        let client = context.client
        let flag = interrupted
        if !client.isAlive {
            Terminal.status("starting services for tasks: \(planned.joined(separator: ", "))")
            // Only the supervisor is awaited here: each task waits for its own services, so one
            // that fails or is slow holds up only the tasks that need it.
            try await DetachedStart(context: context, requested: planned, quiet: true, shouldStop: { flag.isSet }, waitForReady: false).run()
            let pid = try? client.send(.init(command: "ps")).status?.supervisorPid
            try? "supervisor \(pid.map(String.init) ?? "")\n".write(toFile: markerPath, atomically: true, encoding: .utf8)
            return
        }
        // The user's supervisor (or another task run's): start what is not up, dependencies first.
        guard let status = try client.send(.init(command: "ps")).status else { throw SupervisorError.control("no status") }
        var started = (try? String(contentsOfFile: markerPath, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        for spec in ServiceOrder.startOrder(context.services, requested: planned) {
            guard let row = status.services.first(where: { $0.name == spec.name }) else {
                if started.contains(where: { $0.hasPrefix("supervisor") }) {
                    throw SupervisorError.control("another `slipway run` or `slipway ci` of this project runs its tasks' services (\(status.services.map(\.name).joined(separator: ", "))) without '\(spec.name)'; wait for it to end, or run these tasks in the same `slipway run`")
                }
                throw SupervisorError.control("the running supervisor (`slipway up`, profile \(context.profile)) was started without '\(spec.name)', which a task needs; run `slipway down` first, or start it with `slipway up -d \(planned.joined(separator: " "))`")
            }
            if [.ready, .starting, .running, .restarting].contains(row.state) || (row.state == .exited && spec.restart == .no) { continue }
            let answer = try client.send(.init(command: "start", service: spec.name))
            guard answer.ok else { throw SupervisorError.control(answer.error ?? "start \(spec.name) failed") }
            if !started.contains(where: { $0.hasPrefix("supervisor") }) && !started.contains(spec.name) { started.append(spec.name) }
        }
        if !started.isEmpty { try? (started.joined(separator: "\n") + "\n").write(toFile: markerPath, atomically: true, encoding: .utf8) }
    }

    /// Stops what task runs started, once no other task run of the project holds a lease.
    func stopAll() async {
        held.removeAll()
        guard leased else { return }
        leased = false
        guard let lock = try? FileLock(path: runDir + "/\(context.profile).tasks.lock") else { return }
        defer { lock.release() }
        try? FileManager.default.removeItem(atPath: leaseDir + "/\(getpid())")
        guard liveLeases().isEmpty else { return }
        let started = (try? String(contentsOfFile: markerPath, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        try? FileManager.default.removeItem(atPath: markerPath)
        let client = context.client
        guard client.isAlive else { return }
        if let line = started.first(where: { $0.hasPrefix("supervisor") }) {
            // Only the supervisor a task run started (same pid), never one the user started since.
            guard let answer = try? client.send(.init(command: "ps")), let pid = answer.status?.supervisorPid,
                  line == "supervisor \(pid)" else { return }
            guard (try? client.send(.init(command: "down"))) != nil else { return }
            Terminal.status("stopping the services started for tasks")
            while processIsRunning(pid) || client.isAlive { try? await Task.sleep(for: .milliseconds(10)) }
        } else {
            for name in started.reversed() { _ = try? client.send(.init(command: "stop", service: name)) }
        }
    }

    /// Other task runs of the project that are still alive (stale lease files are removed).
    private func liveLeases() -> [Int32] {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: leaseDir)) ?? []).compactMap { Int32($0) }.filter { $0 != getpid() }
        for pid in pids where !processIsRunning(pid) { try? FileManager.default.removeItem(atPath: leaseDir + "/\(pid)") }
        return pids.filter(processIsRunning)
    }

    private func waitReady(_ spec: ServiceSpec) async throws {
        let client = context.client
        let deadline = Date().addingTimeInterval((spec.ready?.startTimeout ?? 5) * Double(max(1, min(spec.maxRestarts, 3))) + 30)
        var runningSince: Date?
        while Date() < deadline {
            if interrupted.isSet { throw SupervisorError.startFailed([(spec.name, "interrupted while starting", [])]) }
            guard let row = try client.send(.init(command: "ps")).status?.services.first(where: { $0.name == spec.name }) else { break }
            switch row.state {
            case .ready: return
            case .exited where row.reason == nil: return   // a one-shot job that succeeded
            case .running where spec.ready == nil:
                // No probe: it counts once it has stayed up a moment (not a crash on start).
                let since = runningSince ?? Date()
                runningSince = since
                if Date().timeIntervalSince(since) >= 0.2 { return }
            case .failed, .stopped:
                throw SupervisorError.startFailed([(spec.name, row.reason ?? row.state.rawValue,
                                                    LogFollower.lastLines(of: context.logDirectory + "/\(spec.name).log", count: 10))])
            default:
                runningSince = nil
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw SupervisorError.startFailed([(spec.name, "not ready in time", LogFollower.lastLines(of: context.logDirectory + "/\(spec.name).log", count: 10))])
    }
}
