import Foundation
import Testing

/// What issue 11 asks of `slipway deploy`, `rollback` and `releases`, written once and run by
/// ``DeployImageTests`` (image mode) and ``DeployClosureTests`` (closure mode). Each scenario
/// boots its own target (about 3 s), so no scenario sees another's releases.
struct DeployScenarios {
    let mode: DeployProject.Mode
    /// The target's address is `<deployTargetNetwork>.<base + n>` for scenario n.
    let base: Int

    func target(_ n: Int) throws -> DeployTarget {
        try DeployTarget.boot("\(mode.rawValue)-\(n)", address: "\(deployTargetNetwork).\(base + n)",
                              privileged: mode == .image)
    }

    /// A fresh project deploying to `targets`.
    func project(_ targets: [DeployTarget]) throws -> DeployProject {
        try DeployProject(mode: mode, hosts: targets.map(\.host))
    }

    /// Writes `release`, deploys it, and expects success; returns the release id now current.
    @discardableResult
    func deploy(_ project: DeployProject, _ release: DeployProject.Release) throws -> String {
        try project.write(release)
        let result = try slipway(["deploy", "web"], in: project.dir, environment: project.environment())
        #expect(result.status == 0, "deploy of '\(release.content)' failed:\n\(result.stdout)\n\(result.stderr)")
        let hosts = try releasesJSON(project.dir)
        return try #require(hosts.first?["current"] as? String, "no current release after a deploy: \(hosts)")
    }

    /// Writes `release` and deploys it, expecting failure; returns the combined output.
    func deployFailing(_ project: DeployProject, _ release: DeployProject.Release) throws -> String {
        try project.write(release)
        let result = try slipway(["deploy", "web"], in: project.dir, environment: project.environment())
        #expect(result.status != 0, "a bad release ('\(release.content)') deployed with exit 0:\n\(result.stderr)")
        return result.stdout + result.stderr
    }

    /// The app's `/` body on the host, trimmed; "" when nothing answers.
    func served(_ project: DeployProject) throws -> String {
        let (status, body) = try http("http://127.0.0.1:\(project.port)/")
        return status == 200 ? body.trimmingCharacters(in: .whitespacesAndNewlines) : ""
    }

    func expectServing(_ project: DeployProject, _ content: String, _ why: String) throws {
        var got = ""
        let answered = try eventually(within: 5) {
            got = try served(project)
            return got == content
        }
        #expect(answered, "\(why): expected '\(content)' on 127.0.0.1:\(project.port), got '\(got)'")
    }

    // MARK: - good releases, the no-op re-deploy, identity in the unit

    func goodReleasesSwitch() throws {
        let host = try target(1)
        defer { host.stop() }
        let project = try project([host])
        let first = try deploy(project, .init(content: "release one"))
        try expectServing(project, "release one", "first deploy")
        #expect(mode == .image ? first.hasPrefix("sha256:") : first.hasPrefix("/nix/store/"), "release id \(first)")
        let second = try deploy(project, .init(content: "release two"))
        try expectServing(project, "release two", "an app-only change")
        #expect(second != first)
        let hosts = try releasesJSON(project.dir)
        #expect(hosts.first?["host"] as? String == host.host)
        #expect(hosts.first?["previous"] as? String == first)
        let again = try slipway(["deploy", "web"], in: project.dir, environment: project.environment())
        #expect(again.status == 0, "re-deploy of the current release: \(again.stderr)")
        let said = (again.stdout + again.stderr).lowercased()
        #expect(["already", "no-op", "nothing to do", "up to date", "unchanged"].contains { said.contains($0) },
                "a re-deploy of the same release should say it is a no-op: \(said)")
        #expect(try releasesJSON(project.dir).first?["current"] as? String == second)
        #expect(try host.output("systemctl is-active slipway-web.service") == "active")
        let (_, release) = try http("http://127.0.0.1:\(project.port)/release")
        #expect(release.trimmingCharacters(in: .whitespacesAndNewlines) == second,
                "the app is told its release in SLIPWAY_RELEASE; it got '\(release)'")
        #expect(try host.output("stat -c %a /var/lib/slipway/web/releases/*/env | sort -u") == "600")
    }

    // MARK: - bad releases leave the previous one serving

    func crashingReleaseRollsBack() throws {
        let host = try target(2)
        defer { host.stop() }
        let project = try project([host])
        let good = try deploy(project, .init(content: "good release"))
        let output = try deployFailing(project, .init(content: "crashing release", behaviour: .crash))
        #expect(output.contains(host.host) || output.contains(host.address), "the failure names the host: \(output)")
        try expectServing(project, "good release", "after a crashing release")
        let state = try releasesJSON(project.dir).first
        #expect(state?["current"] as? String == good)
        let outcomes = (state?["releases"] as? [[String: Any]] ?? []).compactMap { $0["outcome"] as? String }
        #expect(outcomes.contains { $0 == "failed" || $0 == "rolled_back" }, "outcomes: \(outcomes)")
        // systemd's start limit must not block a later deploy (reset-failed).
        try deploy(project, .init(content: "fixed release"))
        try expectServing(project, "fixed release", "after the crash, a good release")
    }

    func neverHealthyReleaseRollsBack() throws {
        let host = try target(3)
        defer { host.stop() }
        let project = try project([host])
        let good = try deploy(project, .init(content: "healthy release"))
        let started = Date()
        let output = try deployFailing(project, .init(content: "unhealthy release", behaviour: .neverHealthy))
        #expect(Date().timeIntervalSince(started) < 40, "health timeout is 8 s; the deploy took far longer")
        #expect(output.contains("/health"), "the failure names the failed check: \(output)")
        #expect(output.contains(host.host) || output.contains(host.address), "the failure names the host: \(output)")
        try expectServing(project, "healthy release", "after a release that never got healthy")
        #expect(try releasesJSON(project.dir).first?["current"] as? String == good)
    }

    /// An impostor (not a Slipway unit) answers the new release's health URL with 200 while the
    /// new release itself serves elsewhere: a 200-only check would pass; the identity check must not.
    func impostorAnsweringIsNotHealthy() throws {
        let host = try target(4)
        defer { host.stop() }
        let project = try project([host])
        let good = try deploy(project, .init(content: "genuine release"))
        let impostor = freeLoopbackPort()
        let started = try host.ssh("""
            mkdir -p /srv/impostor && echo ok > /srv/impostor/health && echo impostor > /srv/impostor/index.html &&
            systemd-run --quiet --collect --unit=impostor busybox httpd -f -p 127.0.0.1:\(impostor) -h /srv/impostor
            """)
        #expect(started.status == 0, "\(started.stderr)")
        #expect(try eventually(within: 5) { try http("http://127.0.0.1:\(impostor)/health").0 == 200 })
        let output = try deployFailing(project, .init(content: "new release", healthPort: impostor))
        #expect(output.contains(host.host) || output.contains(host.address), "the failure names the host: \(output)")
        try expectServing(project, "genuine release", "after an impostor answered the health check")
        #expect(try releasesJSON(project.dir).first?["current"] as? String == good)
    }
}
