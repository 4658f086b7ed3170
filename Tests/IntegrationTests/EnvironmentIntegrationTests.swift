import Foundation
import Testing

/// `exec`, `env` and `shell` on the guestbook example with real Nix and the offline set.
@Suite("Environment with real Nix", .tags(.integration), .serialized)
struct EnvironmentIntegrationTests {
    static let guestbook: String = (try? exampleCopy("guestbook")) ?? "/nonexistent"

    @Test func devHasXdebugAndProdDoesNot() throws {
        let dev = try slipway(["exec", "--profile", "dev", "--", "php", "-m"], in: Self.guestbook)
        #expect(dev.status == 0, "\(dev.stderr)")
        #expect(dev.stdout.split(separator: "\n").contains("xdebug"))
        for module in ["pgsql", "pdo_pgsql", "redis", "apcu"] {
            #expect(dev.stdout.split(separator: "\n").contains(Substring(module)), "dev lacks \(module)")
        }
        let prod = try slipway(["exec", "--profile", "prod", "--", "php", "-m"], in: Self.guestbook)
        #expect(prod.status == 0, "\(prod.stderr)")
        #expect(!prod.stdout.contains("xdebug"))
        #expect(prod.stdout.split(separator: "\n").contains("pdo_pgsql"))
    }

    @Test(arguments: [("dev", "1G"), ("prod", "256M"), ("ci", "1G")])
    func memoryLimitPerProfile(_ profile: String, _ expected: String) throws {
        let result = try slipway(
            ["exec", "--profile", profile, "--", "php", "-r", #"echo ini_get("memory_limit");"#], in: Self.guestbook)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == expected)
    }

    @Test func phpReadsNoHostConfiguration() throws {
        let result = try slipway(["exec", "--profile", "dev", "--", "php", "--ini"], in: Self.guestbook)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("/etc/php"), "\(result.stdout)")
    }

    @Test func prodHasNoPhpunit() throws {
        // The host's own PATH (which may have a phpunit of its own) is left out.
        let isolated: [String: String?] = ["PATH": "/nonexistent", "SLIPWAY_NIX": "/usr/bin/nix"]
        let prod = try slipway(["exec", "--profile", "prod", "--", "phpunit", "--version"], in: Self.guestbook, environment: isolated)
        #expect(prod.status == 127)
        #expect(prod.stderr.contains("command not found: phpunit"))
        let dev = try slipway(["exec", "--profile", "dev", "--", "phpunit", "--version"], in: Self.guestbook, environment: isolated)
        #expect(dev.status == 0, "\(dev.stderr)")
        #expect(dev.stdout.contains("PHPUnit"))
    }

    @Test(arguments: [0, 1, 7, 42])
    func exitStatusPassesThrough(_ code: Int) throws {
        let result = try slipway(["exec", "--", "sh", "-c", "exit \(code)"], in: Self.guestbook)
        #expect(result.status == Int32(code))
    }

    @Test func signalPassesThrough() throws {
        // The command replaces slipway, so a signal ends "slipway" the way it ends the command.
        let result = try slipway(["exec", "--", "sh", "-c", "kill -TERM $$"], in: Self.guestbook)
        #expect(result.status == 15)
    }

    @Test func envJSONIsAnObjectOfTheEnvironment() throws {
        let result = try slipway(["env", "--format", "json"], in: Self.guestbook)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String])
        #expect(object["SLIPWAY_PROFILE"] == "dev")
        #expect(object["APP_ENV"] == "dev")
        let root = try #require(object["SLIPWAY_ROOT"])
        #expect(object["SLIPWAY_STATE"] == root + "/.slipway/state/dev")
        #expect(object["APP_STATE"] == root + "/.slipway/state/dev/app")
        #expect(object["PATH"]?.hasPrefix("/nix/store/") == true)
    }

    @Test func envBashEvaluatesInAShell() throws {
        let script = #"eval "$(\#(slipwayBinary) env --profile ci --format bash)" && echo "$APP_ENV:$XDEBUG_MODE" && command -v php"#
        let result = try run("/bin/sh", ["-c", script], in: Self.guestbook)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "test:off")
        #expect(lines.last?.hasPrefix("/nix/store/") == true)
    }

    @Test func envDotenvQuotesValues() throws {
        let result = try slipway(["env", "--format", "dotenv"], in: Self.guestbook)
        #expect(result.status == 0)
        #expect(result.stdout.contains(#"APP_NAME="guestbook""#))
        #expect(result.stdout.contains(#"SLIPWAY_PROFILE="dev""#))
    }

    @Test func shellRunsTheUsersShellWithAPromptMarker() throws {
        let result = try slipway(
            ["shell", "--profile", "prod"], in: Self.guestbook, environment: ["SHELL": "/bin/bash"],
            stdin: "echo \"profile=$SLIPWAY_PROFILE\"; php -r 'echo ini_get(\"memory_limit\"), PHP_EOL;'; exit 3\n")
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stdout.contains("profile=prod"))
        #expect(result.stdout.contains("256M"))
        #expect(result.stderr.contains("(slipway:prod) "))
    }

    @Test func verboseShowsTheNixCommandLinesAndTheDefaultShowsNone() throws {
        let dir = try project("""
            [project]
            name = "chatty"
            [nix]
            nixpkgs = "@OFFLINE@"
            [packages]
            busybox = "busybox"
            """)
        let quiet = try slipway(["env"], in: dir, environment: ["SLIPWAY_LOG": nil])
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(!quiet.stderr.contains("[nix]"), "\(quiet.stderr)")
        // The same build again (the cache gone), with -v: each nix run is logged, stdout is unchanged.
        try FileManager.default.removeItem(atPath: dir + "/.slipway/cache")
        let verbose = try slipway(["-v", "env"], in: dir, environment: ["SLIPWAY_LOG": nil])
        #expect(verbose.status == 0, "\(verbose.stderr)")
        #expect(verbose.stderr.contains("slipway: debug: [nix] "), "\(verbose.stderr)")
        #expect(verbose.stderr.contains("/nix --extra-experimental-features 'nix-command flakes' build "), "\(verbose.stderr)")
        #expect(verbose.stdout == quiet.stdout)
        try FileManager.default.removeItem(atPath: dir + "/.slipway/cache")
        let logged = try slipway(["env"], in: dir, environment: ["SLIPWAY_LOG": "debug"])
        #expect(logged.stderr.contains("[nix] "), "SLIPWAY_LOG=debug logs as -v does: \(logged.stderr)")
    }
}
