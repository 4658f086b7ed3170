import Foundation
import SlipwayCore
import SlipwayManifest
import Testing
@testable import SlipwayPipeline

/// The scheduler with real `sh` processes (no Nix): order, parallelism, failure propagation,
/// skipping, services hooks.
@Suite("Task runner")
struct TaskRunnerTests {
    let root: String

    init() throws {
        root = NSTemporaryDirectory() + "slipway-runner-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func task(_ name: String, _ run: String, deps: [String] = [], services: [String] = [], inputs: [String] = [], outputs: [String] = []) -> TaskSpec {
        var spec = TaskSpec(name: name, run: run, location: SourceLocation(file: "slipway.toml", line: 1, column: 1))
        spec.deps = deps
        spec.services = services
        spec.inputs = inputs
        spec.outputs = outputs
        return spec
    }

    func runner(parallelism: Int = 4) -> TaskRunner {
        TaskRunner(.init(root: root, profile: "dev", environment: ["PATH": "/usr/bin:/bin"], environmentKey: "k",
                         outRoot: root + "/.slipway/out/dev", stateDirectory: root + "/.slipway/tasks/dev", parallelism: parallelism, console: -1))
    }

    func log() throws -> [String] {
        try String(contentsOfFile: root + "/order.log", encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test func dependenciesFinishBeforeDependentsStart() async throws {
        let tasks = [
            task("c", "echo c >> order.log", deps: ["a", "b"]),
            task("a", "sleep 0.2; echo a >> order.log"),
            task("b", "echo b >> order.log", deps: ["a"]),
            task("unrelated", "echo unrelated"),
        ]
        let plan = try TaskPlan(tasks, requested: ["c"])
        #expect(plan.tasks.map(\.name) == ["a", "b", "c"], "only c and what it needs, dependencies first")
        let outcomes = await runner().run(plan, services: nil)
        #expect(outcomes.map(\.name) == ["a", "b", "c"])
        #expect(outcomes.allSatisfy { $0.status == .succeeded })
        #expect(try log() == ["a", "b", "c"])
    }

    @Test func independentTasksOverlapAndParallelismOneSerialises() async throws {
        // Each waits for the other's marker: both succeed only when they run at the same time.
        let a = task("a", "touch a.on; for i in $(seq 100); do [ -f b.on ] && exit 0; sleep 0.05; done; exit 1")
        let b = task("b", "touch b.on; for i in $(seq 100); do [ -f a.on ] && exit 0; sleep 0.05; done; exit 1")
        let together = await runner().run(try TaskPlan([a, b], requested: ["a", "b"]), services: nil)
        #expect(together.allSatisfy { $0.status == .succeeded }, "\(together)")
        try FileManager.default.removeItem(atPath: root + "/a.on")
        try FileManager.default.removeItem(atPath: root + "/b.on")
        let quick = [task("x", "echo x >> order.log; sleep 0.1; echo x >> order.log"), task("y", "echo y >> order.log; sleep 0.1; echo y >> order.log")]
        _ = await runner(parallelism: 1).run(try TaskPlan(quick, requested: ["x", "y"]), services: nil)
        #expect(try log() == ["x", "x", "y", "y"], "-j 1 never interleaves")
    }

    @Test func aFailureStopsItsDependentsButNotIndependentTasks() async throws {
        let tasks = [
            task("broken", "exit 5"),
            task("child", "touch child", deps: ["broken"]),
            task("grandchild", "touch grandchild", deps: ["child"]),
            task("sibling", "sleep 0.2; touch sibling"),
        ]
        let outcomes = await runner().run(try TaskPlan(tasks, requested: ["grandchild", "sibling"]), services: nil)
        let byName = Dictionary(uniqueKeysWithValues: outcomes.map { ($0.name, $0) })
        #expect(byName["broken"]?.status == .failed && byName["broken"]?.exitCode == 5)
        #expect(byName["child"]?.status == .notRun && byName["grandchild"]?.status == .notRun)
        #expect(byName["grandchild"]?.reason == "'child' did not run")
        #expect(byName["sibling"]?.status == .succeeded)
        #expect(outcomes.first?.name == "broken", "outcomes in the order they ended")
        #expect(!FileManager.default.fileExists(atPath: root + "/child") && FileManager.default.fileExists(atPath: root + "/sibling"))
        let signalled = await runner().run(try TaskPlan([task("killed", "kill -9 $$")], requested: ["killed"]), services: nil)
        #expect(signalled.first?.exitCode == 137 && signalled.first?.reason == "killed by SIGKILL")
    }

    @Test func cancelStopsRunningTasksAndStartsNoMore() async throws {
        let r = runner()
        let started = root + "/started"
        let plan = try TaskPlan(
            [task("long", "touch '\(started)'; sleep 30"), task("after", "touch after", deps: ["long"])],
            requested: ["after"])
        // A thread of its own, not a Task: in a full parallel run other suites' blocking waits can
        // hold every thread of the cooperative pool for longer than the 30 s sleep. It cancels once
        // the task runs (a cancel before the run starts would stop it before anything ran).
        Thread.detachNewThread {
            for _ in 0..<12_000 where !FileManager.default.fileExists(atPath: started) { usleep(10_000) }
            r.cancel()
        }
        let outcomes = await r.run(plan, services: nil)
        #expect(outcomes.map(\.status) == [.cancelled, .notRun], "a 30 s sleep that ran to its end would be 'succeeded'")
        #expect(!FileManager.default.fileExists(atPath: root + "/after"))
    }

    @Test func servicesAreAcquiredOnceAndReleasedAfterTheirLastTask() async throws {
        actor Recorder: TaskServices {
            var events: [String] = []
            func acquire(_ services: [String]) async throws { events.append("acquire " + services.joined(separator: ",")) }
            func release(_ services: [String]) async { events.append("release " + services.joined(separator: ",")) }
        }
        let recorder = Recorder()
        let tasks = [task("a", "true", services: ["db"]), task("b", "true", deps: ["a"], services: ["db", "cache"]), task("c", "true", deps: ["b"])]
        _ = await runner().run(try TaskPlan(tasks, requested: ["c"]), services: recorder)
        #expect(await recorder.events == ["acquire db", "acquire db,cache", "release db,cache"])
    }

    @Test func environmentOutFolderAndTaskEnv() async throws {
        var spec = task("env", "echo \"$SLIPWAY_TASK $GREETING\" > $SLIPWAY_OUT/said.txt; pwd > $SLIPWAY_OUT/cwd.txt")
        spec.env = [EnvEntry(name: "GREETING", value: "hello from $SLIPWAY_TASK", location: spec.location)]
        try FileManager.default.createDirectory(atPath: root + "/sub", withIntermediateDirectories: true)
        spec.cwd = "sub"
        _ = await runner().run(try TaskPlan([spec], requested: ["env"]), services: nil)
        let out = root + "/.slipway/out/dev/env"
        #expect(try String(contentsOfFile: out + "/said.txt", encoding: .utf8) == "env hello from env\n")
        #expect(try String(contentsOfFile: out + "/cwd.txt", encoding: .utf8).hasSuffix("/sub\n"))
        #expect(FileManager.default.fileExists(atPath: root + "/.slipway/tasks/dev/logs/env.log"))
    }

    @Test func unknownTaskIsAnError() {
        #expect(throws: TaskError.unknownTask("tset", known: ["test"])) { try TaskPlan([task("test", "true")], requested: ["tset"]) }
    }
}

@Suite("Globs and JUnit")
struct GlobAndJUnitTests {
    @Test(arguments: [
        ("src/**/*.php", "src/a.php", true), ("src/**/*.php", "src/x/y/a.php", true), ("src/**/*.php", "src/a.txt", false),
        ("src/*.php", "src/x/a.php", false), ("*.md", "README.md", true), ("**", "a/b/c", true), ("a/?.txt", "a/1.txt", true),
        ("tests", "tests", true), ("src/**/*.php", "lib/a.php", false), ("*.md", ".hidden.md", false),
    ])
    func matches(_ pattern: String, _ path: String, _ expected: Bool) {
        #expect(FileGlob(pattern).matches(path) == expected)
    }

    @Test func expandWalksFromTheLiteralPrefixAndSkipsState() throws {
        let root = NSTemporaryDirectory() + "slipway-glob-" + UUID().uuidString.prefix(8)
        for file in ["src/a.php", "src/deep/b.php", "src/c.txt", "tests/t.php", ".slipway/x.php", "README.md"] {
            try FileManager.default.createDirectory(atPath: root + "/" + (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try "x".write(toFile: root + "/" + file, atomically: true, encoding: .utf8)
        }
        #expect(FileGlob.expand(["src/**/*.php"], root: root) == ["src/a.php", "src/deep/b.php"])
        #expect(FileGlob.expand(["tests", "README.md"], root: root) == ["README.md", "tests/t.php"])
        #expect(FileGlob.expand(["**/*.php"], root: root) == ["src/a.php", "src/deep/b.php", "tests/t.php"])
    }

    @Test func junitCountsAndNamesFailures() throws {
        let path = NSTemporaryDirectory() + "junit-" + UUID().uuidString.prefix(8) + ".xml"
        try """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites><testsuite name="s" tests="4">
              <testcase name="testOk" classname="App.OkTest"/>
              <testcase name="testBad" classname="App.BadTest"><failure type="x">App\\BadTest::testBad
            Failed asserting that false is true.
            </failure></testcase>
              <testcase name="testBoom" class="App\\BoomTest"><error message="boom happened">trace</error></testcase>
              <testcase name="testLater" classname="App.LaterTest"><skipped/></testcase>
            </testsuite></testsuites>
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let report = try #require(JUnitReport.read(path))
        #expect(report.tests == 4 && report.failures == 1 && report.errors == 1 && report.skipped == 1)
        #expect(report.failed.map(\.test) == ["App.BadTest::testBad", "App\\BoomTest::testBoom"])
        #expect(report.failed.map(\.message) == ["Failed asserting that false is true.", "boom happened"])
        #expect(JUnitReport.read(path + ".missing") == nil)
    }
}

/// Which first word of a task's script is looked up on PATH for the host-tool warning.
@Suite("Host tools")
struct HostToolsTests {
    @Test("the first program of a script", arguments: [
        ("cargo test", "cargo"), ("# build\nset -e\nmake all", "make"), ("echo hi; make", nil),
        ("./gradlew build", nil), ("FOO=1 make", nil), ("$CC -o x x.c", nil), ("if true; then make; fi", nil),
        ("   \n\nnode x.js | tee log", "node"),
    ] as [(String, String?)])
    func firstProgram(_ script: String, _ expected: String?) {
        #expect(HostTools.firstProgram(script) == expected)
    }
}
