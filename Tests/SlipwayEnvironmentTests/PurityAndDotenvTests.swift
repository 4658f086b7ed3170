import Foundation
import Testing
@testable import SlipwayEnvironment
import SlipwayNix

@Suite("Pure environments, the PATH record, dotenv files")
struct PurityAndDotenvTests {
    func cached(pure: Bool, keep: [String] = [], root: String = "/p", files: [String] = []) -> CachedEnvironment {
        var cached = CachedEnvironment(
            key: "k", profile: "prod", root: root, binPaths: ["/nix/store/a-php/bin"], env: [], requiredPaths: [],
            build: ProfileBuild(profile: "prod", packages: [], closure: []))
        cached.pure = pure
        cached.keepEnv = keep
        cached.envFiles = files
        return cached
    }

    static let caller = [
        "PATH": "/usr/local/bin:/usr/bin", "HOME": "/root", "TERM": "xterm", "LC_ALL": "C.UTF-8", "CI_JOB_ID": "7",
        "EDITOR": "vim", "NODE_OPTIONS": "--x", "MY_TOKEN": "t",
    ]

    @Test func pureKeepsOnlyTheAllowList() throws {
        let env = try ProcessEnvironment.make(cached(pure: true, keep: ["MY_*"]), inherited: Self.caller)
        #expect(env["PATH"] == "/nix/store/a-php/bin")
        #expect(env["HOME"] == "/root" && env["TERM"] == "xterm" && env["LC_ALL"] == "C.UTF-8")
        #expect(env["CI_JOB_ID"] == "7" && env["MY_TOKEN"] == "t")
        #expect(env["EDITOR"] == nil && env["NODE_OPTIONS"] == nil)
        let impure = try ProcessEnvironment.make(cached(pure: false), inherited: Self.caller)
        #expect(impure["EDITOR"] == "vim")
        #expect(impure["PATH"] == "/nix/store/a-php/bin:/usr/local/bin:/usr/bin")
    }

    @Test("a previous environment's folders are removed first", arguments: [
        ("/nix/store/old/bin:/usr/bin", "/nix/store/old/bin", "/nix/store/a-php/bin:/usr/bin"),
        ("/shims:/nix/store/old/bin:/usr/bin", "/nix/store/old/bin", "/nix/store/a-php/bin:/shims:/usr/bin"),
        ("/nix/store/a-php/bin:/usr/bin", "/nix/store/a-php/bin", "/nix/store/a-php/bin:/usr/bin"),
        ("/usr/bin:/nix/store/a-php/bin", "", "/nix/store/a-php/bin:/usr/bin"),
    ])
    func pathRecord(_ path: String, _ added: String, _ expected: String) {
        #expect(PathRecord.path(["/nix/store/a-php/bin"], inherited: ["PATH": path, PathRecord.variable: added], pure: false)
            == expected)
    }

    @Test func evaluatingTwiceGivesTheSameEnvironment() throws {
        let first = try ProcessEnvironment.make(cached(pure: false), inherited: Self.caller)
        let second = try ProcessEnvironment.make(cached(pure: false), inherited: first)
        #expect(first == second)
    }

    @Test func pureRunsShAsBinSh() {
        let env = ["PATH": "/nonexistent"]
        #expect(EnvironmentPurity.command(["sh", "-c", "x"], environment: env, pure: true) == ["/bin/sh", "-c", "x"])
        #expect(EnvironmentPurity.command(["sh", "-c", "x"], environment: env, pure: false) == ["sh", "-c", "x"])
        #expect(EnvironmentPurity.command(["node"], environment: env, pure: true) == ["node"])
    }

    @Test func dotenvSyntax() throws {
        let text = """
            # comment
            export A=1
            B = two words # trailing comment
            C='single $A'
            D="double $A\\n\\"q\\""
            E=
            F="multi
            line"
            """
        let entries = try DotenvFile.parse(text, file: ".env")
        #expect(entries.map(\.name) == ["A", "B", "C", "D", "E", "F"])
        #expect(entries.map(\.value) == ["1", "two words", "single $A", "double $A\n\"q\"", "", "multi\nline"])
        #expect(entries.map(\.expands) == [true, true, false, true, true, true])
    }

    @Test("syntax errors carry file:line:column", arguments: [
        ("A=1\nBROKEN LINE\n", ".env:2:8", "expected '=' after BROKEN"),
        ("A=1\nB=\"open\n", ".env:2:3", "unterminated double-quoted"),
        ("A='x' y\n", ".env:1:7", "unexpected 'y'"),
        ("1A=x\n", ".env:1:1", "expected a variable name"),
        ("FOO-BAR=1\n", ".env:1:4", "expected '=' after FOO"),
    ])
    func dotenvErrors(_ text: String, _ location: String, _ reason: String) {
        #expect {
            try DotenvFile.parse(text, file: ".env")
        } throws: { error in
            guard let error = error as? DotenvFile.SyntaxError else { return false }
            return error.location.description == location && error.reason.contains(reason)
        }
    }

    @Test func dotenvFilesInOrderThenEnvWins() throws {
        let root = NSTemporaryDirectory() + "slipway-dotenv-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try "A=1\nB=from-env\nAPP_ENV=test\n".write(toFile: root + "/.env", atomically: true, encoding: .utf8)
        try "A=2\nC=$A$B\n".write(toFile: root + "/.env.local", atomically: true, encoding: .utf8)
        try "T=yes\n".write(toFile: root + "/.env.test", atomically: true, encoding: .utf8)
        var env = cached(pure: false, root: root, files: [".env", ".env.local", ".env.$APP_ENV", ".env.missing"])
        env.env = [.init(name: "B", value: "manifest")]
        let made = try ProcessEnvironment.make(env, inherited: [:])
        #expect(made["A"] == "2" && made["C"] == "2from-env" && made["B"] == "manifest" && made["T"] == "yes")
        let digest = try ProcessEnvironment.dotenvDigest(env, inherited: [:])
        #expect(digest.hasPrefix("sha256:") && !digest.contains("from-env"))
    }
}
