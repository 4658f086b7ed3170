import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayEnvironment
import SlipwayManifest
import SlipwayPipeline

/// `slipway run TASK... | --list [--json]`
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run tasks and their dependencies in the profile's environment (independent tasks in parallel).",
        discussion: """
            Each task runs as `sh -c RUN` with the profile's packages and env, SLIPWAY_OUT (a fresh folder \
            for its outputs) and SLIPWAY_TASK. Services a task lists are started before it and stopped \
            after the last task that needs them, unless they were already up. A task with `inputs` is \
            skipped when its inputs and outputs are unchanged since its last success. A failed task \
            stops its dependents; Slipway exits with the first failure's exit status.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "List the tasks with their descriptions.")
    var list = false

    @Flag(help: "With --list: print JSON.")
    var json = false

    @Flag(help: "Run tasks even when they are up to date.")
    var force = false

    @Option(name: .shortAndLong, help: "Tasks to run at once (the default is the number of CPUs).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Argument(help: "Tasks to run.")
    var tasks: [String] = []

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be 1 or more") }
        if json && !list { throw ValidationError("--json goes with --list") }
    }

    func run() async throws {
        if list || tasks.isEmpty {
            try listTasks()
            return
        }
        let session = try await TaskSession.load(global)
        if session.tasks.isEmpty { throw TaskError.noTasks }
        let plan = try TaskPlan(session.tasks, requested: tasks)
        let (outcomes, interrupted) = try await session.run(plan, parallelism: jobs, force: force)
        TaskSummary.print(outcomes, plan: plan)
        if interrupted { throw ExitCodeError(code: 130) }
        if let failure = outcomes.first(where: { $0.status == .failed }) { throw ExitCodeError(code: failure.exitCode ?? 1) }
    }

    private func listTasks() throws {
        let layout = try global.layout()
        let manifest = try ManifestLoader.load(path: layout.manifest, displayName: EnvironmentResolver(layout: layout).displayName)
        let resolved = try manifest.resolve(profile: global.profile)
        let specs = try manifest.tasks(of: resolved, services: try manifest.services(of: resolved))
        if json {
            struct Row: Encodable {
                var name: String, description: String?, run: String, deps: [String], services: [String]
                var inputs: [String], outputs: [String], reports: [String]
            }
            let rows = specs.map { Row(name: $0.name, description: $0.description, run: $0.run, deps: $0.deps, services: $0.services,
                                       inputs: $0.inputs, outputs: $0.outputs, reports: $0.reports) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Terminal.write(String(decoding: try encoder.encode(rows), as: UTF8.self) + "\n")
            return
        }
        guard !specs.isEmpty else {
            Terminal.write("no tasks in \(manifest.file) (profile \(global.profile)); add one, e.g. [tasks.test] run = \"...\"\n")
            return
        }
        let width = specs.map(\.name.count).max() ?? 0
        var text = "Tasks (profile \(global.profile)):\n"
        for spec in specs {
            var line = "  " + spec.name.padding(toLength: width, withPad: " ", startingAt: 0)
            line += "  " + (spec.description ?? spec.run.split(separator: "\n").first.map(String.init) ?? "")
            var notes: [String] = []
            if !spec.deps.isEmpty { notes.append("after " + spec.deps.joined(separator: ", ")) }
            if !spec.services.isEmpty { notes.append("with " + spec.services.joined(separator: ", ")) }
            if !notes.isEmpty { line += " (" + notes.joined(separator: "; ") + ")" }
            text += line + "\n"
        }
        if tasks.isEmpty && !list { text += "Run one with: slipway run TASK\n" }
        Terminal.write(text)
    }
}

/// The end-of-run summary: one line per task, failing tests named.
enum TaskSummary {
    static func print(_ outcomes: [TaskOutcome], plan: TaskPlan) {
        guard plan.tasks.count > 1 || outcomes.contains(where: { $0.status != .succeeded }) else { return }
        var text = ""
        for task in plan.tasks {
            guard let outcome = outcomes.first(where: { $0.name == task.name }) else { continue }
            text += line(outcome) + "\n"
        }
        Terminal.writeError(text)
    }

    static func line(_ outcome: TaskOutcome) -> String {
        var line = "\(outcome.name): \(outcome.status.rawValue)"
        switch outcome.status {
        case .succeeded, .failed, .cancelled: line += String(format: " in %.1fs", outcome.seconds)
        default: break
        }
        if let reason = outcome.reason, outcome.status != .succeeded { line += " (\(reason))" }
        if let junit = outcome.junit {
            line += "; tests: \(junit.tests), failures: \(junit.failures), errors: \(junit.errors), skipped: \(junit.skipped)"
            for failure in junit.failed.prefix(10) { line += "\n  failed test: \(failure.test): \(failure.message)" }
            if junit.failed.count > 10 { line += "\n  ... and \(junit.failed.count - 10) more" }
        }
        return line
    }
}
