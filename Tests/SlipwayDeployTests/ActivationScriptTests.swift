import Foundation
@testable import SlipwayDeploy
import SlipwayManifest
import SlipwayCore
import Testing

@Suite("Activation script")
struct ActivationScriptTests {
    func script(_ spec: DeploySpec, _ release: Release) -> String {
        ActivationScript(
            spec: spec, release: release, directory: "dir1",
            units: ["slipway-web-app.service", "slipway-web-web.service"],
            runtimePath: "/usr/bin/podman"
        ).render()
    }

    @Test func imageScriptIsValidShWithTheProtocolInOrder() throws {
        let text = script(Fixtures.imageSpec(), Fixtures.imageRelease())
        #expect(try Fixtures.shellSyntaxErrors(text) == "")
        #expect(!text.contains("set -e"), "a write to a dropped ssh pipe must not end the activation")
        // lock → present → dead-man armed (or nothing switched) → mark activating → switch → health
        // → confirm / go back (marked rolling_back while it does, so the dead-man waits) → failed
        let steps = [
            "lock 0", "present || exit 5", "! arm_deadman \"$prior\"; then finish not-switched 8",
            "mark \"$DIR\" activating", "if switch_to && wait_healthy; then", "disarm_deadman; mark \"$DIR\" good",
            "prune", "finish healthy 0", "journal", "mark \"$DIR\" rolling_back", "go_back \"$prior\"; back=$?",
            "mark \"$DIR\" failed", "finish rolled-back 3",
        ]
        var position = text.startIndex
        for step in steps {
            let range = try #require(
                text.range(of: step, range: position..<text.endIndex), "\(step) missing or out of order")
            position = range.upperBound
        }
        #expect(text.contains("--timer-property=AccuracySec=100ms"))
        #expect(text.contains("case \"$state\" in activating|rolling_back)"), "the dead-man restores a cut-off rollback too")
        #expect(text.contains("\"$RT\" rmi \"$r\""), "pruning untags this target's references, not image ids")
        #expect(text.contains("systemctl reset-failed $UNITS"))
        #expect(text.contains("IMAGES='\(Fixtures.digest("app").hex) \(Fixtures.digest("web").hex)'"))
        #expect(
            text.contains("\"$RT\" inspect --format '{{.Image}}' \"$c\""),
            "identity: the container runs the release's image")
        #expect(text.contains("X-Slipway-Release") || text.contains("[Xx]-[Ss]lipway-[Rr]elease"))
        #expect(text.contains("ss -Hltnp \"sport = :8080\""), "the health port's listener must be the release's")
        // stop 10 + start 30 + health 60 + 10
        #expect(text.contains("CONFIRM=110\n"))
    }

    @Test(arguments: [
        ("http://127.0.0.1:8080/health", 8080), ("http://localhost/up", 80), ("http://[::1]:9000/x", 9000),
        ("http://h:81", 81),
    ])
    func healthPort(url: String, port: Int) {
        #expect(ActivationScript.port(of: url) == port)
    }

    @Test func closureScriptSetsTheProfileAndChecksTheReleaseEnv() throws {
        let text = script(Fixtures.closureSpec(), Fixtures.closureRelease())
        #expect(try Fixtures.shellSyntaxErrors(text) == "")
        #expect(text.contains("nix-env -p \"$PROFILE\" --set \"$STORE\""))
        #expect(text.contains("--delete-generations \"+$KEEP\""))
        #expect(text.contains("sed -n 's/^SLIPWAY_RELEASE=//p'"), "identity: the main process's SLIPWAY_RELEASE")
        #expect(text.contains("[ \"$(readlink -f \"$PROFILE\")\" = \"$STORE\" ]"))
        #expect(text.contains("timeout 10 /bin/check 'it'\\''s'"), "health cmd in exec form, each word quoted")
        #expect(text.contains("STORE=\(Fixtures.storePath)\n"))
    }

    @Test func bundleUploadScriptIsValidShAndKeepsTheEnvOutOfArgv() throws {
        let bundle = try ReleaseBundle(
            spec: Fixtures.imageSpec(), release: Fixtures.imageRelease(),
            env: [("DB_PASSWORD", "s3cr3t value")], runtimePath: "/usr/bin/podman", time: Date())
        let upload = bundle.uploadScript(paths: HostPaths(target: "web"), verify: true)
        #expect(try Fixtures.shellSyntaxErrors(upload) == "")
        #expect(upload.hasPrefix("umask 077\n"))
        #expect(upload.contains("DB_PASSWORD=s3cr3t value\n"))
        #expect(upload.contains("systemd-analyze verify"))
        #expect(bundle.directory.hasPrefix(Fixtures.imageRelease().shortID + "-"))
        let other = try ReleaseBundle(
            spec: Fixtures.imageSpec(), release: Fixtures.imageRelease(),
            env: [("DB_PASSWORD", "rotated")], runtimePath: "/usr/bin/podman", time: Date())
        #expect(other.directory != bundle.directory, "a changed secret is a new release folder")
        #expect(!bundle.units.contains { $0.text.contains("s3cr3t") }, "secrets never in a unit file")
        // The folder name hashes secret values: only with the host's own salt, so it cannot confirm a guess.
        let salted = try ReleaseBundle(
            spec: Fixtures.imageSpec(), release: Fixtures.imageRelease(),
            env: [("DB_PASSWORD", "s3cr3t value")], runtimePath: "/usr/bin/podman", time: Date(), salt: "0f1e2d")
        #expect(salted.configHash != bundle.configHash, "the salt is part of the hash")
        #expect(try Fixtures.shellSyntaxErrors(HostFacts.script(Fixtures.imageSpec())) == "")
        #expect(HostFacts(parsing: "salt=0f1e2d\n").salt == "0f1e2d")
    }

    /// Runs the real upload script against a scratch folder standing in for /var/lib/slipway.
    @Test func uploadWritesA0600EnvFile() throws {
        let root = NSTemporaryDirectory() + "slipway-upload-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bundle = try ReleaseBundle(
            spec: Fixtures.imageSpec(), release: Fixtures.imageRelease(),
            env: [("TOKEN", "x'y\"z")], runtimePath: "/usr/bin/podman", time: Date())
        let upload = bundle.uploadScript(paths: HostPaths(target: "web"), verify: false)
            .replacingOccurrences(of: "/var/lib/slipway", with: root)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", upload]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let env = root + "/web/releases/\(bundle.directory)/env"
        let attributes = try FileManager.default.attributesOfItem(atPath: env)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(
            try String(contentsOfFile: env, encoding: .utf8)
                == "TOKEN=x'y\"z\nSLIPWAY_RELEASE=\(Fixtures.imageRelease().id)\n")
    }
}
