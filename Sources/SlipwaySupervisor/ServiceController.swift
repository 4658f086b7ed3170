import Foundation
import SlipwayManifest
import Subprocess
import SystemPackage

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
    private var startedAt: Double?
    private var exitStatus: Int32?
    private var reason: String?
    private var stopRequested = false
    private var unhealthy = false
    private var logMatched = false
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
            uptime: startedAt.map { Clock.now - $0 }, exitStatus: exitStatus, reason: reason)
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
        if let pid {
            let group = ProcessGroup(id: pid)
            if group.isAlive {
                sink.note(spec.name, "stopping (\(Signals.name(spec.stopSignal)), up to \(format(spec.stopTimeout))s)")
                group.signal(spec.stopSignal)
                if !(await group.waitUntilGone(timeout: spec.stopTimeout)) {
                    sink.note(spec.name, "still running after \(format(spec.stopTimeout))s: SIGKILL to its process group")
                    group.signal(SIGKILL)
                    _ = await group.waitUntilGone(timeout: 5)
                }
            }
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
            let launchedAt = Clock.now
            readySinceLaunch = false
            let status = await runProcess(spec.command, isSetup: false)
            startedAt = nil
            if Clock.now - launchedAt >= 30 && (spec.ready == nil || readySinceLaunch) {
                // It ran for a while: a new failure starts a new series of restarts.
                restarts = 0
                backoff = 0.5
            }
            if stopRequested { break }
            exitStatus = status
            if status == 0, spec.ready != nil, !unhealthy, state != .ready {
                // Most often a command that daemonizes (`pg_ctl start`, `--daemonize yes`).
                unhealthy = true
                reason = "exited with status 0 before it was ready; a command that puts itself in the background cannot be supervised, run it in the foreground"
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
        sink.note(spec.name, "restarting in \(format(backoff))s (restart \(restarts)\(spec.maxRestarts > 0 ? " of \(spec.maxRestarts)" : ""))")
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
        var options = PlatformOptions()
        options.createSession = true
        var program = ["/bin/sh", "-c", command]
        if let credentials = launch.credentials {
            program = [Spawn.currentExecutable(), UserSwitch.command, String(credentials.uid), String(credentials.gid), "--"] + program
        }
        let environment = Environment.custom(Dictionary(
            uniqueKeysWithValues: launch.environment.compactMap { key, value in Environment.Key(rawValue: key).map { ($0, value) } }))
        let name = spec.name
        let sink = self.sink
        do {
            let result = try await Subprocess.run(
                .path(FilePath(program[0])), arguments: Arguments(Array(program.dropFirst())), environment: environment,
                workingDirectory: FilePath(launch.cwd), platformOptions: options,
                input: .none, output: .sequence, error: .sequence
            ) { execution in
                let processID = execution.processIdentifier.value
                let stdout = execution.standardOutput
                let stderr = execution.standardError
                await self.processStarted(processID, isSetup: isSetup)
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await ServiceController.pump(stdout, name: name, sink: sink) }
                    group.addTask { await ServiceController.pump(stderr, name: name, sink: sink) }
                }
            }
            probeTask?.cancel()
            probeTask = nil
            await reapGroup()
            // The group is gone: forget its id, which the kernel may now give to an unrelated
            // process (signalling it later would hit that process).
            if let pid { guardian?.remove(ProcessGroup(id: pid)) }
            pid = nil
            switch result.terminationStatus {
            case .exited(let code): return code
            case .signaled(let signal): return -signal
            }
        } catch {
            probeTask?.cancel()
            probeTask = nil
            sink.note(name, "cannot start: \(error)")
            return 127
        }
    }

    /// After the leader exits, members it left behind are stopped too (no orphans).
    private func reapGroup() async {
        guard let pid else { return }
        let group = ProcessGroup(id: pid)
        guard group.isAlive else { return }
        group.signal(spec.stopSignal)
        if !(await group.waitUntilGone(timeout: min(spec.stopTimeout, 5))) {
            group.signal(SIGKILL)
            _ = await group.waitUntilGone(timeout: 5)
        }
    }

    private func processStarted(_ processID: pid_t, isSetup: Bool) {
        pid = processID
        guardian?.add(ProcessGroup(id: processID), stopSignal: spec.stopSignal, timeout: spec.stopTimeout)
        if isSetup { return }
        startedAt = Clock.now
        sink.note(spec.name, "started (pid \(processID)\(launch.port.map { ", port \($0)" } ?? ""))")
        guard let probe = spec.ready else {
            setState(.running)
            return
        }
        setState(.starting)  // wakes `started` waiters: the process now exists
        if case .log(let pattern) = probe.kind, let regex = try? Regex(pattern) {
            nonisolated(unsafe) let compiled = regex
            sink.observe(spec.name) { [weak self] line in
                if (try? compiled.firstMatch(in: line)) != nil {
                    Task { await self?.markLogMatched() }
                }
            }
        }
        probeTask = Task { await self.probeLoop(probe, group: ProcessGroup(id: processID)) }
    }

    private func markLogMatched() { logMatched = true }

    /// Probes fast at first (10 ms, doubling) until ready, then every `period`.
    private func probeLoop(_ probe: ServiceSpec.ReadinessProbe, group: ProcessGroup) async {
        let started = Clock.now
        let deadline = started + probe.startTimeout
        var delay = 0.01
        while !Task.isCancelled && !stopRequested {
            if await check(probe) {
                setState(.ready)
                sink.note(spec.name, "ready")
                break
            }
            if Clock.now > deadline {
                unhealthy = true
                reason = "not ready within \(format(probe.startTimeout))s"
                sink.note(spec.name, "\(reason ?? ""): stopping it")
                await stopUnhealthy(group)
                return
            }
            try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
            // Close watch for the first seconds (most services come up then), then settle.
            delay = Clock.now - started < 3 ? min(delay * 1.5, 0.05) : min(delay * 2, probe.period)
        }
        var failures = 0
        while !Task.isCancelled && !stopRequested {
            try? await Task.sleep(for: .milliseconds(Int(probe.period * 1000)))
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
        group.signal(spec.stopSignal)
        if !(await group.waitUntilGone(timeout: spec.stopTimeout)) {
            sink.note(spec.name, "still running after \(format(spec.stopTimeout))s: SIGKILL to its process group")
            group.signal(SIGKILL)
        }
    }

    private func check(_ probe: ServiceSpec.ReadinessProbe) async -> Bool {
        await Probe.check(
            probe.kind, port: launch.port, environment: launch.environment, cwd: launch.cwd, timeout: probe.timeout,
            logMatched: logMatched)
    }

    /// Reads one output stream into whole lines for the sink; drains it to end of file.
    private static func pump(_ stream: SubprocessOutputSequence, name: String, sink: LogSink) async {
        var splitter = LineSplitter()
        var lines: [ArraySlice<UInt8>] = []
        do {
            for try await buffer in stream {
                buffer.withUnsafeBytes { raw in
                    splitter.feed(raw) { lines.append($0) }
                }
                sink.write(name, lines: lines)
                lines.removeAll(keepingCapacity: true)
            }
        } catch {
            // A read error ends the stream like EOF.
        }
        splitter.finish { lines.append($0) }
        sink.write(name, lines: lines)
    }

    private func describe(_ status: Int32) -> String {
        status < 0 ? "\(-status) (\(Signals.name(-status)))" : "\(status)"
    }

    private func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }
}
