import Foundation
import SlipwayCore
import SlipwayEnvironment
import SlipwayManifest
import Testing
@testable import SlipwayPipeline

/// Issue 14 item 6 in the runner, with real `sh`: arguments as `"$@"`, `sequential = true`,
/// `-e` over a task's `env`, and when a task is attached to the terminal.
@Suite("Task arguments, order and overrides")
struct TaskInvocationTests {
    let root: String

    init() throws {
        root = NSTemporaryDirectory() + "slipway-invocation-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func task(_ name: String, _ run: String, deps: [String] = [], sequential: Bool = false) -> TaskSpec {
        var spec = TaskSpec(name: name, run: run, location: SourceLocation(file: "slipway.toml", line: 1, column: 1))
        spec.deps = deps
        spec.sequential = sequential
        return spec
    }

    func runner(_ invocation: TaskInvocation? = nil, overrides: [EnvironmentOverride] = []) -> TaskRunner {
        var configuration = TaskRunner.Configuration(
            root: root, profile: "dev", environment: ["PATH": "/usr/bin:/bin"], environmentKey: "k",
            outRoot: root + "/.slipway/out/dev", stateDirectory: root + "/.slipway/tasks/dev", parallelism: 4,
            console: -1)
        configuration.invocation = invocation
        configuration.overrides = overrides
        return TaskRunner(configuration)
    }

    func lines(_ file: String) throws -> [String] {
        try String(contentsOfFile: root + "/" + file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast().map(String.init)
    }

    @Test func argumentsArriveAsPositionalParametersUnsplitAndUnexpanded() async throws {
        let arguments = ["-k", "login and not slow", "it's", "$HOME", "*", ""]
        let tasks = [task("prep", "echo \"prep:$#\" > prep.txt"),
                     task("test", "printf '[%s]\\n' \"$#\" \"$@\" > args.txt", deps: ["prep"])]
        let plan = try TaskPlan(tasks, requested: ["test"])
        let outcomes = await runner(TaskInvocation(task: "test", arguments: arguments, attached: false))
            .run(plan, services: nil)
        #expect(outcomes.allSatisfy { $0.status == .succeeded }, "\(outcomes)")
        #expect(try lines("args.txt") == ["[6]", "[-k]", "[login and not slow]", "[it's]", "[$HOME]", "[*]", "[]"])
        #expect(try lines("prep.txt") == ["prep:0"], "a dependency gets no arguments")
        let log = try String(contentsOfFile: root + "/.slipway/tasks/dev/logs/test.log", encoding: .utf8)
        #expect(log.contains("with arguments: -k 'login and not slow' 'it'\\''s' '$HOME' '*' ''"), "\(log)")
    }

    @Test func argumentsArePartOfTheFingerprint() async throws {
        var spec = task("count", "echo \"$@\" >> runs.txt")
        try "x".write(toFile: root + "/in.txt", atomically: true, encoding: .utf8)
        spec.inputs = ["in.txt"]
        let plan = try TaskPlan([spec], requested: ["count"])
        for words in [["a"], ["a"], ["b"], []] {
            _ = await runner(TaskInvocation(task: "count", arguments: words, attached: false)).run(plan, services: nil)
        }
        #expect(try lines("runs.txt") == ["a", "b", ""], "the same arguments skip; others rerun")
    }

    @Test func sequentialDepsRunOneAtATimeInTheListedOrder() async throws {
        // Without `sequential`, a, b and c (and c's own dep) would start together at -j 4.
        let step = { (name: String) in "echo \(name)-start >> order.log; sleep 0.2; echo \(name)-end >> order.log" }
        let tasks = [task("a", step("a")), task("b", step("b")), task("c", step("c"), deps: ["c0"]),
                     task("c0", step("c0")), task("all", "echo all >> order.log", deps: ["a", "b", "c"], sequential: true)]
        let plan = try TaskPlan(tasks, requested: ["all"])
        #expect(plan.tasks.map(\.name) == ["a", "b", "c0", "c", "all"])
        let outcomes = await runner().run(plan, services: nil)
        #expect(outcomes.allSatisfy { $0.status == .succeeded }, "\(outcomes)")
        #expect(try lines("order.log") == ["a-start", "a-end", "b-start", "b-end", "c0-start", "c0-end",
                                           "c-start", "c-end", "all"])
    }

    @Test func aFailedSequentialDepStopsTheRest() async throws {
        let tasks = [task("install", "exit 3"), task("migrate", "touch migrated"),
                     task("setup", "true", deps: ["install", "migrate"], sequential: true)]
        let outcomes = await runner().run(try TaskPlan(tasks, requested: ["setup"]), services: nil)
        let byName = Dictionary(uniqueKeysWithValues: outcomes.map { ($0.name, $0) })
        #expect(byName["install"]?.status == .failed)
        #expect(byName["migrate"]?.status == .notRun && byName["migrate"]?.reason == "'install' failed")
        #expect(byName["setup"]?.status == .notRun)
        #expect(!FileManager.default.fileExists(atPath: root + "/migrated"))
    }

    @Test func contradictorySequentialOrdersAreAnError() throws {
        let crossed = [task("a", "true"), task("b", "true"),
                       task("x", "true", deps: ["a", "b"], sequential: true),
                       task("y", "true", deps: ["b", "a"], sequential: true)]
        #expect(throws: TaskError.self) { try TaskPlan(crossed, requested: ["x", "y"]) }
        do {
            _ = try TaskPlan(crossed, requested: ["x", "y"])
        } catch {
            guard case .sequentialCycle(let cycle) = error else { Issue.record("\(error)"); return }
            #expect(Set(cycle) == ["a", "b"], "\(cycle)")
        }
        // A dep already needed by an earlier one has run by then: no contradiction.
        let needed = [task("a", "true", deps: ["b"]), task("b", "true"),
                      task("x", "true", deps: ["a", "b"], sequential: true)]
        #expect(try TaskPlan(needed, requested: ["x"]).tasks.map(\.name) == ["b", "a", "x"])
    }

    @Test func callerOverridesWinOverTheTasksEnv() async throws {
        var spec = task("env", "echo \"$MODE $URL\" > env.txt")
        spec.env = [EnvEntry(name: "MODE", value: "test", location: spec.location),
                    EnvEntry(name: "URL", value: "http://$HOST/", location: spec.location)]
        let overrides = [EnvironmentOverride(name: "MODE", value: "debug"), EnvironmentOverride(name: "HOST", value: "h")]
        _ = await runner(overrides: overrides).run(try TaskPlan([spec], requested: ["env"]), services: nil)
        #expect(try lines("env.txt") == ["debug http://h/"])
    }

    @Test func whenATaskIsAttachedAndWhenArgumentsAreRefused() throws {
        let tasks = [task("lint", "true"), task("test", "true", deps: ["lint"]), task("one", "true")]
        let one = try TaskPlan(tasks, requested: ["one"])
        let withDeps = try TaskPlan(tasks, requested: ["test"])
        func make(_ names: [String], _ args: [String] = [], i: Bool = false, plan: TaskPlan, tty: Bool) throws -> TaskInvocation? {
            try TaskInvocation.make(requested: names, arguments: args, interactive: i, plan: plan, onTerminal: tty)
        }
        #expect(try make(["one"], plan: one, tty: true)?.attached == true, "alone, on a terminal")
        #expect(try make(["one"], plan: one, tty: false)?.attached == false, "not on a terminal")
        #expect(try make(["test"], plan: withDeps, tty: true)?.attached == false, "with deps to run first")
        #expect(try make(["test"], i: true, plan: withDeps, tty: false)?.attached == true, "-i")
        #expect(try make(["test"], ["-x"], plan: withDeps, tty: false) == TaskInvocation(task: "test", arguments: ["-x"], attached: false))
        let two = try TaskPlan(tasks, requested: ["one", "test"])
        #expect(try make(["one", "test"], plan: two, tty: true) == nil)
        #expect(throws: TaskError.argumentsNeedOneTask(["one", "test"])) { try make(["one", "test"], ["-k"], plan: two, tty: false) }
        #expect(throws: TaskError.interactiveNeedsOneTask(["one", "test"])) { try make(["one", "test"], i: true, plan: two, tty: true) }
        #expect(TaskError.argumentsNeedOneTask(["one", "test"]).message
            == "arguments after -- go to one task, and 2 were named (one, test); run the others separately: slipway run test -- ARGS")
    }
}
