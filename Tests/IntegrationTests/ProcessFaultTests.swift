import Foundation
import Testing

/// Issue 17 items 2 and 5: `kill -9` of `slipway run`, `slipway ci` and a foreground
/// `slipway up` at several moments leaves no process of the project behind; a readiness probe
/// cannot stall the supervisor.
@Suite("Process faults", .tags(.integration), .serialized)
struct ProcessFaultTests {
    /// Sleep-based services: `db` stops on SIGINT saying so (a clean stop is visible in its
    /// log), `cache` leaves a child behind, the task runs until killed.
    static let manifest = """
        [nix]
        nixpkgs = "@OFFLINE@"
        [packages]
        busybox = "busybox"
        [services.db]
        command = "trap 'echo db got INT; exit 0' INT; echo db up; while true; do busybox sleep 0.05; done"
        stop_signal = "SIGINT"
        ready = { log = "^db up$" }
        [services.cache]
        command = "busybox sleep 1000 & exec busybox sleep 1001"
        depends_on = { db = "healthy" }
        [tasks.work]
        run = "touch task-started; exec busybox sleep 999"
        services = ["db", "cache"]
        [tasks.quick]
        run = "echo quick done"
        services = ["db"]
        [ci]
        tasks = ["work"]

        """

    enum Moment: String, CaseIterable, Sendable {
        /// 300 ms after the start: settling ports, the environment, the guardian.
        case early
        /// The supervisor process exists (`run`, `ci`: the background one; `up`: db started).
        case supervisorStarting
        /// Services are up and (`run`, `ci`) the task runs.
        case running
    }

    static let commands: [[String]] = [["run", "work"], ["ci"], ["up"]]

    @Test(arguments: commands, Moment.allCases)
    func killedByNineLeavesNoProcessOfTheProject(_ command: [String], _ moment: Moment) throws {
        let dir = try project(Self.manifest)
        let profile = command == ["ci"] ? "ci" : "dev"
        // The environment is built first: the kills land in Slipway, not in Nix.
        let warm = try slipway(["exec", "--profile", profile, "--", "true"], in: dir)
        #expect(warm.status == 0, "\(warm.stderr)")
        let process = try start(command, in: dir)
        let logs = dir + "/.slipway/state/\(profile)/logs/"
        let reached: Bool
        switch moment {
        case .early:
            usleep(300_000)
            reached = true
        case .supervisorStarting:
            reached = command == ["up"]
                ? waitUntil(30) { log(logs + "db.log").contains("started") }
                : waitUntil(30) { !supervisors(of: dir).isEmpty }
        case .running:
            reached = command == ["up"]
                ? waitUntil(30) { log(logs + "cache.log").contains("started (pid") }
                : waitUntil(30) { FileManager.default.fileExists(atPath: dir + "/task-started") }
        }
        #expect(reached, "\(moment) not reached: \(log(dir + "/slipway.out"))")
        let killedAt = Date()
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "it ended before the kill: \(log(dir + "/slipway.out"))")
        let gone = waitUntil(5) { projectProcesses(dir).isEmpty }
        print("\(command.joined(separator: " ")) killed (\(moment)): no process left after "
            + String(format: "%.2f s", Date().timeIntervalSince(killedAt)))
        #expect(gone, "left 5 s after kill -9: \(describe(projectProcesses(dir)))")
        if moment == .running {
            // Stopped with its stop signal, and the line it printed then is in its log, even
            // when the supervisor itself was the process killed (`up`).
            #expect(log(logs + "db.log").contains("db got INT"), "\(log(logs + "db.log"))")
        }
    }

    /// The run and its guardian both killed: the next task run stops what they left, instead
    /// of taking it for the user's `up -d` and leaving it running.
    @Test func theNextRunStopsServicesAKilledRunLeft() throws {
        let dir = try project(Self.manifest)
        #expect(try slipway(["exec", "--", "true"], in: dir).status == 0)
        let process = try start(["run", "work"], in: dir)
        #expect(waitUntil(30) { FileManager.default.fileExists(atPath: dir + "/task-started") })
        let guardians = projectProcesses(dir).filter { parent(of: $0) == process.processIdentifier && cmdline($0).contains("__guardian") }
        #expect(guardians.count == 1, "\(describe(projectProcesses(dir)))")
        for pid in guardians { kill(pid, SIGKILL) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        // With its guardian gone nothing stops the task itself; this test is about the services.
        for pid in projectProcesses(dir) where cmdline(pid).contains("sleep 999") { kill(pid, SIGKILL) }
        usleep(500_000)
        #expect(!supervisors(of: dir).isEmpty, "the services outlive a run whose guardian died too")
        let next = try slipway(["run", "quick"], in: dir)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stderr.contains("a killed task run left running"), "\(next.stderr)")
        #expect(waitUntil(5) { projectProcesses(dir).isEmpty }, "left: \(describe(projectProcesses(dir)))")
    }

    /// `(a+)+$` against 40 `a`s and `!` costs a backtracking engine about 2^40 steps.
    @Test(.timeLimit(.minutes(2))) func aCatastrophicLogPatternCannotStallPsOrDown() throws {
        let line = String(repeating: "a", count: 40) + "!"
        let dir = try project("""
            [nix]
            nixpkgs = "@OFFLINE@"
            [packages]
            busybox = "busybox"
            [services.hang]
            command = "echo \(line); echo \(line) >&2; exec busybox sleep 1000"
            ready = { log = "(a+)+$", start_timeout = "30s" }
            [services.other]
            command = "exec busybox sleep 1001"

            """)
        #expect(try slipway(["exec", "--", "true"], in: dir).status == 0)
        let up = try start(["up", "-d"], in: dir)
        defer {
            if up.isRunning { kill(up.processIdentifier, SIGKILL) }
            up.waitUntilExit()
        }
        let logPath = dir + "/.slipway/state/dev/logs/hang.log"
        #expect(waitUntil(30) { log(logPath).components(separatedBy: line).count == 3 }, "\(log(logPath))")
        usleep(500_000)  // the lines have been matched (or, before the fix, are being matched)
        var slowest = 0.0
        for _ in 0..<5 {
            let begin = Date()
            let ps = try slipway(["ps"], in: dir)
            slowest = max(slowest, Date().timeIntervalSince(begin))
            #expect(ps.status == 0, "\(ps.stderr)")
            #expect(ps.stdout.contains("hang"), "\(ps.stdout)")
        }
        print("slowest of 5 `slipway ps` with a catastrophic log pattern: " + String(format: "%.3f s", slowest))
        #expect(slowest < 3)
        let begin = Date()
        let down = try slipway(["down"], in: dir)
        print("`slipway down`: " + String(format: "%.3f s", Date().timeIntervalSince(begin)))
        #expect(down.status == 0, "\(down.stderr)")
        #expect(waitUntil(5) { projectProcesses(dir).isEmpty }, "left: \(describe(projectProcesses(dir)))")
    }

    /// The guestbook's `slipway run test` with real PostgreSQL and Redis, killed once both are
    /// ready; then a `slipway up -d` whose supervisor is killed. PostgreSQL gets its stop
    /// signal (a fast shutdown) both times, and its shutdown lines reach its log.
    @Test func guestbookServicesStopCleanlyAfterKillNine() throws {
        let dir = try exampleCopy("guestbook")
        #expect(try slipway(["exec", "--", "true"], in: dir).status == 0)
        let logs = dir + "/.slipway/state/dev/logs/"
        let process = try start(["run", "test"], in: dir)
        let ready = waitUntil(120) {
            log(logs + "postgres.log").contains("[slipway] ready") && log(logs + "redis.log").contains("[slipway] ready")
        }
        #expect(ready, "\(log(dir + "/slipway.out"))")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "it ended before the kill: \(log(dir + "/slipway.out"))")
        #expect(waitUntil(5) { projectProcesses(dir).isEmpty }, "left: \(describe(projectProcesses(dir)))")
        #expect(log(logs + "postgres.log").contains("database system is shut down"), "\(log(logs + "postgres.log"))")

        let up = try slipway(["up", "-d", "postgres", "redis"], in: dir)
        #expect(up.status == 0, "\(up.stderr)")
        let shutdowns = log(logs + "postgres.log").components(separatedBy: "database system is shut down").count
        for pid in supervisors(of: dir) { kill(pid, SIGKILL) }
        #expect(waitUntil(5) { projectProcesses(dir).isEmpty }, "left: \(describe(projectProcesses(dir)))")
        let after = log(logs + "postgres.log")
        #expect(after.components(separatedBy: "database system is shut down").count == shutdowns + 1, "\(after)")
        #expect(after.contains("the supervisor is gone"), "\(after)")
    }

    // MARK: - Helpers

    func start(_ arguments: [String], in dir: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: slipwayBinary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        _ = FileManager.default.createFile(atPath: dir + "/slipway.out", contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/slipway.out"))
        process.standardOutput = out
        process.standardError = out
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        try process.run()
        try out.close()
        return process
    }

    func log(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    func cmdline(_ pid: pid_t) -> String {
        (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")))
            .map { String(decoding: $0.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self) } ?? ""
    }

    /// Field 4 of `/proc/PID/stat`.
    func parent(of pid: pid_t) -> pid_t? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? pid_t(fields[1]) : nil
    }

    /// Live (not zombie) processes of the project: working directory in it, or its path on
    /// the command line (the supervisor, guardians, services, tasks).
    func projectProcesses(_ dir: String) -> [pid_t] {
        let me = getpid()
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { name in
            guard let pid = pid_t(name), pid != me else { return nil }
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            guard !stat.isEmpty, !stat.contains(") Z ") else { return nil }
            let cwd = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd")) ?? ""
            return cwd == dir || cwd.hasPrefix(dir + "/") || cmdline(pid).contains(dir) ? pid : nil
        }
    }

    func supervisors(of dir: String) -> [pid_t] {
        projectProcesses(dir).filter { cmdline($0).contains("--supervise") }
    }

    func describe(_ pids: [pid_t]) -> String {
        pids.map { "\($0): \(cmdline($0))" }.joined(separator: "; ")
    }

    func waitUntil(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }
}
