import Foundation
import SlipwayCore
import SlipwayEnvironment
import SlipwayManifest
import SlipwayProcess
import Synchronization

/// Runs a ``TaskPlan``: each task as `sh -c RUN` in its own session once its `deps` have
/// succeeded, independent tasks in parallel (at most `parallelism` at once), output to one
/// log per task and to the console with a `name |` prefix.
///
/// A failed task stops its dependents (they end `not-run`); independent tasks still finish.
/// ``cancel()`` (Ctrl-C) sends SIGTERM to every running task's process group, then SIGKILL
/// after 5 s, and starts nothing more.
public final class TaskRunner: Sendable {
    public struct Configuration: Sendable {
        /// The project root (`cwd` of tasks is relative to it).
        public var root: String
        public var profile: String
        /// The profile's process environment (packages' PATH, `[env]`, service ports).
        public var environment: [String: String]
        /// Stands for the profile's packages and env in task fingerprints.
        public var environmentKey: String
        /// `.slipway/out/<profile>`: each task's `SLIPWAY_OUT` is `<outRoot>/<task>`.
        public var outRoot: String
        /// `.slipway/tasks/<profile>`: logs and fingerprints.
        public var stateDirectory: String
        public var parallelism: Int
        /// The console descriptor (stdout), or -1 for logs only.
        public var console: Int32
        /// Rerun tasks even when up to date.
        public var force = false
        /// Stops running task groups if Slipway dies, even by SIGKILL (see ``GuardianLink``).
        public var guardian: GuardianLink?
        /// The requested task's arguments and terminal, for `slipway run TASK [-i] [-- ARGS]`.
        public var invocation: TaskInvocation?
        /// `-e NAME=VALUE`: set before each task's `env`, whose entries of these names are left out.
        public var overrides: [EnvironmentOverride] = []

        public init(
            root: String, profile: String, environment: [String: String], environmentKey: String,
            outRoot: String, stateDirectory: String, parallelism: Int, console: Int32
        ) {
            self.root = root
            self.profile = profile
            self.environment = environment
            self.environmentKey = environmentKey
            self.outRoot = outRoot
            self.stateDirectory = stateDirectory
            self.parallelism = max(1, parallelism)
            self.console = console
        }
    }

    public let configuration: Configuration
    private let running = Mutex<Set<pid_t>>([])
    private let cancelled = Atomic<Bool>(false)

    public init(_ configuration: Configuration) { self.configuration = configuration }

    public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    /// Stops running tasks (SIGTERM to their groups, SIGKILL 5 s later); starts no more.
    public func cancel() {
        cancelled.store(true, ordering: .relaxed)
        let groups = running.withLock { $0 }
        for pid in groups { _ = ProcessGroup(id: pid).signal(SIGTERM) }
        Task.detached { [self] in
            try? await Task.sleep(for: .seconds(5))
            for pid in self.running.withLock({ $0 }) { _ = ProcessGroup(id: pid).signal(SIGKILL) }
        }
    }

    /// Runs the plan; outcomes in the order tasks finished (so the first failure comes first).
    public func run(_ plan: TaskPlan, services: (any TaskServices)?) async -> [TaskOutcome] {
        try? FileManager.default.createDirectory(
            atPath: configuration.stateDirectory + "/logs", withIntermediateDirectories: true)
        let sink = LogSink(
            directory: configuration.stateDirectory + "/logs", console: configuration.console,
            names: plan.tasks.map(\.name))
        defer { sink.close() }
        let fingerprints = TaskFingerprint(directory: configuration.stateDirectory, root: configuration.root)
        var book = RunBook(plan: plan)
        func finish(_ outcome: TaskOutcome) async {
            let (released, blocked) = book.record(outcome)
            for task in blocked { sink.note(task.name, "not run: \(task.reason ?? "")") }
            if !released.isEmpty { await services?.release(released) }
        }
        await withTaskGroup(of: TaskOutcome.self) { group in
            var active = 0
            while !book.isComplete {
                if isCancelled {
                    for task in book.pending {
                        await finish(TaskOutcome(name: task.name, status: .notRun, seconds: 0, reason: "interrupted"))
                    }
                } else {
                    for task in book.ready.prefix(configuration.parallelism - active) {
                        book.start(task)
                        active += 1
                        group.addTask {
                            await self.execute(task, fingerprints: fingerprints, sink: sink, services: services)
                        }
                    }
                }
                guard active > 0, let outcome = await group.next() else { break }
                active -= 1
                await finish(outcome)
            }
        }
        return book.inFinishingOrder
    }

    /// Runs one task (or skips it when up to date).
    private func execute(
        _ task: TaskSpec, fingerprints: TaskFingerprint, sink: LogSink, services: (any TaskServices)?
    ) async -> TaskOutcome {
        let clock = ContinuousClock()
        var start = clock.now
        func seconds() -> Double { (clock.now - start).seconds }
        let out = configuration.outRoot + "/" + task.name
        let inputs =
            task.inputs.isEmpty
            ? nil
            : fingerprints.inputsDigest(
                task, environmentKey: configuration.environmentKey, arguments: arguments(of: task))
        if let inputs, !configuration.force, let record = fingerprints.recorded(task.name), record.inputs == inputs,
            record.outputs == fingerprints.outputsDigest(task, out: out)
        {
            sink.note(task.name, "up to date (inputs and outputs unchanged since its last success), skipped")
            var outcome = TaskOutcome(name: task.name, status: .skipped, seconds: seconds(), reason: "up to date")
            collectReports(task, out: out, into: &outcome)
            return outcome
        }
        fingerprints.forget(task.name)
        Self.makeEmptyFolder(out)
        if !task.services.isEmpty, let services,
            let failed = await acquire(services, for: task, sink: sink, seconds: seconds())
        {
            return failed
        }
        if isCancelled {
            return TaskOutcome(name: task.name, status: .notRun, seconds: seconds(), reason: "interrupted")
        }
        start = clock.now  // the task's own time, without the wait for its services
        let status = await launch(task, out: out, sink: sink)
        var outcome = self.outcome(of: task, status, seconds: seconds(), sink: sink)
        if outcome.status == .succeeded, let inputs {
            fingerprints.record(task.name, .init(inputs: inputs, outputs: fingerprints.outputsDigest(task, out: out)))
        }
        collectReports(task, out: out, into: &outcome)
        if let failed = outcome.junit?.failed, !failed.isEmpty {
            for failure in failed.prefix(20) {
                sink.note(task.name, "failed test: \(failure.test): \(failure.message)")
            }
        }
        return outcome
    }

    /// `path` as an empty folder: kept when it is one already (most tasks write nothing), else
    /// removed and made anew.
    ///
    /// Reading the folder (open, one `getdents`, close) tells an empty one from one with files
    /// without touching the file system; only the latter goes through FileManager's recursive
    /// removal. (Removing and re-making an empty folder each time costs an inode on ext4.)
    static func makeEmptyFolder(_ path: String) {
        if DirectoryEntries.isEmptyFolder(path) { return }
        try? FileManager.default.removeItem(atPath: path)
        if mkdir(path, 0o755) != 0 { try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    }

    /// Waits for the task's services; the outcome of a task that cannot run, or `nil`.
    private func acquire(
        _ services: any TaskServices, for task: TaskSpec, sink: LogSink, seconds: @autoclosure () -> Double
    ) async -> TaskOutcome? {
        do {
            try await services.acquire(task.services)
            return nil
        } catch {
            if isCancelled {
                return TaskOutcome(name: task.name, status: .notRun, seconds: seconds(), reason: "interrupted")
            }
            let detail = (error as? any SlipwayError)?.message ?? String(describing: error)
            sink.note(task.name, "services did not start: \(detail)")
            // The summary keeps the first line; the log lines were just printed.
            let first = detail.split(separator: "\n").first.map(String.init) ?? detail
            return TaskOutcome(
                name: task.name, status: .failed, exitCode: 1, seconds: seconds(),
                reason: "services did not start: \(first)")
        }
    }

    /// Records a started task group (for ``cancel()`` and the guardian).
    func started(_ pid: pid_t) {
        running.withLock { _ = pid > 0 ? $0.insert(pid) : nil }
        configuration.guardian?.add(ProcessGroup(id: pid), stopSignal: SIGTERM, timeout: .seconds(5))
        // Cancelled between the check before the start and the start: stop it right away.
        if isCancelled { _ = ProcessGroup(id: pid).signal(SIGTERM) }
    }

    /// Forgets an ended task group.
    func ended(_ pid: pid_t) {
        running.withLock { _ = $0.remove(pid) }
        configuration.guardian?.remove(ProcessGroup(id: pid))
    }

    /// The outcome of a process that ran, said in the task's log.
    private func outcome(of task: TaskSpec, _ status: TaskProcess.Status, seconds: Double, sink: LogSink) -> TaskOutcome
    {
        let stopped: TaskOutcome.Status = isCancelled ? .cancelled : .failed
        let verb = stopped == .cancelled ? "cancelled" : "failed"
        switch status {
        case .exited(0):
            sink.note(task.name, "succeeded in \(oneDecimal(seconds))s")
            return TaskOutcome(name: task.name, status: .succeeded, exitCode: 0, seconds: seconds)
        case .exited(let code):
            sink.note(task.name, "\(verb) with exit status \(code) after \(oneDecimal(seconds))s")
            return TaskOutcome(
                name: task.name, status: stopped, exitCode: code, seconds: seconds, reason: "exit status \(code)")
        case .signaled(let signal):
            sink.note(task.name, "\(verb): killed by \(Signals.name(signal))")
            return TaskOutcome(
                name: task.name, status: stopped, exitCode: 128 + signal, seconds: seconds,
                reason: "killed by \(Signals.name(signal))")
        case .couldNotStart(let reason):
            sink.note(task.name, "cannot start: \(reason)")
            return TaskOutcome(name: task.name, status: .failed, exitCode: 127, seconds: seconds, reason: reason)
        }
    }

    private func collectReports(_ task: TaskSpec, out: String, into outcome: inout TaskOutcome) {
        var paths: [String] = []
        for glob in task.reports {
            if glob.hasPrefix("$SLIPWAY_OUT/") {
                paths += FileGlob.expand([String(glob.dropFirst("$SLIPWAY_OUT/".count))], root: out).map {
                    out + "/" + $0
                }
            } else {
                paths += FileGlob.expand([glob], root: configuration.root).map { configuration.root + "/" + $0 }
            }
        }
        outcome.reports = paths
        guard !paths.isEmpty else { return }
        var total = JUnitReport()
        for path in paths {
            guard let report = JUnitReport.read(path) else { continue }
            total.tests += report.tests
            total.failures += report.failures
            total.errors += report.errors
            total.skipped += report.skipped
            total.failed += report.failed
        }
        outcome.junit = total
    }
}
