import Foundation
import Testing

/// `up`, `down`, `ps`, `logs`: the supervisor with real processes.
@Suite("Supervisor", .tags(.integration))
struct SupervisorIntegrationTests {
    static let header = """
        [nix]
        nixpkgs = "@OFFLINE@"
        [packages]
        busybox = "busybox"

        """

    /// `ps --json` of the project's running supervisor.
    func status(_ dir: String) throws -> [String: Any] {
        let result = try slipway(["ps", "--json"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        return (try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    func service(_ status: [String: Any], _ name: String) -> [String: Any] {
        ((status["services"] as? [[String: Any]]) ?? []).first { $0["name"] as? String == name } ?? [:]
    }

    /// Pids of processes whose command line or working directory is under `dir`.
    func processes(under dir: String) -> [String] {
        let me = String(getpid())
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { pid in
            guard pid.allSatisfy(\.isNumber), pid != me else { return false }
            let cmdline = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")))
                .map { String(decoding: $0.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self) } ?? ""
            let cwd = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd")) ?? ""
            return cmdline.contains(dir + "/.slipway") || cwd.hasPrefix(dir + "/.slipway")
        }
    }

    func waitUntil(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    @Test func dependentsWaitForHealthyAndDownStopsEverything() throws {
        let dir = try project(Self.header + """
            [services.api]
            setup = "mkdir -p $STATE_DIR/www && echo ok > $STATE_DIR/www/index.html"
            command = "sleep 0.4; exec busybox httpd -f -p 127.0.0.1:$PORT -h $STATE_DIR/www"
            port = "auto"
            ready = { http = "/" }
            [services.worker]
            command = "cd $STATE_DIR && busybox wget -q -O - http://127.0.0.1:$API_PORT/ && echo SAW_API_READY; exec sleep 1000"
            depends_on = { api = "healthy" }
            [services.migrate]
            command = "echo migrated"
            restart = "no"
            [services.web]
            command = "exec sleep 1000"
            depends_on = { migrate = "completed_successfully", worker = "started" }
            """)
        let up = try slipway(["up", "-d"], in: dir)
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        let status = try status(dir)
        #expect(service(status, "api")["state"] as? String == "ready")
        #expect(service(status, "worker")["state"] as? String == "running")
        #expect(service(status, "migrate")["state"] as? String == "exited")
        #expect(service(status, "web")["state"] as? String == "running")
        #expect(service(status, "api")["port"] as? Int != nil)
        let supervisor = try #require(status["supervisorPid"] as? Int)
        #expect(kill(pid_t(supervisor), 0) == 0)
        let workerLog = try String(contentsOfFile: dir + "/.slipway/state/dev/logs/worker.log", encoding: .utf8)
        #expect(workerLog.contains("SAW_API_READY"), "\(workerLog)")

        // A second `up -d` says a supervisor is running and starts nothing.
        let again = try slipway(["up", "-d"], in: dir)
        #expect(again.status == 0)
        #expect(again.stderr.contains("already running (pid \(supervisor))"))

        let logs = try slipway(["logs", "api", "-n", "1"], in: dir)
        #expect(logs.status == 0)
        #expect(logs.stdout == "[slipway] ready\n")
        let all = try slipway(["logs", "-n", "1"], in: dir)
        #expect(all.stdout.contains("api     | [slipway] ready\n"), "\(all.stdout)")

        let down = try slipway(["down"], in: dir)
        #expect(down.status == 0, "\(down.stderr)")
        #expect(processes(under: dir).isEmpty)
        #expect(!(try slipway(["ps"], in: dir).status == 0))
        // Dependents stopped before what they depend on.
        let apiLog = try String(contentsOfFile: dir + "/.slipway/state/dev/logs/api.log", encoding: .utf8)
        #expect(apiLog.contains("[slipway] stopping (SIGTERM"))
    }

    @Test func crashingServiceRestartsWithBackoffUpToMaxRestarts() throws {
        let dir = try project(Self.header + """
            [services.flaky]
            command = "echo crash; exit 3"
            restart = "on-failure"
            max_restarts = 2
            ready = { exec = "false" }   # never ready: `up -d` waits for the outcome
            """)
        let started = Date()
        let up = try slipway(["up", "-d"], in: dir)
        #expect(up.status != 0)
        #expect(up.stderr.contains("service 'flaky' failed: exited with status 3; gave up after 2 restarts"), "\(up.stderr)")
        #expect(up.stderr.contains("crash"))
        // Backoff: 0.5 s, then 1 s.
        #expect(Date().timeIntervalSince(started) >= 1.5)
        let log = try String(contentsOfFile: dir + "/.slipway/state/dev/logs/flaky.log", encoding: .utf8)
        #expect(log.components(separatedBy: "\ncrash\n").count - 1 + (log.hasPrefix("crash\n") ? 1 : 0) >= 2)
        #expect(log.split(separator: "\n").filter { $0 == "crash" }.count == 3)
        #expect(log.contains("restarting in 0.5s (restart 1 of 2)"))
        #expect(log.contains("restarting in 1s (restart 2 of 2)"))
        let status = try status(dir)
        #expect(service(status, "flaky")["restarts"] as? Int == 2)
        #expect(service(status, "flaky")["state"] as? String == "failed")
        _ = try slipway(["down"], in: dir)
    }

    @Test func aCrashLoopWithoutAProbeIsNotReportedAsRunning() throws {
        // No readiness probe: `up -d` used to return 0 as soon as a restarted process ran.
        let dir = try project(Self.header + """
            [services.loop]
            command = "echo boom; exit 3"
            max_restarts = 3
            [services.steady]
            command = "exec sleep 30"
            """)
        let up = try slipway(["up", "-d"], in: dir)
        #expect(up.status == 1, "\(up.stdout)\(up.stderr)")
        #expect(up.stderr.contains("service 'loop' failed: exited with status 3; gave up after 3 restarts"), "\(up.stderr)")
        #expect(service(try status(dir), "steady")["state"] as? String == "running", "the steady one runs on")
        _ = try slipway(["down"], in: dir)

        // The next failure quotes only its own run's log lines, not the restarts above.
        let manifest = try String(contentsOfFile: dir + "/slipway.toml", encoding: .utf8)
        try manifest.replacingOccurrences(of: "command = \"echo boom; exit 3\"\nmax_restarts = 3", with: "command = \"echo second; exit 4\"\nrestart = \"no\"")
            .write(toFile: dir + "/slipway.toml", atomically: true, encoding: .utf8)
        let again = try slipway(["up", "-d"], in: dir)
        #expect(again.status == 1 && again.stderr.contains("exited with status 4"), "\(again.stderr)")
        #expect(again.stderr.contains("second") && !again.stderr.contains("boom") && !again.stderr.contains("restarting in"), "\(again.stderr)")
        _ = try slipway(["down"], in: dir)
    }

    @Test func manyLinesFromTwoServicesArriveWholeAndInOrder() throws {
        let count = 100_000
        let dir = try project(Self.header + """
            [services.alpha]
            command = "busybox seq 1 \(count) | busybox sed 's/^/alpha-line-/'"
            restart = "no"
            [services.beta]
            command = "busybox seq 1 \(count) | busybox sed 's/^/beta-line-/' >&2"
            restart = "no"
            """)
        // Foreground: `up` exits once every service has ended.
        let up = try slipway(["up"], in: dir, environment: ["NO_COLOR": "1"])
        #expect(up.status == 0, "\(up.stderr.suffix(500))")
        for name in ["alpha", "beta"] {
            let prefix = name.padding(toLength: 5, withPad: " ", startingAt: 0) + " | "
            let console = up.stdout.split(separator: "\n").filter { $0.hasPrefix("\(prefix)\(name)-line-") }
            #expect(console.count == count, "\(name) console lines")
            let log = try String(contentsOfFile: dir + "/.slipway/state/dev/logs/\(name).log", encoding: .utf8)
            let lines = log.split(separator: "\n").filter { $0.hasPrefix("\(name)-line-") }
            #expect(lines.count == count)
            #expect(lines.enumerated().allSatisfy { $0.element == "\(name)-line-\($0.offset + 1)" }, "\(name) out of order or torn")
        }
        // No torn lines: every console line is a prefix plus a whole line.
        let torn = up.stdout.split(separator: "\n").filter { !($0.hasPrefix("alpha | ") || $0.hasPrefix("beta  | ")) }
        #expect(torn.isEmpty, "\(torn.prefix(3))")
    }

    @Test func portConflictIsReportedBeforeAnythingStarts() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(listener, 1)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        defer { close(listener) }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let dir = try project(Self.header + """
            [services.first]
            command = "exec sleep 1000"
            [services.web]
            command = "exec busybox httpd -f -p 127.0.0.1:$PORT"
            port = \(port)
            """)
        let up = try slipway(["up", "-d"], in: dir)
        #expect(up.status != 0)
        #expect(up.stderr.contains("port \(port) of service 'web' is already in use by pid \(getpid())"), "\(up.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/.slipway/state/dev/logs/first.log"))
        #expect(processes(under: dir).isEmpty)
    }

    @Test func dependencyCycleIsReportedBeforeAnythingStarts() throws {
        let dir = try project(Self.header + """
            [services.a]
            command = "exec sleep 1000"
            depends_on = { b = "started" }
            [services.b]
            command = "exec sleep 1000"
            depends_on = { a = "started" }
            """)
        let up = try slipway(["up", "-d"], in: dir)
        #expect(up.status != 0)
        #expect(up.stderr.contains("slipway.toml:7:16: error: services depend on each other in a cycle: a -> b -> a"), "\(up.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/.slipway/state/dev/logs"))
        let unknown = try slipway(["up", "-d", "nosuch"], in: dir)
        #expect(unknown.status != 0)
    }

    @Test func killedSupervisorLeavesNoOrphans() throws {
        let dir = try project(Self.header + """
            [services.parent]
            command = "busybox sleep 1000 & busybox sleep 1001 & exec sleep 1002"
            [services.stubborn]
            command = "trap '' TERM INT; exec busybox sleep 1003"
            stop_timeout = 1
            """)
        let up = try slipway(["up", "-d"], in: dir)
        #expect(up.status == 0, "\(up.stderr)")
        let supervisor = try #require(try status(dir)["supervisorPid"] as? Int)
        #expect(processes(under: dir).isEmpty, "services run in the project root, not under .slipway")
        let sleepers = { () -> [String] in
            ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { pid in
                guard pid.allSatisfy(\.isNumber) else { return false }
                let cmd = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))).map { String(decoding: $0, as: UTF8.self) } ?? ""
                let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
                return (cmd.contains("sleep\u{0}100") || cmd.contains("sleep\u{0}1003")) && !stat.contains(") Z ")
                    && ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd")) == dir)
            }
        }
        #expect(sleepers().count == 4)
        kill(pid_t(supervisor), SIGKILL)
        #expect(waitUntil(5) { sleepers().isEmpty }, "left: \(sleepers())")
    }

    @Test func foregroundCtrlCStopsInReverseOrder() throws {
        let dir = try project(Self.header + """
            [services.db]
            command = "trap 'echo db got INT; exit 0' INT; echo db up; while true; do busybox sleep 0.05; done"
            stop_signal = "SIGINT"
            ready = { log = "^db up$" }
            [services.app]
            command = "trap 'echo app got TERM; exit 0' TERM; while true; do busybox sleep 0.05; done"
            depends_on = { db = "healthy" }
            """)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: slipwayBinary)
        process.arguments = ["up"]
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        #expect(waitUntil(10) { ((try? String(contentsOfFile: dir + "/.slipway/state/dev/logs/app.log", encoding: .utf8)) ?? "").contains("started") })
        usleep(200_000)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(output)")
        let appStopped = try #require(output.range(of: "app got TERM"))
        let dbStopped = try #require(output.range(of: "db got INT"))
        #expect(appStopped.lowerBound < dbStopped.lowerBound, "\(output)")
        #expect(output.contains("all services stopped"))
        #expect(processes(under: dir).isEmpty)
    }

    @Test func supervisorKilledWhileStartingLeavesNoOrphans() throws {
        var manifest = Self.header
        for i in 1...20 { manifest += "[services.s\(i)]\ncommand = \"exec busybox sleep 40\(i)\"\n" }
        let dir = try project(manifest)
        _ = try slipway(["exec", "--", "true"], in: dir)  // environment built: the race is in the supervisor
        let sleepers = { () -> [String] in
            ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { pid in
                guard pid.allSatisfy(\.isNumber) else { return false }
                let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
                return !stat.contains(") Z ") && (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd")) == dir
                    && ((try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))).map { String(decoding: $0, as: UTF8.self) } ?? "").contains("sleep")
            }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: slipwayBinary)
        process.arguments = ["up", "-d"]
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // Kill the background supervisor as soon as its first service exists.
        var killed = false
        for _ in 0..<2000 where !killed {
            if !sleepers().isEmpty {
                for pid in ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []) where pid.allSatisfy(\.isNumber) {
                    let cmd = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))).map { String(decoding: $0, as: UTF8.self) } ?? ""
                    if cmd.contains("--supervise") && cmd.contains(dir) { kill(pid_t(pid)!, SIGKILL); killed = true }
                }
            }
            usleep(1000)
        }
        #expect(killed)
        process.waitUntilExit()
        #expect(waitUntil(5) { sleepers().isEmpty }, "left: \(sleepers())")
    }

    @Test func startRunsAFailedServiceAgainAndReportsItsSettledState() throws {
        let dir = try project(Self.header + """
            [services.once]
            command = "if [ -f $STATE_DIR/ok ]; then exec busybox sleep 1000; else touch $STATE_DIR/ok; exit 3; fi"
            restart = "no"
            """)
        _ = try slipway(["up", "-d"], in: dir)  // no probe: `running` counts as up, then it fails
        #expect(waitUntil(5) { (try? self.service(self.status(dir), "once")["state"] as? String) == "failed" })
        let start = try slipway(["start", "once"], in: dir)
        #expect(start.status == 0, "\(start.stderr)")
        #expect(start.stdout == "once: running\n")
        let restart = try slipway(["restart", "once"], in: dir)
        #expect(restart.stdout == "once: running\n")
        let stop = try slipway(["stop", "once"], in: dir)
        #expect(stop.stdout == "once: stopped\n")
        #expect(try slipway(["down"], in: dir).status == 0)
    }
}
