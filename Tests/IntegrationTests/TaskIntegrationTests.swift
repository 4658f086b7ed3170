import Foundation
import Testing

/// `slipway run`: the task graph with real processes, skipping, and services around tasks.
@Suite("Tasks", .tags(.integration))
struct TaskIntegrationTests {
    static let header = """
        [nix]
        nixpkgs = "@OFFLINE@"
        [packages]
        busybox = "busybox"
        redis = "redis"

        """

    @Test func dependenciesRunFirstIndependentTasksRunTogetherAndAFailureStopsDependents() throws {
        // `a` and `b` can only both succeed if they run at the same time: each waits (up to 20 s)
        // for the other's marker. `report` needs both; `deploy` needs `broken`.
        let dir = try project(Self.header + """
            [tasks.a]
            run = "touch a.started; for i in $(seq 200); do [ -f b.started ] && exit 0; sleep 0.1; done; exit 1"
            [tasks.b]
            run = "touch b.started; for i in $(seq 200); do [ -f a.started ] && exit 0; sleep 0.1; done; exit 1"
            [tasks.report]
            run = "echo report ran; [ -f a.started ] && [ -f b.started ]"
            deps = ["a", "b"]
            [tasks.broken]
            run = "echo about to fail; exit 7"
            [tasks.deploy]
            run = "touch deployed"
            deps = ["broken"]
            [tasks.other]
            run = "sleep 0.5; touch other.done"
            """)
        let ok = try slipway(["run", "report"], in: dir)
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(lines(ok.stdout, of: "report").contains("report ran"))
        let order = ok.stdout.split(separator: "\n").filter { $0.contains("succeeded") }.map { $0.split(separator: " ")[0] }
        #expect(order.last == "report", "report finishes after its dependencies: \(order)")

        let failed = try slipway(["run", "deploy", "other"], in: dir)
        #expect(failed.status == 7, "the first failure's exit status: \(failed.status) \(failed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/deployed"), "a dependent of a failed task does not run")
        #expect(FileManager.default.fileExists(atPath: dir + "/other.done"), "an independent task still finishes")
        #expect(failed.stderr.contains("deploy: not-run ('broken' failed)"), "\(failed.stderr)")
        #expect(lines(failed.stdout, of: "broken").contains("about to fail"))

        let unknown = try slipway(["run", "deplyo"], in: dir)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no task named 'deplyo'; did you mean 'deploy'?"), "\(unknown.stderr)")

        let list = try slipway(["run", "--list", "--json"], in: dir)
        let rows = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.map { $0["name"] as? String } == ["a", "b", "report", "broken", "deploy", "other"])
    }

    /// A plain command line (`run`, task names, `--profile`, `--manifest`, `-j`, `--force`) skips
    /// ArgumentParser (RunRequest.plain); every other line still goes through it. Both must give
    /// the same runs, outcomes and errors.
    @Test func plainAndParsedCommandLinesRunTheSame() throws {
        let dir = try project(Self.header + """
            [tasks.count]
            run = "echo $SLIPWAY_TASK >> runs.log"
            inputs = ["slipway.toml"]
            [tasks.fail]
            run = "exit 3"
            """)
        func runs() throws -> Int { try String(contentsOfFile: dir + "/runs.log", encoding: .utf8).split(separator: "\n").count }
        let plain = try slipway(["run", "--manifest", dir + "/slipway.toml", "-j", "2", "count"], in: "/")
        #expect(plain.status == 0, "\(plain.stdout)\(plain.stderr)")
        #expect(try runs() == 1)
        let skipped = try slipway(["run", "--profile", "dev", "count"], in: dir)
        #expect(skipped.stderr.contains("count: skipped"), "up to date, through the plain path: \(skipped.stderr)")
        #expect(try runs() == 1)
        let forced = try slipway(["run", "--force", "count"], in: dir)
        let forcedRuns = try runs()
        #expect(forced.status == 0 && forcedRuns == 2, "--force reruns it: \(forced.stderr)")
        let parsed = try slipway(["run", "--jobs=1", "count"], in: dir)
        #expect(parsed.stderr.contains("count: skipped"), "`=` forms go through ArgumentParser: \(parsed.stderr)")
        let failed = try slipway(["run", "fail"], in: dir)
        #expect(failed.status == 3, "a failed task's status: \(failed.status) \(failed.stderr)")
        let zero = try slipway(["run", "-j", "0", "count"], in: dir)
        #expect(zero.status != 0 && zero.stderr.contains("--jobs must be 1 or more"), "ArgumentParser's error: \(zero.stderr)")
        let help = try slipway(["run", "--help"], in: dir)
        #expect(help.stdout.contains("USAGE: slipway run"), "`--help` is ArgumentParser's: \(help.stdout)\(help.stderr)")
        let unknownProfile = try slipway(["run", "--profile", "nope", "count"], in: dir)
        #expect(unknownProfile.status != 0 && unknownProfile.stderr.contains("nope"), "\(unknownProfile.stderr)")
    }

    @Test func aTaskWithUnchangedInputsAndOutputsIsSkipped() throws {
        let dir = try project(Self.header + """
            [tasks.bundle]
            description = "concatenate the sources"
            run = "echo built >> runs.log; mkdir -p dist; cat src/*.txt > dist/bundle.txt; cp dist/bundle.txt $SLIPWAY_OUT/copy.txt"
            inputs = ["src/**/*.txt"]
            outputs = ["dist/bundle.txt", "$SLIPWAY_OUT/copy.txt"]
            """)
        try FileManager.default.createDirectory(atPath: dir + "/src/deep", withIntermediateDirectories: true)
        try "one\n".write(toFile: dir + "/src/a.txt", atomically: true, encoding: .utf8)
        try "two\n".write(toFile: dir + "/src/deep/b.txt", atomically: true, encoding: .utf8)
        func runs() throws -> Int { try String(contentsOfFile: dir + "/runs.log", encoding: .utf8).split(separator: "\n").count }

        #expect(try slipway(["run", "bundle"], in: dir).status == 0)
        #expect(try runs() == 1)
        let second = try slipway(["run", "bundle"], in: dir)
        #expect(second.status == 0)
        #expect(second.stdout.contains("up to date"), "\(second.stdout)")
        #expect(try runs() == 1, "unchanged: skipped")

        // A touch changes nothing (content decides); an edit anywhere under the glob reruns.
        #expect(utime(dir + "/src/a.txt", nil) == 0)
        _ = try slipway(["run", "bundle"], in: dir)
        #expect(try runs() == 1)
        try "two, edited\n".write(toFile: dir + "/src/deep/b.txt", atomically: true, encoding: .utf8)
        _ = try slipway(["run", "bundle"], in: dir)
        #expect(try runs() == 2, "an input changed")
        _ = try slipway(["run", "bundle"], in: dir)
        #expect(try runs() == 2)

        // An output removed or changed since the last success reruns too; --force always does.
        try FileManager.default.removeItem(atPath: dir + "/dist/bundle.txt")
        _ = try slipway(["run", "bundle"], in: dir)
        #expect(try runs() == 3, "an output was deleted")
        try "tampered\n".write(toFile: dir + "/dist/bundle.txt", atomically: true, encoding: .utf8)
        _ = try slipway(["run", "bundle"], in: dir)
        #expect(try runs() == 4, "an output was changed")
        _ = try slipway(["run", "bundle", "--force"], in: dir)
        #expect(try runs() == 5)
        // A failed run is never "up to date".
        try "x".write(toFile: dir + "/src/c.txt", atomically: true, encoding: .utf8)
        let manifest = try String(contentsOfFile: dir + "/slipway.toml", encoding: .utf8)
        try manifest.replacingOccurrences(of: "cp dist/bundle.txt $SLIPWAY_OUT/copy.txt", with: "cp dist/bundle.txt $SLIPWAY_OUT/copy.txt; exit 2")
            .write(toFile: dir + "/slipway.toml", atomically: true, encoding: .utf8)
        #expect(try slipway(["run", "bundle"], in: dir).status == 2)
        #expect(try slipway(["run", "bundle"], in: dir).status == 2, "still runs (and fails) after a failure")
    }

    @Test func servicesAreStartedBeforeATaskAndStoppedAfterItUnlessAlreadyUp() throws {
        let dir = try project(Self.header + """
            [services.redis]
            command = "exec redis-server --bind 127.0.0.1 --port $PORT --save '' --dir $STATE_DIR"
            port = "auto"
            ready = { exec = "redis-cli -p $PORT ping" }
            [services.web]
            setup = "mkdir -p $STATE_DIR/www && echo hello > $STATE_DIR/www/index.html"
            command = "exec busybox httpd -f -p 127.0.0.1:$PORT -h $STATE_DIR/www"
            port = "auto"
            ready = { http = "/" }
            [tasks.check]
            run = "redis-cli -p $REDIS_PORT set greeting hi && redis-cli -p $REDIS_PORT get greeting > $SLIPWAY_OUT/got.txt"
            services = ["redis"]
            [tasks.plain]
            run = "true"
            """)
        let result = try slipway(["run", "check"], in: dir)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(try String(contentsOfFile: dir + "/.slipway/out/dev/check/got.txt", encoding: .utf8) == "hi\n")
        #expect(try slipway(["ps"], in: dir).status != 0, "the supervisor started for the task is gone")
        let ports = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/.slipway/state/dev/ports.json"))) as? [String: Int]
        let redisPort = try #require(ports?["redis"])
        #expect(!listens(redisPort), "redis was stopped after the task")

        // Already up: left running, and a service the task does not need is not started.
        #expect(try slipway(["up", "-d", "redis"], in: dir).status == 0)
        defer { _ = try? slipway(["down"], in: dir) }
        let again = try slipway(["run", "check"], in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        let ps = try slipway(["ps", "--json"], in: dir)
        #expect(ps.status == 0 && ps.stdout.contains("\"ready\""), "redis is still up: \(ps.stdout)")
        #expect(listens(redisPort))
        if let webPort = ports?["web"] { #expect(!listens(webPort), "web is not needed by the task, so not started") }

        // A service that cannot start fails the task (exit 1) without running it.
        let broken = try project(Self.header + """
            [services.bad]
            command = "exit 3"
            ready = { exec = "false" }
            restart = "no"
            [services.good]
            command = "exec sleep 1000"
            [tasks.needs-bad]
            run = "touch ran"
            services = ["bad"]
            [tasks.needs-good]
            run = "touch good-ran"
            services = ["good"]
            """)
        let failed = try slipway(["run", "needs-bad", "needs-good"], in: broken)
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: broken + "/ran"))
        #expect(FileManager.default.fileExists(atPath: broken + "/good-ran"), "a failed service fails only the tasks that need it")
        #expect(try slipway(["ps"], in: broken).status != 0, "no supervisor left behind")
    }

    @Test func tasksNeedingDifferentServicesShareOneStartAndConcurrentRunsDoNotStopEachOther() throws {
        let dir = try project(Self.header + """
            [services.db]
            command = "exec sleep 1000"
            [services.cache]
            command = "exec sleep 1001"
            [tasks.migrate]
            run = "echo migrating"
            services = ["db"]
            [tasks.test]
            run = "echo testing"
            deps = ["migrate"]
            services = ["db", "cache"]
            [tasks.report]
            run = "echo reporting"
            deps = ["migrate"]
            services = ["cache"]
            [tasks.slow]
            run = "touch slow.started; for i in $(seq 100); do [ -f release ] && exit 0; sleep 0.1; done; exit 1"
            services = ["db"]
            [tasks.quick]
            run = "echo quick"
            services = ["db"]
            [tasks.chatty]
            run = "for i in $(seq 200); do echo line $i; sleep 0.01; done"
            services = ["db"]
            """)
        let sequence = try slipway(["run", "test"], in: dir)
        #expect(sequence.status == 0, "\(sequence.stdout)\(sequence.stderr)")
        #expect(try slipway(["ps"], in: dir).status != 0, "stopped after the last task")
        // A chain whose tasks need different services: the first one ending stops nothing yet.
        let chain = try slipway(["run", "report"], in: dir)
        #expect(chain.status == 0, "\(chain.stdout)\(chain.stderr)")
        #expect(try slipway(["ps"], in: dir).status != 0)

        // A second run ending first leaves the services to the run still using them.
        let first = try runToFiles("/usr/bin/env", ["sh", "-c", "'\(slipwayBinary)' run slow > slow.log 2>&1 &"], in: dir)
        #expect(first.status == 0)
        #expect(waitFor { FileManager.default.fileExists(atPath: dir + "/slow.started") })
        #expect(try slipway(["run", "quick"], in: dir).status == 0)
        #expect(try slipway(["ps"], in: dir).stdout.contains("db"), "the other run's services are still up")
        try "".write(toFile: dir + "/release", atomically: true, encoding: .utf8)
        #expect(waitFor { (try? slipway(["ps"], in: dir).status) != 0 }, "the last run stops them")
        #expect(waitFor { (try? String(contentsOfFile: dir + "/slow.log", encoding: .utf8))?.contains("[slipway] succeeded") == true })

        // Output closed early (`| head`): Slipway still stops what it started.
        let piped = try run("/usr/bin/env", ["sh", "-c", "'\(slipwayBinary)' run chatty | head -1"], in: dir)
        #expect(piped.status == 0)
        #expect(waitFor { (try? slipway(["ps"], in: dir).status) != 0 }, "no supervisor left after a broken pipe")
    }

    @Test func runningTasksAreStoppedWhenSlipwayIsKilled() throws {
        let dir = try project(Self.header + """
            [tasks.long]
            run = "echo $$ > task.pid; sleep 60"
            """)
        let started = try runToFiles("/usr/bin/env", ["sh", "-c", "'\(slipwayBinary)' run long > long.log 2>&1 & echo $! > slipway.pid"], in: dir)
        #expect(started.status == 0)
        #expect(waitFor { FileManager.default.fileExists(atPath: dir + "/task.pid") })
        let slipwayPid = try #require(Int32(String(contentsOfFile: dir + "/slipway.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        let taskPid = try #require(Int32(String(contentsOfFile: dir + "/task.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(taskPid, 0) == 0)
        #expect(kill(slipwayPid, SIGKILL) == 0)
        #expect(waitFor { kill(taskPid, 0) != 0 }, "the guardian stops the task's group when slipway dies")
    }

    func waitFor(_ condition: () -> Bool) -> Bool {
        for _ in 0..<300 {
            if condition() { return true }
            usleep(50_000)
        }
        return false
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    func listens(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
