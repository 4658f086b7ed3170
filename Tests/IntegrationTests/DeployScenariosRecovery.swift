import Foundation
import Testing

/// The scenarios about what happens around a release: a deployer killed mid-activation,
/// rollback, keep-N pruning, secrets, and several hosts.
extension DeployScenarios {
    /// Activation runs on the host as a transient unit: killing the ssh client and `kill -9` of
    /// slipway mid-activation still leaves a healthy release within the dead-man delay.
    func killedDeployerStillEndsHealthy() throws {
        let host = try target(5)
        defer { host.stop() }
        let project = try project([host])
        try deploy(project, .init(content: "before the kill"))
        try project.write(.init(content: "slow release", behaviour: .slow(seconds: 3)))
        let deployer = try startSlipway(["deploy", "web"], in: project.dir, environment: project.environment())
        let activating = try eventually(within: 120) { try activationRunning(host) || !deployer.isRunning }
        #expect(activating && deployer.isRunning, "never saw the activation unit slipway-activate-web running")
        for child in childProcesses(of: deployer.processIdentifier) { kill(child, SIGKILL) }
        kill(deployer.processIdentifier, SIGKILL)
        deployer.waitUntilExit()
        let killed = Date()
        let settled = try eventually(within: Double(project.confirm) + 5) { try !activationRunning(host) }
        #expect(settled, "the activation was still running \(project.confirm + 5) s after the deployer died")
        let content = try served(project)
        #expect(content == "before the kill" || content == "slow release",
                "no healthy release \(Date().timeIntervalSince(killed)) s after kill -9: '\(content)'")
        // The lock died with the activation unit: the next deploy goes through.
        try deploy(project, .init(content: "after the kill"))
        try expectServing(project, "after the kill", "a deploy after the killed one")
    }

    /// Whether the activation unit (`slipway-activate-web`, the contract's name) runs on `host`.
    func activationRunning(_ host: DeployTarget) throws -> Bool {
        try host.output("systemctl list-units --all --plain --no-legend 'slipway-activate-web*' | grep -c ' active '")
            != "0"
    }

    func rollbackAndReleases() throws {
        let host = try target(6)
        defer { host.stop() }
        let project = try project([host])
        let first = try deploy(project, .init(content: "rollback one"))
        let second = try deploy(project, .init(content: "rollback two"))
        let back = try slipway(["rollback", "web"], in: project.dir, environment: project.environment())
        #expect(back.status == 0, "rollback: \(back.stderr)")
        try expectServing(project, "rollback one", "after rollback to the previous good release")
        let hosts = try releasesJSON(project.dir)
        #expect(hosts.first?["current"] as? String == first)
        let ids = (hosts.first?["releases"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(Set(ids).isSuperset(of: [first, second]), "releases lists what ran: \(ids)")
        for release in hosts.first?["releases"] as? [[String: Any]] ?? [] {
            #expect(release["time"] is String && release["outcome"] is String, "release entry \(release)")
        }
        let forward = try slipway(["rollback", "web", "--to", second], in: project.dir,
                                  environment: project.environment())
        #expect(forward.status == 0, "rollback --to: \(forward.stderr)")
        try expectServing(project, "rollback two", "after rollback --to the newer release")
        let unknown = try slipway(["rollback", "web", "--to", "sha256:" + String(repeating: "0", count: 64)],
                                  in: project.dir, environment: project.environment())
        #expect(unknown.status != 0, "rollback to an unknown release must fail")
        try expectServing(project, "rollback two", "a refused rollback changes nothing")
    }

    func keepPrunesOldReleases() throws {
        let host = try target(7)
        defer { host.stop() }
        var project = try project([host])
        project.keep = 2
        let first = try deploy(project, .init(content: "keep one"))
        let second = try deploy(project, .init(content: "keep two"))
        let third = try deploy(project, .init(content: "keep three"))
        let ids = (try releasesJSON(project.dir).first?["releases"] as? [[String: Any]] ?? [])
            .compactMap { $0["id"] as? String }
        #expect(Set(ids) == [second, third], "keep = 2 keeps the last two: \(ids) (first was \(first))")
        #expect(try host.output("ls /var/lib/slipway/web/releases | wc -l") == "2")
        if mode == .image {
            let images = try host.output("podman images -q --no-trunc")
            #expect(!images.contains(first.replacingOccurrences(of: "sha256:", with: "")), "pruned image: \(images)")
        } else {
            #expect(try host.output("nix-env -p /nix/var/nix/profiles/slipway/web --list-generations | wc -l") == "2")
        }
        // Failed releases never push a good one out of the window: two crashing deploys later, both
        // good releases are still kept (and listed), and rollback still finds the previous good one.
        _ = try deployFailing(project, .init(content: "keep crash one", behaviour: .crash))
        _ = try deployFailing(project, .init(content: "keep crash two", behaviour: .crash))
        let after = (try releasesJSON(project.dir).first?["releases"] as? [[String: Any]] ?? [])
            .compactMap { $0["id"] as? String }
        #expect(Set([second, third]).isSubset(of: Set(after)), "good releases kept after failures: \(after)")
        try expectServing(project, "keep three", "the current good release serves after the failures")
        let back = try slipway(["rollback", "web"], in: project.dir, environment: project.environment())
        #expect(back.status == 0, "rollback to a kept release: \(back.stderr)")
        try expectServing(project, "keep two", "the kept previous release still runs")
    }

    /// Hosts go one at a time and a failure stops the rest; the exit status reports it.
    func secondHostFailing() throws {
        let good = try target(8), broken = try target(9)
        defer { good.stop(); broken.stop() }
        // The second host lacks the tool the mode needs on it.
        let tool = mode == .image ? "/usr/bin/podman" : "/usr/bin/nix-store"
        #expect(try broken.ssh("mv \(tool) \(tool).off").status == 0)
        var project = try project([good, broken])
        let output = try deployFailing(project, .init(content: "two hosts"))
        #expect(output.contains(broken.host) || output.contains(broken.address), "names the failing host: \(output)")
        try expectServing(project, "two hosts", "the first host took the release")
        #expect(try broken.output("systemctl is-active slipway-web.service") != "active")
        project.hosts = [broken.host, good.host]
        _ = try deployFailing(project, .init(content: "first host fails"))
        try expectServing(project, "two hosts", "a failure on the first host leaves the second untouched")
    }
}
