import Foundation
import Testing

/// Issue 13: pure profiles, no stale PATH entries, shells that keep the profile first, hooks and
/// dotenv files, with the built binary, real Nix and the offline set, and real bash, zsh and fish.
@Suite("The environment tells the truth", .tags(.integration), .serialized)
struct EnvironmentTruthTests {
    static let manifest = """
        [project]
        name = "truth"
        [nix]
        nixpkgs = "@OFFLINE@"
        [packages]
        busybox = "busybox"
        redis = "redis"
        [profiles.prod.packages]
        redis = false
        """

    /// A folder `DIR/host-bin` of fake host programs (`node`, `fakepg`), each printing its own
    /// name; `fakepg` then stays up, as a server does.
    static func hostBin(_ dir: String, _ names: [String] = ["node", "fakepg"]) throws -> String {
        let bin = dir + "/host-bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        for name in names {
            let stay = name == "fakepg" ? "exec sleep 30\n" : ""
            try "#!/bin/sh\necho host-\(name)\n\(stay)".write(toFile: bin + "/" + name, atomically: true, encoding: .utf8)
            chmod(bin + "/" + name, 0o755)
        }
        return bin
    }

    static var callerPath: String { ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin" }

    @Test func prodFindsNoHostProgramAndImpureDoes() throws {
        let dir = try project(Self.manifest)
        let bin = try Self.hostBin(dir)
        let env: [String: String?] = ["PATH": bin + ":" + Self.callerPath, "EDITOR": "vim"]
        let prod = try slipway(["exec", "--profile", "prod", "--", "sh", "-c", "command -v node; echo \"editor=$EDITOR\""],
                               in: dir, environment: env)
        #expect(prod.status == 0, "\(prod.stderr)")
        #expect(prod.stdout == "editor=\n", "prod found a host program or kept EDITOR: \(prod.stdout)")
        let strict = try slipway(["exec", "--profile", "prod", "--", "sh", "-c", "command -v node"], in: dir, environment: env)
        #expect(strict.status != 0 && strict.stdout.isEmpty)
        let impure = try slipway(["exec", "--profile", "prod", "--impure", "--", "sh", "-c", "command -v node"],
                                 in: dir, environment: env)
        #expect(impure.stdout == bin + "/node\n", "\(impure.stderr)")
        let dev = try slipway(["exec", "--", "sh", "-c", "command -v node; command -v redis-server"], in: dir, environment: env)
        #expect(dev.stdout.hasPrefix(bin + "/node\n/nix/store/"), "\(dev.stdout) \(dev.stderr)")
        let pureDev = try slipway(["exec", "--pure", "--", "sh", "-c", "command -v node"], in: dir, environment: env)
        #expect(pureDev.status != 0 && pureDev.stdout.isEmpty)
    }

    @Test func upInAPureProfileFailsBeforeStartingAHostProgram() throws {
        let dir = try project(Self.manifest + """

            [services.db]
            command = "exec fakepg -D $STATE_DIR"
            [services.cache]
            command = "exec redis-server --port 0"
            [tasks.assets]
            run = "node build.js > $SLIPWAY_ROOT/assets.out"
            """)
        // Outside the project: a program inside it is in every checkout, and never warned about.
        let bin = try Self.hostBin(try temporaryDirectory())
        let env: [String: String?] = ["PATH": bin + ":" + Self.callerPath]
        let up = try slipway(["up", "--profile", "prod", "-d"], in: dir, environment: env)
        #expect(up.status != 0)
        #expect(up.stderr.contains("service 'db' runs `fakepg`, which the profile does not provide"), "\(up.stderr)")
        #expect(up.stderr.contains(bin + "/fakepg"), "the host's copy is named: \(up.stderr)")
        #expect(up.stderr.contains("service 'cache' runs `redis-server`"), "redis is removed in prod: \(up.stderr)")
        #expect(up.stderr.contains("nothing was started"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/.slipway/run/prod.sock"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/.slipway/state/prod/logs"), "a service started")
        // Impure (dev): the same service starts, with a warning naming the host program.
        let dev = try slipway(["up", "-d", "db"], in: dir, environment: env)
        defer { _ = try? slipway(["down"], in: dir, environment: env) }
        #expect(dev.status == 0, "\(dev.stderr)")
        #expect(dev.stderr.contains("warning: service 'db' runs `fakepg` from this machine (\(bin)/fakepg)"), "\(dev.stderr)")
        // Tasks: the same rule.
        let task = try slipway(["run", "--profile", "prod", "assets"], in: dir, environment: env)
        #expect(task.status != 0)
        #expect(task.stderr.contains("task 'assets' runs `node`, which the profile does not provide"), "\(task.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/assets.out"), "the task ran")
        let devTask = try slipway(["run", "assets"], in: dir, environment: env)
        #expect(devTask.status == 0, "\(devTask.stderr)")
        #expect(devTask.stderr.contains("warning: task 'assets' runs `node` from this machine"), "\(devTask.stderr)")
        #expect((try? String(contentsOfFile: dir + "/assets.out", encoding: .utf8)) == "host-node\n")
    }

    @Test func reEvaluatingAfterAManifestChangeLeavesNoStalePath() throws {
        let dir = try project(Self.manifest)
        try Self.manifest.replacingOccurrences(of: "redis = \"redis\"\n", with: "")
            .replacingOccurrences(of: "@OFFLINE@", with: repositoryRoot + "/nix/offline")
            .write(toFile: dir + "/without-redis.toml", atomically: true, encoding: .utf8)
        let script = """
            set -e
            eval "$(\(slipwayBinary) env --format bash)"
            first=$PATH
            eval "$(\(slipwayBinary) env --format bash)"
            [ "$PATH" = "$first" ] && echo same-after-second-eval
            echo "redis=$(command -v redis-server)"
            echo "nested=$(\(slipwayBinary) exec --profile prod --impure -- /bin/sh -c 'echo $PATH')"
            echo "inshell=$(echo 'echo "$PATH"' | SHELL=/bin/bash \(slipwayBinary) shell --profile prod --impure 2>/dev/null)"
            eval "$(\(slipwayBinary) env --profile prod --impure)"
            echo "switched=$PATH"
            eval "$(\(slipwayBinary) env)"
            cp without-redis.toml slipway.toml
            eval "$(\(slipwayBinary) env --format bash)"
            echo "after=$PATH"
            """
        let result = try run("/bin/bash", ["-c", script], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("same-after-second-eval"), "\(result.stdout)")
        let redis = try #require(lines.first { $0.hasPrefix("redis=") }?.dropFirst(6))
        #expect(redis.hasPrefix("/nix/store/"), "\(result.stdout)")
        let redisDir = String(redis.dropLast("/redis-server".count))
        let nested = try #require(lines.first { $0.hasPrefix("nested=") })
        #expect(!nested.contains(redisDir), "dev's folders stayed in an exec of prod: \(nested)")
        let inShell = try #require(lines.first { $0.hasPrefix("inshell=") })
        #expect(inShell.hasPrefix("inshell=/nix/store/") && !inShell.contains(redisDir), "\(inShell)")
        let switched = try #require(lines.first { $0.hasPrefix("switched=") })
        #expect(switched.hasPrefix("switched=/nix/store/") && !switched.contains(redisDir), "\(switched)")
        let after = try #require(lines.first { $0.hasPrefix("after=") })
        #expect(!after.contains(redisDir), "the removed package stayed on PATH: \(after)")
        #expect(after.hasPrefix("after=/nix/store/"), "\(after)")
    }

    /// A home folder whose startup files prepend `~/shims` (holding a fake `php`) to PATH; for
    /// zsh either a `.zshenv` that moves `ZDOTDIR` to `~/.config/zsh`, or a plain `~/.zshrc`.
    static func home(_ dir: String, zdotdir: Bool) throws -> String {
        let home = dir + "/home"
        let zsh = zdotdir
            ? [".zshenv": "export ZDOTDIR=\"$HOME/.config/zsh\"; ZSHENV_RAN=yes\n",
               ".config/zsh/.zshrc": "path=($HOME/shims $path); RC_RAN=zsh-$ZSHENV_RAN\n"]
            : [".zshrc": "export PATH=\"$HOME/shims:$PATH\"; RC_RAN=zsh-home\n"]
        let files = zsh.merging([
            ".bashrc": "export PATH=\"$HOME/shims:$PATH\"; RC_RAN=bash\n",
            ".config/fish/config.fish": "set -gx PATH $HOME/shims $PATH; set -g RC_RAN fish\n",
            ".shrc": "PATH=\"$HOME/shims:$PATH\"; RC_RAN=sh\n",
            "shims/php": "#!/bin/sh\necho fake php\n",
        ]) { a, _ in a }
        for (name, text) in files {
            let path = home + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        chmod(home + "/shims/php", 0o755)
        return home
    }

    @Test("every shell runs the user's startup files, then puts the profile first", arguments: [
        ("/bin/bash", "bash"), ("/usr/bin/zsh", "zsh-yes"), ("/usr/bin/zsh", "zsh-home"), ("/usr/bin/fish", "fish"),
        ("/bin/sh", "sh"),
    ])
    func shellKeepsTheProfileFirst(_ shell: String, _ marker: String) throws {
        #expect(FileManager.default.isExecutableFile(atPath: shell), "\(shell) is missing: run scripts/setup")
        let dir = try project("""
            [project]
            name = "shells"
            [nix]
            nixpkgs = "@OFFLINE@"
            [packages]
            php = "php82"
            [shell]
            on_enter = "echo entered > $SLIPWAY_ROOT/entered"
            """)
        let home = try Self.home(dir, zdotdir: marker != "zsh-home")
        let result = try slipway(
            ["shell"], in: dir,
            environment: ["SHELL": shell, "HOME": home, "ENV": home + "/.shrc", "ZDOTDIR": nil, "XDG_CONFIG_HOME": nil],
            stdin: "echo \"rc=$RC_RAN\"; command -v php; exit\n")
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("rc=\(marker)"), "the user's startup files did not run: \(result.stdout) \(result.stderr)")
        #expect(lines.last?.hasPrefix("/nix/store/") == true, "php is not the profile's: \(result.stdout)")
        #expect((try? String(contentsOfFile: dir + "/entered", encoding: .utf8)) == "entered\n", "on_enter did not run")
        // The same shell evaluating `slipway env` in its own format (as direnv does) runs on_enter too.
        guard marker == "bash" || marker == "fish" else { return }
        try FileManager.default.removeItem(atPath: dir + "/entered")
        let script = marker == "fish"
            ? "\(slipwayBinary) env --format fish | source; command -v php"
            : "eval \"$(\(slipwayBinary) env --format bash)\"; command -v php"
        let evaluated = try run(shell, ["-c", script], in: dir, environment: ["HOME": home])
        #expect(evaluated.stdout.hasPrefix("/nix/store/"), "\(evaluated.stdout) \(evaluated.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/entered"), "env --format \(marker) did not run on_enter")
    }

    @Test func dotenvFilesLoadInOrderAndABrokenLineIsLocated() throws {
        let dir = try project("""
            [project]
            name = "dotenv"
            [nix]
            nixpkgs = "@OFFLINE@"
            [packages]
            busybox = "busybox"
            [env]
            files = [".env", ".env.local"]
            FROM_MANIFEST = "$SECRET-m"
            OVERRIDE = "manifest"
            """)
        try "SECRET=first\nOVERRIDE=file\nONLY_FILE='yes'\n".write(toFile: dir + "/.env", atomically: true, encoding: .utf8)
        try "# local\nSECRET=\"s3cr3t-local\"\n".write(toFile: dir + "/.env.local", atomically: true, encoding: .utf8)
        let result = try slipway(
            ["exec", "--", "sh", "-c", "echo \"$SECRET $FROM_MANIFEST $OVERRIDE $ONLY_FILE\""], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "s3cr3t-local s3cr3t-local-m manifest yes\n")
        let env = try slipway(["env", "--format", "dotenv"], in: dir)
        #expect(env.stdout.contains("SECRET=\"s3cr3t-local\""), "\(env.stdout)")
        let grep = try run("/bin/grep", ["-r", "-l", "s3cr3t", dir + "/.slipway"], in: dir)
        #expect(grep.status == 1, "a dotenv value was written under .slipway/: \(grep.stdout)")
        try "SECRET=ok\nBAD LINE\n".write(toFile: dir + "/.env.local", atomically: true, encoding: .utf8)
        let broken = try slipway(["exec", "--", "sh", "-c", "echo ran"], in: dir)
        #expect(broken.status != 0)
        let located = broken.stderr.split(separator: "\n").contains { $0.hasPrefix(".env.local:2:5: error: expected '=' after BAD") }
        #expect(located, "a line of its own, file:line:column first: \(broken.stderr)")
        #expect(!broken.stdout.contains("ran"))
    }

    @Test func beforeUpTasksRunOnceAndServicesCanBeSwitchedOff() throws {
        // `before_up` is a top-level key: it comes before the first table.
        let dir = try project("before_up = [\"certs\"]\n" + Self.manifest + """

            [services.web]
            command = "exec busybox sleep 30"
            [tasks.certs]
            run = "echo made >> $SLIPWAY_ROOT/certs.log; echo ok > $SLIPWAY_OUT/done"
            inputs = ["slipway.toml"]
            outputs = ["$SLIPWAY_OUT/done"]
            [profiles.quiet]
            services = false
            """)
        for _ in 0..<2 {
            let up = try slipway(["up", "-d"], in: dir)
            #expect(up.status == 0, "\(up.stderr)")
            let down = try slipway(["down"], in: dir)
            #expect(down.status == 0, "\(down.stderr)")
        }
        #expect((try? String(contentsOfFile: dir + "/certs.log", encoding: .utf8)) == "made\n", "ran twice, or never")
        let quiet = try slipway(["up", "--profile", "quiet"], in: dir)
        #expect(quiet.stderr.contains("profile 'quiet' has no services"), "\(quiet.stderr)")
    }

    @Test func aMissingAttributeGetsAHintFromTheConfiguredSet() throws {
        let dir = try project("""
            [project]
            name = "hints"
            [nix]
            nixpkgs = "@OFFLINE@"
            [packages]
            php = "php83"
            """)
        let result = try slipway(["env"], in: dir)
        #expect(result.status != 0)
        #expect(result.stderr.contains("slipway.toml:6:1: error: package 'php': the package set has no attribute 'php83'"),
                "\(result.stderr)")
        #expect(result.stderr.contains("did you mean 'php82'? (searched the attribute names of path:\(repositoryRoot)/nix/offline"),
                "\(result.stderr)")
        #expect(!result.stderr.contains("nix search nixpkgs"), "\(result.stderr)")
        let cache = try FileManager.default.contentsOfDirectory(atPath: dir + "/.slipway/cache")
        #expect(cache.contains { $0.hasPrefix("attribute-names-") }, "the names are not cached: \(cache)")
    }
}
