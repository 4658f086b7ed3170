import SlipwayCore
import Foundation
import SlipwayDeploy
import SlipwayManifest
import Testing

@Suite("Releases, records and host listings")
struct ReleaseTests {
    @Test func releaseIdsAreDigestsOrStorePaths() {
        let one = Fixtures.imageRelease(["web"])
        #expect(one.id == Fixtures.digest("web").description)
        #expect(one.shortID == String(Fixtures.digest("web").hex.prefix(16)))
        let two = Fixtures.imageRelease()
        #expect(two.id.hasPrefix("sha256:") && two.id != one.id)
        #expect(Fixtures.closureRelease().id == Fixtures.storePath)
        #expect(Fixtures.closureRelease().shortID == "0123456789abcdfg")
    }

    @Test func recordIsOneLineOfJSON() throws {
        let record = ReleaseRecord(
            target: "web", release: Fixtures.imageRelease(), time: Date(timeIntervalSince1970: 0),
            configHash: "ab")
        let text = try record.encoded()
        #expect(!text.contains("\n") && !text.contains("\t"))
        #expect(text.contains("\"time\":\"1970-01-01T00:00:00Z\""))
        #expect(text.contains("\"commit\":\"abc123\""))
    }

    @Test func listingParsesNewestFirstWithActiveAndDrift() throws {
        func line(_ dir: String, _ outcome: String, _ id: String) throws -> String {
            var record = ReleaseRecord(
                target: "web", release: Fixtures.imageRelease(["web"]), time: Date(), configHash: "x")
            record.id = id
            return "R \(dir)\t\(outcome)\t2026-12-02T01:00:00Z\t\(try record.encoded())"
        }
        let output = [
            try line("a1", "good", "sha256:aa"), try line("b2", "failed", "sha256:bb"),
            try line("c3", "good", "sha256:cc"),
            "C c3", "P a1", "D slipway-web.service is not active",
        ].joined(separator: "\n")
        let listing = HostReleases(host: "root@h", parsing: output)
        #expect(listing.releases.map(\.directory) == ["c3", "b2", "a1"])
        #expect(listing.releases.map(\.outcome) == ["active", "failed", "good"])
        #expect(listing.current == "sha256:cc" && listing.previous == "sha256:aa")
        #expect(listing.drift == ["slipway-web.service is not active"])
        #expect(
            listing.rollbackTarget(to: nil)?.directory == "a1", "the previous good release, skipping the failed one")
        #expect(listing.rollbackTarget(to: "sha256:bb")?.directory == "b2")
        #expect(listing.rollbackTarget(to: "zz") == nil)
        #expect(try Fixtures.shellSyntaxErrors(HostReleases.script(HostPaths(target: "web"))) == "")
    }

    @Test func hostFactsFindWhatIsMissing() {
        let spec = Fixtures.imageSpec()
        let noSystemd = HostFacts(parsing: "runtime=/usr/bin/podman\ncurl=/usr/bin/curl\n")
        #expect(noSystemd.problem(spec, needBytes: 0)?.0 == "the host does not run systemd as PID 1")
        let noPodman = HostFacts(parsing: "systemd=yes\nruntime=\ncurl=/usr/bin/curl\n")
        #expect(noPodman.problem(spec, needBytes: 0)?.0 == "podman is not installed on the host")
        let full = HostFacts(parsing: "systemd=yes\nruntime=/usr/bin/podman\ncurl=/usr/bin/curl\nfree=10\n")
        #expect(full.problem(spec, needBytes: 1 << 20)?.0.hasPrefix("not enough disk space") == true)
        let noTools = HostFacts(parsing: "systemd=yes\nruntime=/usr/bin/podman\ncurl=/c\nmissing=flock\nmissing=ss\n")
        #expect(noTools.problem(spec, needBytes: 0)?.0 == "the host lacks flock, ss, which the activation runs")
        let foreign = HostFacts(parsing: "systemd=yes\nruntime=/usr/bin/podman\ncurl=/c\nforeign=yes\n")
        #expect(foreign.problem(spec, needBytes: 0)?.1.contains("does not adopt") == true)
        let good = HostFacts(
            parsing: "systemd=yes\nruntime=/usr/bin/podman\ncurl=/c\ncurrent=d1\noutcome=good\nfree=999999\n")
        #expect(good.problem(spec, needBytes: 1000) == nil && good.current == "d1")
        #expect(
            HostFacts(parsing: "systemd=yes\nnixstore=\n").problem(Fixtures.closureSpec(), needBytes: 0)?.0
                == "nix is not installed on the host")
    }

    @Test func sshArgvUsesOneControlMasterAndTheSudoTemplate() {
        let host = DeployHost(user: "deploy", host: "app1", port: 2200)
        var settings = DeploySpec.SSH()
        settings.identity = "/k"
        let connection = SSHConnection(
            host: host, settings: settings, sudo: ["run0", "--", "{}"], controlDirectory: "/tmp/c",
            runner: ProcessRunner())
        let argv = connection.argv("echo hi")
        #expect(
            argv.contains("ControlMaster=auto") && argv.contains("ControlPath=/tmp/c/%C")
                && argv.contains("BatchMode=yes"))
        #expect(argv.suffix(3) == ["deploy@app1", "--", "run0 -- sh -c 'echo hi'"])
        #expect(argv.contains("-p") && argv.contains("2200") && argv.contains("-i"))
        let root = SSHConnection(
            host: DeployHost(user: "root", host: "h", port: nil), settings: .init(), sudo: ["sudo", "{}"],
            controlDirectory: "/tmp/c", runner: ProcessRunner())
        #expect(root.argv("true").last == "sh -c true")
    }

    @Test func envFileFormats() throws {
        #expect(try EnvFile.render([("A", "x y"), ("B", "$z")], format: .container) == "A=x y\nB=$z\n")
        #expect(try EnvFile.render([("A", "q\"\\\nz")], format: .systemd) == "A=\"q\\\"\\\\\\nz\"\n")
        #expect(throws: DeployError.self) { try EnvFile.render([("A", "a\nb")], format: .container) }
    }
}
