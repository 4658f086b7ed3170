import Foundation
import Testing

/// Issue 14 item 6 with the built binary and real Nix: task arguments, a task attached to a
/// real pseudo-terminal (python3's `pty`), `sequential = true`, `-e NAME=VALUE`, and the
/// host-program warning.
@Suite("Tasks like a dev script", .tags(.integration))
struct TaskTerminalIntegrationTests {
    static let header = """
        [nix]
        nixpkgs = "@OFFLINE@"
        [packages]
        busybox = "busybox"

        """

    @Test func argumentsAfterTheTerminatorAreTheTasksPositionalParameters() throws {
        let dir = try project(Self.header + """
            [tasks.lint]
            run = "echo \\"lint got $#\\""
            [tasks.test]
            run = "printf '[%s]\\\\n' \\"$@\\""
            deps = ["lint"]
            """)
        let ran = try slipway(["run", "test", "--", "-k", "login and not slow", "$HOME", "*", "--force"], in: dir)
        #expect(ran.status == 0, "\(ran.stdout)\(ran.stderr)")
        #expect(Array(lines(ran.stdout, of: "test").dropFirst()).prefix(4)
            == ["[-k]", "[login and not slow]", "[$HOME]", "[*]"], "\(ran.stdout)")
        #expect(lines(ran.stdout, of: "test").contains("[--force]"), "words after -- are never Slipway's")
        #expect(lines(ran.stdout, of: "lint").contains("lint got 0"), "deps get no arguments")
        let two = try slipway(["run", "lint", "test", "--", "-k", "x"], in: dir)
        #expect(two.status == 1)
        #expect(two.stderr.contains("arguments after -- go to one task, and 2 were named (lint, test)"), "\(two.stderr)")
        #expect(!two.stdout.contains("running:"), "nothing ran: \(two.stdout)")
    }

    /// Runs `slipway ARGUMENTS` in `dir` on a new pseudo-terminal, answering `name? ` with `Ada`
    /// and sending Ctrl-C after `waiting`; returns what the terminal showed and the exit status.
    func onTerminal(_ arguments: [String], in dir: String) throws -> (screen: String, status: Int32) {
        let script = """
            import os, pty, sys, time
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.argv[1], sys.argv[1:])
            screen, sent, deadline = b"", set(), time.time() + 120
            while time.time() < deadline:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                screen += chunk
                if b"name? " in screen and "name" not in sent:
                    sent.add("name"); os.write(fd, b"Ada\\n")
                if b"waiting" in screen and "int" not in sent:
                    time.sleep(0.3); sent.add("int"); os.write(fd, b"\\x03")
            _, status = os.waitpid(pid, 0)
            sys.stdout.write(screen.decode(errors="replace"))
            sys.stdout.write("\\nSTATUS=%d\\n" % (os.waitstatus_to_exitcode(status)))
            """
        let result = try run("/usr/bin/python3", ["-c", script, slipwayBinary] + arguments, in: dir)
        let status = result.stdout.components(separatedBy: "\nSTATUS=").last.flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return (result.stdout.replacingOccurrences(of: "\r\n", with: "\n"), status ?? -1)
    }

    @Test func aSingleTaskOnATerminalHasTheKeyboardAndCtrlC() throws {
        let dir = try project(Self.header + """
            [tasks.talk]
            run = \"\"\"
            if [ -t 0 ] && [ -t 1 ]; then echo "on a terminal"; fi
            printf 'name? '
            read name
            echo "hello $name"
            trap 'echo "task got SIGINT"; exit 4' INT
            echo waiting
            sleep 60 & wait
            \"\"\"
            """)
        #expect(try slipway(["exec", "--", "true"], in: dir).status == 0)  // builds the environment first
        let (screen, status) = try onTerminal(["run", "talk"], in: dir)
        #expect(screen.contains("\non a terminal\n"), "\(screen)")
        #expect(screen.contains("\nhello Ada\n"), "the task read the keyboard, no prefix: \(screen)")
        #expect(screen.contains("task got SIGINT\n"), "Ctrl-C reached the task: \(screen)")
        #expect(!screen.contains("interrupted"), "Ctrl-C went to the task, not to Slipway: \(screen)")
        #expect(status == 4, "the task's exit status: \(screen)")
    }

    /// Ctrl-Z as a shell sees it: the attached task stops, then Slipway's job stops (the parent
    /// sees it stopped), and continuing Slipway gives the task the terminal back.
    @Test func ctrlZStopsTheTaskAndSlipwayAndContinuingResumesBoth() throws {
        let dir = try project(Self.header + """
            [tasks.talk]
            run = "printf 'name? '; read name; echo \\"hello $name\\""
            """)
        #expect(try slipway(["exec", "--", "true"], in: dir).status == 0)
        let script = """
            import os, pty, select, signal, sys, time
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.argv[1], sys.argv[1:])
            screen, state, deadline = b"", "start", time.time() + 60
            while time.time() < deadline:
                if state == "suspended":
                    _, status = os.waitpid(pid, os.WNOHANG | os.WUNTRACED)
                    if status and os.WIFSTOPPED(status):
                        screen += b"\\n[slipway stopped]\\n"; state = "stopped"
                        time.sleep(0.3); os.kill(pid, signal.SIGCONT); time.sleep(0.5); os.write(fd, b"Ada\\n")
                ready, _, _ = select.select([fd], [], [], 0.1)
                if not ready:
                    continue
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                screen += chunk
                if b"name? " in screen and state == "start":
                    state = "suspended"; time.sleep(0.3); os.write(fd, b"\\x1a")
            _, status = os.waitpid(pid, 0)
            sys.stdout.write(screen.decode(errors="replace"))
            sys.stdout.write("\\nSTATUS=%d\\n" % (os.waitstatus_to_exitcode(status)))
            """
        let result = try run("/usr/bin/python3", ["-c", script, slipwayBinary, "run", "talk"], in: dir)
        let screen = result.stdout.replacingOccurrences(of: "\r\n", with: "\n")
        #expect(screen.contains("[slipway stopped]"), "Slipway's job stopped with the task: \(screen) \(result.stderr)")
        #expect(screen.contains("hello Ada\n"), "after SIGCONT the task reads the terminal again: \(screen)")
        #expect(screen.hasSuffix("STATUS=0\n"), "\(screen)")
    }

    @Test func interactiveAttachesTheTaskAfterItsDepsEvenWithoutATerminal() throws {
        let dir = try project(Self.header + """
            [tasks.prep]
            run = "echo prepared"
            [tasks.ask]
            run = "read name; echo \\"hello $name\\"; [ -t 0 ] || echo 'stdin is not a terminal'"
            deps = ["prep"]
            """)
        let attached = try slipway(["run", "-i", "ask"], in: dir, stdin: "Ada\n")
        #expect(attached.status == 0, "\(attached.stdout)\(attached.stderr)")
        #expect(lines(attached.stdout, of: "prep").contains("prepared"), "deps keep their prefix: \(attached.stdout)")
        #expect(attached.stdout.split(separator: "\n").contains("hello Ada"), "unprefixed, stdin read: \(attached.stdout)")
        let piped = try slipway(["run", "ask"], in: dir, stdin: "Ada\n")
        #expect(lines(piped.stdout, of: "ask").contains("hello"), "not attached: no standard input: \(piped.stdout)")
        let two = try slipway(["run", "-i", "prep", "ask"], in: dir)
        #expect(two.status == 1 && two.stderr.contains("--interactive attaches one task to the terminal"), "\(two.stderr)")
    }

    @Test func sequentialDepsRunInTheListedOrderOneAtATime() throws {
        let step = { (name: String) in
            "[tasks.\(name)]\nrun = \"echo \(name)-start >> order.log; sleep 0.3; echo \(name)-end >> order.log\"\n"
        }
        let dir = try project(Self.header + step("install") + step("migrate") + step("seed") + """
            [tasks.setup]
            run = "echo setup >> order.log"
            deps = ["install", "migrate", "seed"]
            sequential = true
            [tasks.parallel]
            run = "true"
            deps = ["install", "migrate", "seed"]
            """)
        let ran = try slipway(["run", "-j", "4", "setup"], in: dir)
        #expect(ran.status == 0, "\(ran.stdout)\(ran.stderr)")
        let order = try String(contentsOfFile: dir + "/order.log", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(order == ["install-start", "install-end", "migrate-start", "migrate-end", "seed-start", "seed-end", "setup"])
        try FileManager.default.removeItem(atPath: dir + "/order.log")
        #expect(try slipway(["run", "-j", "4", "parallel"], in: dir).status == 0)
        let together = try String(contentsOfFile: dir + "/order.log", encoding: .utf8).split(separator: "\n")
        #expect(together.prefix(3).allSatisfy { $0.hasSuffix("-start") }, "without sequential they overlap: \(together)")
        let list = try slipway(["run", "--list"], in: dir)
        #expect(list.stdout.contains("(after install then migrate then seed)"), "\(list.stdout)")
    }

    @Test func theCallersVariablesWinWhenAskedFor() throws {
        let dir = try project(Self.header + """
            [env]
            APP_ENV = "dev"
            DB_HOST = "127.0.0.1"
            DATABASE_URL = "postgresql://$DB_HOST/app"
            [tasks.show]
            run = "echo \\"$APP_ENV $DATABASE_URL $MODE\\""
            env = { MODE = "task" }
            """)
        let plain = try slipway(["exec", "--", "sh", "-c", "echo $APP_ENV $DATABASE_URL"], in: dir, environment: ["APP_ENV": "mine"])
        #expect(plain.stdout == "dev postgresql://127.0.0.1/app\n", "without -e the profile wins: \(plain.stderr)")
        let exec = try slipway(["exec", "-e", "DB_HOST=db.test", "-e", "APP_ENV", "--", "sh", "-c", "echo $APP_ENV $DATABASE_URL"],
                               in: dir, environment: ["APP_ENV": "mine"])
        #expect(exec.stdout == "mine postgresql://db.test/app\n", "\(exec.stderr)")
        let ran = try slipway(["run", "-e", "MODE=caller", "--env", "APP_ENV=ci", "show"], in: dir)
        #expect(lines(ran.stdout, of: "show").contains("ci postgresql://127.0.0.1/app caller"), "\(ran.stdout)\(ran.stderr)")
        let bad = try slipway(["exec", "-e", "NOT SET", "--", "true"], in: dir)
        #expect(bad.status == 1 && bad.stderr.contains("-e NOT SET: expected NAME=VALUE"), "\(bad.stderr)")
        let unset = try slipway(["run", "-e", "NOWHERE_SET", "show"], in: dir, environment: ["NOWHERE_SET": nil])
        #expect(unset.status == 1 && unset.stderr.contains("NOWHERE_SET is not set in your environment"), "\(unset.stderr)")
    }

    @Test func theHostProgramWarningSkipsTheProjectAndThePosixBasics() throws {
        let dir = try project("""
            [nix]
            nixpkgs = "@OFFLINE@"
            [packages]
            redis = "redis"
            [env]
            PATH = "$SLIPWAY_ROOT/tooling/bin:$PATH"
            [tasks.link]
            run = "ln -sf target link"
            [tasks.search]
            run = "find . -name slipway.toml"
            [tasks.db]
            run = "setup-db"
            [tasks.direct]
            run = "tooling/bin/setup-db"
            [tasks.assets]
            run = "node build.js"
            """)
        let bin = try EnvironmentTruthTests.hostBin(try temporaryDirectory(), ["node"])  // outside the project
        try FileManager.default.createDirectory(atPath: dir + "/tooling/bin", withIntermediateDirectories: true)
        try "#!/bin/sh\necho db ready\n".write(toFile: dir + "/tooling/bin/setup-db", atomically: true, encoding: .utf8)
        chmod(dir + "/tooling/bin/setup-db", 0o755)
        let env: [String: String?] = ["PATH": bin + ":" + EnvironmentTruthTests.callerPath]
        let ran = try slipway(["run", "link", "search", "db", "direct", "assets"], in: dir, environment: env)
        #expect(ran.status == 0, "\(ran.stdout)\(ran.stderr)")
        let warnings = ran.stderr.split(separator: "\n").filter { $0.contains("warning:") }
        #expect(warnings.count == 1, "\(ran.stderr)")
        #expect(warnings.first?.contains("task 'assets' runs `node` from this machine (\(bin)/node)") == true, "\(ran.stderr)")
        #expect(lines(ran.stdout, of: "db").contains("db ready"))
    }
}
