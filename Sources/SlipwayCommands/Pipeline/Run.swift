import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayEnvironment
import SlipwayManifest
import SlipwayPipeline
import SlipwayProcess

/// `slipway run TASK... | --list [--json]`
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run tasks and their dependencies in the profile's environment (independent tasks in parallel).",
        discussion: """
            Each task runs as `sh -c RUN` with the profile's packages and env, SLIPWAY_OUT (a fresh folder \
            for its outputs) and SLIPWAY_TASK. Services a task lists are started before it and stopped \
            after the last task that needs them, unless they were already up. A task with `inputs` is \
            skipped when its inputs and outputs are unchanged since its last success. A failed task \
            stops its dependents; Slipway exits with the first failure's exit status. Words after `--` \
            are the one named task's arguments (`"$@"` in its `run`). One task named, with nothing \
            else to run, on a terminal (or with -i), runs attached to the terminal: its own standard \
            input, output and Ctrl-C, no `name |` prefixes.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var purity: PurityOptions

    @Flag(help: "List the tasks with their descriptions.")
    var list = false

    @Flag(help: "With --list: print JSON.")
    var json = false

    @Flag(help: "Run tasks even when they are up to date.")
    var force = false

    @Option(name: .shortAndLong, help: "Tasks to run at once (the default is the number of CPUs).")
    var jobs: Int = ProcessorCount.active

    @Flag(name: .shortAndLong, help: "Attach the task to the terminal (standard input, no prefixes), even after deps.")
    var interactive = false

    @Option(
        name: [.customShort("e"), .customLong("env")],
        help: ArgumentHelp(
            "NAME=VALUE (or NAME: your own value) set in every task, over the profile's [env] and the task's env.",
            valueName: "NAME=VALUE"))
    var env: [String] = []

    @Argument(help: ArgumentHelp(
        "Tasks to run; after --, the arguments of the one task named (its \"$@\").", valueName: "task"))
    var words: [String] = []

    /// The words before `--`: ArgumentParser appends the words after it to the same array, and
    /// `@Argument(parsing: .postTerminator)` cannot be used for them: its validator (1.8.2,
    /// PositionalArgumentsValidator) refuses any positional array after another, so the command
    /// line says where `--` was.
    var tasks: [String] { Array(words.dropLast(arguments.count)) }

    /// The words after the first `--` of the command line.
    var arguments: [String] {
        guard let terminator = CommandLine.arguments.firstIndex(of: "--") else { return [] }
        return Array(CommandLine.arguments[(terminator + 1)...].suffix(words.count))
    }

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be 1 or more") }
        if json && !list { throw ValidationError("--json goes with --list") }
    }

    func run() async throws {
        if tasks.isEmpty && !arguments.isEmpty { throw TaskError.argumentsNeedOneTask([]) }
        if list || tasks.isEmpty {
            try listTasks()
            return
        }
        let request = RunRequest(
            selection: global.selection, purity: purity.override, force: force, jobs: jobs,
            interactive: interactive, env: env, tasks: tasks, arguments: arguments)
        try await request.run()
    }

    private func listTasks() throws {
        let layout = try global.layout()
        let manifest = try ManifestLoader.load(path: layout.manifest, displayName: EnvironmentResolver(layout: layout).displayName)
        let specs = try manifest.tasks(of: manifest.resolve(profile: global.profile))
        if json {
            Terminal.write(try TaskListing.json(specs) + "\n")
        } else {
            Terminal.write(TaskListing.text(specs, profile: global.profile, file: manifest.file, hint: tasks.isEmpty && !list))
        }
    }
}

/// One `slipway run TASK...` to carry out, from ArgumentParser's ``Run`` or from ``plain(_:)``.
struct RunRequest {
    var selection = ProjectSelection()
    /// `--pure` (`true`), `--impure` (`false`) or neither.
    var purity: Bool?
    var force = false
    /// `-j N`, or `nil` for ``ProcessorCount/active`` (read only then).
    var jobs: Int?
    var interactive = false
    /// `-e NAME=VALUE` entries, unparsed.
    var env: [String] = []
    var tasks: [String]
    /// The words after `--`.
    var arguments: [String] = []

    /// Runs the tasks: loads the session, plans, runs, prints the summary.
    /// - Throws: manifest, environment and task errors; ``ExitCodeError`` with the first failed
    ///   task's status, or 130 after Ctrl-C.
    func run() async throws {
        let inherited = ProcessLauncher.currentEnvironment()
        let overrides = try env.map { try EnvironmentOverride(parsing: $0, inherited: inherited) }
        let session = try await TaskSession.load(selection, purity: purity)
        if session.tasks.isEmpty { throw TaskError.noTasks }
        let plan = try TaskPlan(session.tasks, requested: tasks)
        let invocation = try TaskInvocation.make(
            requested: tasks, arguments: arguments, interactive: interactive, plan: plan,
            onTerminal: isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1)
        let (outcomes, interrupted) = try await session.run(
            plan, parallelism: jobs ?? ProcessorCount.active, force: force, invocation: invocation, overrides: overrides)
        if let text = TaskReport.summary(outcomes, plan: plan) { Terminal.writeError(text) }
        if interrupted { throw ExitCodeError(code: 130) }
        if let failure = outcomes.first(where: { $0.status == .failed }) { throw ExitCodeError(code: failure.exitCode ?? 1) }
    }

    /// The request of a plain `run` command line (`arguments` after `slipway`): `run`, then task
    /// names and only `--profile P`, `--manifest M`, `-j N`/`--jobs N` (N at least 1) and
    /// `--force`, each value its own word. `nil` for anything else (another option, `--`, `=`
    /// forms, a word of ArgumentParser's own such as `help`), which ArgumentParser then parses
    /// with its help and error messages.
    ///
    /// Why: ArgumentParser's parse of `run` costs a few milliseconds of protocol-conformance
    /// scans on every start, a fifth of a one-task `run` (issue 15); the line a Makefile
    /// replacement sees most needs none of it.
    static func plain(_ arguments: [String]) -> RunRequest? {
        guard arguments.first == "run" else { return nil }
        var request = RunRequest(tasks: [])
        var words = arguments.dropFirst()[...]
        while let word = words.popFirst() {
            switch word {
            case "--force": request.force = true
            case "--profile", "--manifest", "-j", "--jobs":
                guard let value = words.popFirst(), !value.hasPrefix("-") else { return nil }
                if word == "--profile" { request.selection.profile = value }
                if word == "--manifest" { request.selection.manifest = value }
                if word == "-j" || word == "--jobs" {
                    guard let jobs = Int(value), jobs >= 1 else { return nil }
                    request.jobs = jobs
                }
            default:
                guard !word.hasPrefix("-"), !Slipway.builtInWords.contains(word) else { return nil }
                request.tasks.append(word)
            }
        }
        return request.tasks.isEmpty ? nil : request
    }
}
