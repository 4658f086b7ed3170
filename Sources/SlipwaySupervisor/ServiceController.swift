import Foundation
import SlipwayCore
import SlipwayManifest
import SlipwayProcess

/// Runs one service: setup, process, readiness probe, restarts with backoff, and stopping its
/// whole process group. One actor per service.
actor ServiceController {
    /// How the service's processes are started (already resolved by the supervisor).
    struct Launch: Sendable {
        var environment: [String: String]
        var cwd: String
        var port: Int?
        /// uid and gid to run as, when Slipway runs as root and the service names a `user`.
        var credentials: (uid: uid_t, gid: gid_t)?
    }

    let spec: ServiceSpec
    let launch: Launch
    let sink: LogSink
    let guardian: GuardianLink?

    private(set) var state: ServiceState = .pending
    private var pid: pid_t?
    private var restarts = 0
    /// Whether the current launch passed its readiness probe (a launch killed for never getting
    /// ready does not reset the restart count, however long it ran).
    private var readySinceLaunch = false
    private var startedAt: ContinuousClock.Instant?
    private let clock = ContinuousClock()
    private var exitStatus: Int32?
    private var reason: String?
    private var stopRequested = false
    private var unhealthy = false
    private var logMatched = false
    /// Why the log probe can never pass for this launch (its pattern ran out of budget).
    private var logFailure: String?
    private var runTask: Task<Void, Never>?
    private var probeTask: Task<Void, Never>?
    private var backoffTask: Task<Void, Error>?
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(spec: ServiceSpec, launch: Launch, sink: LogSink, guardian: GuardianLink?) {
        self.spec = spec
        self.launch = launch
        self.sink = sink
        self.guardian = guardian
    }

    var status: ServiceStatus {
        ServiceStatus(
            name: spec.name, pid: pid, state: state, restarts: restarts, port: launch.port,
            uptime: startedAt.map { (clock.now - $0).seconds }, exitStatus: exitStatus, reason: reason)
    }

    // MARK: - Control

    /// Starts the run loop (no-op if it is running).
    func start() {
        if runTask != nil && ![.exited, .failed, .stopped, .pending].contains(state) { return }
        runTask = nil
        restarts = 0
        stopRequested = false
        unhealthy = false
        reason = nil
        runTask = Task { await self.runLoop() }
    }

    /// Marks an ended service as pending again, so a `start` request is visible at once.
    func markPending() {
        if [.exited, .failed, .stopped].contains(state) {
            reason = nil
            setState(.pending)
        }
    }

    /// Marks the service failed without starting it (a dependency failed).
    func fail(_ why: String) {
        reason = why
        sink.note(spec.name, "not started: \(why)")
        setState(.failed)
    }

    /// Stops the service: its stop signal to the group, then SIGKILL after `stop_timeout`.
    /// Returns when every process of the group is gone.
    func stop() async {
        stopRequested = true
        backoffTask?.cancel()
        if let pid, ProcessGroup(id: pid).isAlive {
            sink.note(spec.name, "stopping (\(Signals.name(spec.stopSignal)), up to \(format(spec.stopTimeout))s)")
            await stopGroup(ProcessGroup(id: pid), grace: spec.stopTimeout)
        }
        await runTask?.value
        runTask = nil
        if state != .failed || pid != nil { setState(.stopped) }
    }

    /// SIGKILL to the whole group at once (a second Ctrl-C).
    func kill() {
        stopRequested = true
        backoffTask?.cancel()
        if let pid { ProcessGroup(id: pid).signal(SIGKILL) }
    }

    /// Waits until `condition` holds (`true`) or can no longer hold (`false`).
    func waitFor(_ condition: ServiceSpec.Condition) async -> Bool {
        while true {
            switch (condition, state) {
            case (.started, .ready), (.started, .running), (.started, .exited): return true
            case (.started, .starting) where pid != nil: return true
            case (.healthy, .ready): return true
            case (.completedSuccessfully, .exited): return true
            case (_, .failed), (_, .stopped): return false
            case (.healthy, .exited), (.healthy, .running): return false
            default: break
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    /// Waits for the next state change.
    func nextChange() async {
        await withCheckedContinuation { waiters.append($0) }
    }

    // MARK: - Run loop

    private func setState(_ new: ServiceState) {
        state = new
        if new == .ready { readySinceLaunch = true }
        let current = waiters
        waiters.removeAll()
        for waiter in current { waiter.resume() }
    }

    private func runLoop() async {
        var backoff = 0.5
        while !stopRequested {
            setState(.starting)
            unhealthy = false
            logMatched = false
            logFailure = nil
            if let setup = spec.setup {
                let status = await runProcess(setup, isSetup: true)
                if stopRequested { break }
                if status != 0 {
                    exitStatus = status
                    reason = "setup exited with status \(status)"
                    sink.note(spec.name, reason ?? "")
                    if await retry(&backoff, failed: true) { continue }
                    setState(.failed)
                    return
                }
            }
            let launchedAt = clock.now
            readySinceLaunch = false
            let status = await runProcess(spec.command, isSetup: false)
            startedAt = nil
            if clock.now - launchedAt >= .seconds(30) && (spec.ready == nil || readySinceLaunch) {
                // It ran for a while: a new failure starts a new series of restarts.
                restarts = 0
                backoff = 0.5
            }
            if stopRequested { break }
            exitStatus = status
            if status == 0, spec.ready != nil, !unhealthy, state != .ready {
                // Most often a command that daemonizes (`pg_ctl start`, `--daemonize yes`).
                unhealthy = true
                reason = "exited with status 0 before it was ready; a command that puts itself in the background "
                    + "cannot be supervised, run it in the foreground"
            }
            let failed = status != 0 || unhealthy
            if !unhealthy { reason = status == 0 ? nil : "exited with status \(describe(status))" }
            sink.note(spec.name, unhealthy ? (reason ?? "unhealthy") : "exited with status \(describe(status))")
            if await retry(&backoff, failed: failed) { continue }
            setState(failed ? .failed : .exited)
            return
        }
        setState(.stopped)
    }

    /// Decides on a restart and waits out the backoff. `true`: start again.
    private func retry(_ backoff: inout Double, failed: Bool) async -> Bool {
        let wanted = spec.restart == .always || (spec.restart == .onFailure && failed)
        guard wanted, !stopRequested else { return false }
        guard spec.maxRestarts == 0 || restarts < spec.maxRestarts else {
            reason = (reason ?? "failed") + "; gave up after \(restarts) restart\(restarts == 1 ? "" : "s")"
            sink.note(spec.name, "not restarting: max_restarts (\(spec.maxRestarts)) reached")
            return false
        }
        restarts += 1
        setState(.restarting)
        let of = spec.maxRestarts > 0 ? " of \(spec.maxRestarts)" : ""
        sink.note(spec.name, "restarting in \(format(backoff))s (restart \(restarts)\(of))")
        let delay = backoff
        backoff = min(backoff * 2, 30)
        let sleeper = Task { try await Task.sleep(for: .milliseconds(Int(delay * 1000))) }
        backoffTask = sleeper
        _ = try? await sleeper.value
        backoffTask = nil
        return !stopRequested
    }

    /// Runs `sh -c command` in the service's session; returns its exit status (negative: signal).
    private func runProcess(_ command: String, isSetup: Bool) async -> Int32 {
        var program = ["/bin/sh", "-c", command]
        if let credentials = launch.credentials {
            let user = [String(credentials.uid), String(credentials.gid)]
            program = [Spawn.currentExecutable(), UserSwitch.command] + user + ["--"] + program
        }
        do {
            let (_, termination) = try await GroupProcess.run(
                program, environment: launch.environment, cwd: launch.cwd, name: spec.name, sink: sink
            ) { processID in
                await self.processStarted(processID, isSetup: isSetup)
            }
            probeTask?.cancel()
            probeTask = nil
            // After the leader exits, members it left behind are stopped too (no orphans).
            if let pid {
                await ProcessGroup(id: pid).stop(signal: spec.stopSignal, grace: .seconds(min(spec.stopTimeout, 5)))
            }
            // The group is gone: forget its id, which the kernel may now give to an unrelated
            // process (signalling it later would hit that process).
            if let pid { guardian?.remove(ProcessGroup(id: pid)) }
            pid = nil
            switch termination {
            case .exited(let code): return code
            case .signaled(let signal): return -signal
            }
        } catch {
            probeTask?.cancel()
            probeTask = nil
            sink.note(spec.name, "cannot start: \(error)")
            return 127
        }
    }

    private func processStarted(_ processID: pid_t, isSetup: Bool) {
        pid = processID
        guardian?.add(
            ProcessGroup(id: processID), stopSignal: spec.stopSignal, timeout: .seconds(spec.stopTimeout),
            log: sink.logPath(spec.name))
        if stopRequested {
            // A stop arrived while the process was being spawned (it saw no pid to signal and
            // waits for the run loop): stop what just started.
            let group = ProcessGroup(id: processID), grace = spec.stopTimeout
            Task { await self.stopGroup(group, grace: grace) }
            return
        }
        if isSetup { return }
        startedAt = clock.now
        sink.note(spec.name, "started (pid \(processID)\(launch.port.map { ", port \($0)" } ?? ""))")
        guard let probe = spec.ready else {
            setState(.running)
            return
        }
        setState(.starting)  // wakes `started` waiters: the process now exists
        if case .log(let source) = probe.kind { observeLog(source) }
        probeTask = Task { await self.probeLoop(probe, group: ProcessGroup(id: processID)) }
    }

    /// Matches each output line on the linear-time ``LogPattern`` engine, within its step
    /// budget, until one matches (then the sink stops calling: nothing is left to decide).
    private func observeLog(_ source: String) {
        let name = spec.name, sink = self.sink
        guard let pattern = try? LogPattern(source) else {
            logFailure = "log pattern '\(source)' is not supported"
            return
        }
        let settled = InterruptFlag()
        sink.observe(name) { [weak self] line in
            guard !settled.isSet else { return }
            switch pattern.search(String(line.unicodeScalars.prefix(LogPattern.longestLine))) {
            case .notMatched: return
            case .matched:
                settled.set()
                sink.observe(name, nil)
                Task { await self?.logPatternSettled(nil) }
            case .overBudget(let steps):
                settled.set()
                sink.observe(name, nil)
                let why = "the log pattern '\(source)' needed more than \(steps) steps on one line of "
                    + "\(min(line.unicodeScalars.count, LogPattern.longestLine)) characters; simplify the pattern"
                Task { await self?.logPatternSettled(why) }
            }
        }
    }

    /// `failure` nil: a line matched.
    private func logPatternSettled(_ failure: String?) {
        if let failure { logFailure = failure } else { logMatched = true }
    }

    /// Probes fast at first (10 ms, doubling) until ready, then every `period`.
    private func probeLoop(_ probe: ServiceSpec.ReadinessProbe, group: ProcessGroup) async {
        let started = clock.now
        let deadline = started + .seconds(probe.startTimeout)
        var delay = Duration.milliseconds(10)
        while !Task.isCancelled && !stopRequested {
            if await check(probe) {
                setState(.ready)
                sink.note(spec.name, "ready")
                break
            }
            if clock.now > deadline || logFailure != nil {
                unhealthy = true
                reason = logFailure ?? "not ready within \(format(probe.startTimeout))s"
                sink.note(spec.name, "\(reason ?? ""): stopping it")
                await stopUnhealthy(group)
                return
            }
            try? await Task.sleep(for: delay)
            // Close watch for the first seconds (most services come up then), then settle.
            delay = clock.now - started < .seconds(3)
                ? min(delay * 1.5, .milliseconds(50)) : min(delay * 2, .seconds(probe.period))
        }
        var failures = 0
        while !Task.isCancelled && !stopRequested {
            try? await Task.sleep(for: .seconds(probe.period))
            if Task.isCancelled || stopRequested { return }
            if await check(probe) {
                failures = 0
                if state != .ready { setState(.ready) }
            } else {
                failures += 1
                if failures >= probe.failureThreshold {
                    unhealthy = true
                    reason = "readiness probe failed \(failures) times in a row"
                    sink.note(spec.name, "\(reason ?? ""): stopping it")
                    await stopUnhealthy(group)
                    return
                }
            }
        }
    }

    /// The stop signal, then SIGKILL to the group after `stop_timeout`, as for a requested stop.
    private func stopUnhealthy(_ group: ProcessGroup) async {
        await stopGroup(group, grace: spec.stopTimeout)
    }

    /// The stop signal to `group`, SIGKILL (said in the log) after `grace` seconds.
    private func stopGroup(_ group: ProcessGroup, grace: Double) async {
        let sink = self.sink, name = spec.name, timeout = format(grace)
        await group.stop(signal: spec.stopSignal, grace: .seconds(grace)) {
            sink.note(name, "still running after \(timeout)s: SIGKILL to its process group")
        }
    }

    private func check(_ probe: ServiceSpec.ReadinessProbe) async -> Bool {
        await Probe.check(
            probe.kind, port: launch.port, environment: launch.environment, cwd: launch.cwd, timeout: probe.timeout,
            logMatched: logMatched)
    }

    private func describe(_ status: Int32) -> String {
        status < 0 ? "\(-status) (\(Signals.name(-status)))" : "\(status)"
    }

    private func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }
}
