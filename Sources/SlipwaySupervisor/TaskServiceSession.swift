import Foundation
import SlipwayCore
import SlipwayManifest
import SlipwayProcess

/// The services of one `slipway run` / `slipway ci`.
///
/// The first task that needs services starts, once, every service the run's tasks list: in a
/// background supervisor if none runs, else in the running one (the user's `up -d`). They are
/// stopped when no remaining task needs them, unless they were up before or another task run
/// of the project (a lease in `.slipway/run/<profile>.tasks/`) still uses them.
///
/// What task runs started is kept in `.slipway/run/<profile>.task-services` (see
/// ``TaskServiceMarker``). A task run killed by SIGKILL is released by its guardian, which
/// runs ``release(deadRun:layout:profile:)``; if the guardian died too, the next task run finds
/// the marker without a live lease and stops (a background supervisor) or adopts (services in
/// the user's supervisor) what it names, never taking them for the user's own.
public actor TaskServiceSession {
    public let supervisor: DetachedSupervisor
    /// Every service the plan's tasks list.
    public let planned: [String]
    private let say: @Sendable (String) -> Void
    private var preparation: Task<Void, any Error>?
    private var released: Set<String> = []
    private var leased = false
    private let interrupted = InterruptFlag()

    /// - Parameter say: status lines for the user ("starting services for tasks: ...").
    public init(supervisor: DetachedSupervisor, planned: [String], say: @escaping @Sendable (String) -> Void) {
        self.supervisor = supervisor
        self.planned = planned
        self.say = say
    }

    private var layout: ProjectLayout { supervisor.layout }
    private var profile: String { supervisor.profile }
    private var leases: TaskServiceLeases { TaskServiceLeases(layout: layout, profile: profile) }
    private var leaseDir: String { layout.taskLeaseDir(profile: profile) }

    /// Ctrl-C: stop waiting for services.
    public nonisolated func interrupt() { interrupted.set() }

    /// Starts the planned services (once) and waits until `services` and what they depend on
    /// are ready.
    /// - Throws: ``SupervisorError`` (a start failed, a running supervisor lacks a service,
    ///   interrupted).
    public func acquire(_ services: [String]) async throws {
        if preparation == nil {
            let work = Task { try await self.prepare() }
            preparation = work
        }
        try await preparation?.value
        for spec in ServiceOrder.startOrder(supervisor.services, requested: services) { try await waitReady(spec) }
    }

    /// The runner releases a service once no remaining task of the plan needs it: when every
    /// planned service is released, the last task needing services has ended.
    public func release(_ services: [String]) async {
        released.formUnion(services)
        if released.isSuperset(of: planned) { await stopAll() }
    }

    /// Starts the planned services once, under a lock so that concurrent task runs of the
    /// project do not start two supervisors.
    private func prepare() async throws {
        try FileManager.default.createDirectory(atPath: leaseDir, withIntermediateDirectories: true)
        let lock = try FileLock(path: layout.taskLeaseLock(profile: profile))
        defer { lock.release() }
        await takeOverLeftovers()
        guard FileManager.default.createFile(atPath: leaseDir + "/\(getpid())", contents: nil) else {
            throw SupervisorError.control("cannot write the lease \(leaseDir)/\(getpid())")
        }
        leased = true
        let client = supervisor.client
        if !client.isAlive {
            say("starting services for tasks: \(planned.joined(separator: ", "))")
            // Only the supervisor is awaited here: each task waits for its own services, so one
            // that fails or is slow holds up only the tasks that need it.
            let detached = DetachedSupervisor(
                layout: layout, profile: profile, services: supervisor.services, requested: planned,
                purity: supervisor.purity)
            // Recorded before it exists (0: find it by its command line) and with its pid as soon
            // as it does, so a kill at any moment leaves it findable.
            let leases = self.leases
            try leases.writeMarker(TaskServiceMarker(supervisor: 0))
            try await detached.start { pid in try leases.writeMarker(TaskServiceMarker(supervisor: pid)) }
            return
        }
        try startMissing(client)
    }

    /// The user's supervisor (or another task run's): starts what is not up, dependencies first.
    private func startMissing(_ client: ControlClient) throws {
        guard let status = try client.send(.init(command: .ps)).status else {
            throw SupervisorError.control("no status")
        }
        var marker = leases.readMarker() ?? TaskServiceMarker(host: status.supervisorPid)
        let ranBySupervisor = marker.supervisor != nil
        let before = marker
        for spec in ServiceOrder.startOrder(supervisor.services, requested: planned) {
            guard let row = status.services.first(where: { $0.name == spec.name }) else {
                throw missing(spec.name, running: status.services.map(\.name), ranBySupervisor: ranBySupervisor)
            }
            if [.ready, .starting, .running, .restarting].contains(row.state) { continue }
            if row.state == .exited && spec.restart == .no { continue }
            let answer = try client.send(.init(command: .start, service: spec.name))
            guard answer.ok else { throw SupervisorError.control(answer.error ?? "start \(spec.name) failed") }
            if !ranBySupervisor && !marker.services.contains(spec.name) { marker.services.append(spec.name) }
        }
        if marker != before { try leases.writeMarker(marker) }
    }

    /// A marker without a live lease is what a killed task run (and its guardian) left: a
    /// background supervisor is stopped; services started in the user's supervisor (still the
    /// same one) are kept as this run's, to stop when it ends.
    private func takeOverLeftovers() async {
        let leases = self.leases
        guard leases.live(excluding: getpid()).isEmpty, let left = leases.readMarker() else { return }
        let running = try? supervisor.client.send(.init(command: .ps)).status?.supervisorPid
        if left.supervisor == nil, !left.services.isEmpty, let running, left.host == nil || left.host == running {
            return
        }
        leases.removeMarker()
        if left.supervisor != nil {
            await leases.stop(left) { _ in say("stopping the services a killed task run left running") }
        }
    }

    /// Releases the lease of a task run that died (`slipway __release-task-services`, run by its
    /// guardian): if no other task run holds one, stops what task runs started, in order.
    public static func release(deadRun pid: Int32, layout: ProjectLayout, profile: String) async {
        let leases = TaskServiceLeases(layout: layout, profile: profile)
        guard FileManager.default.fileExists(atPath: leases.leaseDir + "/\(pid)"),
            let lock = try? FileLock(path: layout.taskLeaseLock(profile: profile))
        else { return }
        defer { lock.release() }
        leases.removeLease(pid)
        guard leases.live(excluding: pid).isEmpty, let marker = leases.readMarker() else { return }
        leases.removeMarker()
        await leases.stop(marker) { _ in }
    }

    /// The command a task run's guardian runs if the run dies: ``release(deadRun:layout:profile:)``.
    public static func releaseCommand(layout: ProjectLayout, profile: String) -> [String] {
        [Spawn.currentExecutable(), "__release-task-services", "--manifest", layout.manifest, "--profile", profile,
         "--lease", String(getpid())]
    }

    private func missing(_ name: String, running: [String], ranBySupervisor: Bool) -> SupervisorError {
        if ranBySupervisor {
            return .control(
                """
                another `slipway run` or `slipway ci` of this project runs its tasks' services \
                (\(running.joined(separator: ", "))) without '\(name)'; wait for it to end, or run these tasks \
                in the same `slipway run`
                """)
        }
        return .control(
            """
            the running supervisor (`slipway up`, profile \(profile)) was started without '\(name)', which a \
            task needs; run `slipway down` first, or start it with `slipway up -d \(planned.joined(separator: " "))`
            """)
    }

    /// Stops what task runs started, once no other task run of the project holds a lease.
    public func stopAll() async {
        guard leased else { return }
        leased = false
        guard let lock = try? FileLock(path: layout.taskLeaseLock(profile: profile)) else { return }
        defer { lock.release() }
        let leases = self.leases
        leases.removeLease(getpid())
        guard leases.live(excluding: getpid()).isEmpty, let started = leases.readMarker() else { return }
        leases.removeMarker()
        // Only the supervisor a task run started (same pid), never one the user started since.
        await leases.stop(started, say: say)
    }

    /// Ready, exited 0, or (no probe) running for 0.2 s: not a crash on start.
    private func waitReady(_ spec: ServiceSpec) async throws {
        let client = supervisor.client
        let timeout = (spec.ready?.startTimeout ?? 5) * Double(max(1, min(spec.maxRestarts, 3))) + 30
        let clock = ContinuousClock()
        var runningSince: ContinuousClock.Instant?
        let ready = try await Settling.poll(every: .milliseconds(10), timeout: .seconds(timeout)) { () -> Bool? in
            if interrupted.isSet { throw SupervisorError.startFailed([(spec.name, "interrupted while starting", [])]) }
            guard let row = try client.send(.init(command: .ps)).status?.services.first(where: { $0.name == spec.name })
            else { return false }
            switch Settling.verdict(row, stoppedFails: true) {
            case .settled where row.state == .running:
                let since = runningSince ?? clock.now
                runningSince = since
                return clock.now - since >= .milliseconds(200) ? true : nil
            case .settled: return true
            case .failed(let reason):
                throw SupervisorError.startFailed([(spec.name, reason, supervisor.lastLines(of: spec.name))])
            case .pending:
                runningSince = nil
                return nil
            }
        }
        if ready != true {
            throw SupervisorError.startFailed([(spec.name, "not ready in time", supervisor.lastLines(of: spec.name))])
        }
    }
}
