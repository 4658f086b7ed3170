import Foundation
import SlipwayCore
import Testing

/// `slipway ci --push` with `[ci] deploy` on the guestbook: the tests pass, the images go to a
/// real registry, and the deploy stage puts PostgreSQL and Redis (closures) and both images on a
/// real target host (systemd as PID 1, sshd, nested podman), which pulls the images by the
/// digests just pushed; the guestbook then answers there. PostgreSQL, Redis and nginx get free
/// ports in the test's copy; php-fpm's 9000 is fixed in the app image, so it runs under the
/// fixed-ports lock.
@Suite("CI deploy", .tags(.integration, .deploy), .serialized, .timeLimit(.minutes(15)))
struct CIDeployIntegrationTests {
    /// Where the copy's PostgreSQL, Redis and nginx listen on the host (php-fpm: 9000).
    struct Ports {
        var postgres = freeLoopbackPort()
        var redis = freeLoopbackPort()
        var web = freeLoopbackPort()
    }

    /// The guestbook, its targets on `host`, `[ci] deploy` set.
    func guestbook(deployingTo host: DeployTarget, ports: Ports) throws -> String {
        let dir = try exampleCopy("guestbook")
        let nginx = dir + "/deploy/nginx.conf"
        let conf = try String(contentsOfFile: nginx, encoding: .utf8)
        #expect(conf.contains("listen 8080;"), "the example's nginx.conf changed")
        try conf.replacingOccurrences(of: "listen 8080;", with: "listen \(ports.web);")
            .write(toFile: nginx, atomically: true, encoding: .utf8)
        let manifest = dir + "/slipway.toml"
        var text = try String(contentsOfFile: manifest, encoding: .utf8)
        let replacements = [
            ("hosts = [\"root@127.0.0.2:2222\"]", "hosts = [\"\(host.host)\"]"),
            ("port = 5432\n", "port = \(ports.postgres)\n"), ("port = 6379\n", "port = \(ports.redis)\n"),
            ("PGPORT = \"5432\"", "PGPORT = \"\(ports.postgres)\""), ("REDIS_PORT = \"6379\"", "REDIS_PORT = \"\(ports.redis)\""),
            ("http://127.0.0.1:8080/health", "http://127.0.0.1:\(ports.web)/health"),
            ("[ci]\ntasks = [\"test\"]\n", "[ci]\ntasks = [\"test\"]\ndeploy = [\"db\", \"cache\", \"web\"]\n"),
        ]
        for (old, new) in replacements { text = text.replacingOccurrences(of: old, with: new) }
        for fixed in ["port = 5432", "port = 6379", "\"5432\"", "\"6379\"", "127.0.0.1:8080"] {
            #expect(!text.contains(fixed), "the copy still has \(fixed)")
        }
        #expect(text.contains("deploy = [\"db\", \"cache\", \"web\"]"), "the example's [ci] table changed")
        for target in ["db", "cache", "web"] {
            text += "\n" + DeployTarget.sshTable.replacingOccurrences(of: "[deploy.web.ssh]", with: "[deploy.\(target).ssh]") + "\n"
        }
        try text.write(toFile: manifest, atomically: true, encoding: .utf8)
        return dir
    }

    @Test func ciPushDeploysTheGuestbookAndItAnswersOnTheHost() throws {
        try holdingFixedPorts { try deploysTheGuestbook() }
    }

    func deploysTheGuestbook() throws {
        try #require(PortCheck.isFree(9000), "127.0.0.1:9000 is in use (\(PortCheck.holder(of: 9000) ?? "?")): the app image's php-fpm needs it")
        let ports = Ports()
        let host = try DeployTarget.boot("ci-deploy", address: "\(deployTargetNetwork).180", privileged: true)
        defer { host.stop() }
        let dir = try guestbook(deployingTo: host, ports: ports)
        let registry = try TestRegistry()
        defer { withExtendedLifetime(registry) {} }
        let env: [String: String?] = [
            "XDG_CACHE_HOME": DeployProject.cache, "CI_COMMIT_SHORT_SHA": "abc1234", "GITLAB_CI": nil, "GITHUB_ACTIONS": nil,
        ]

        let ci = try slipway(["ci", "--push", "--registry", "\(registry.host)/guestbook"], in: dir, environment: env)
        #expect(ci.status == 0, "\(ci.stdout)\(ci.stderr)")
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/.slipway/ci/summary.json")))
                as? [String: Any])
        let stages = (summary["stages"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? "")=\($0["status"] ?? "")" }
        #expect(stages == ["environment=passed", "tasks=passed", "artifacts=passed", "images=passed", "push=passed", "deploy=passed"])
        let deployments = summary["deployments"] as? [[String: Any]] ?? []
        let rows = deployments.flatMap { deployment in
            (deployment["hosts"] as? [[String: Any]] ?? []).map { "\(deployment["target"] ?? "") \($0["host"] ?? "") \($0["state"] ?? "")" }
        }
        #expect(rows == ["db", "cache", "web"].map { "\($0) \(host.host) deployed" }, "\(rows)")
        #expect(ci.stderr.contains("  web -> \(host.host) deployed"), "the report lists the deploy per host:\n\(ci.stderr)")

        // The host pulled both images by the digests just pushed (nothing sent over ssh).
        let images = summary["images"] as? [[String: Any]] ?? []
        for name in ["app", "web"] {
            let digest = try #require(images.first { $0["name"] as? String == name }?["digest"] as? String)
            #expect(ci.stderr.contains("pulled image \(name)"), "\(name) was not pulled:\n\(ci.stderr)")
            let repoDigests = try host.output("podman image inspect --format '{{json .RepoDigests}}' \(registry.host)/guestbook/\(name)@\(digest)")
            #expect(repoDigests.contains("\(registry.host)/guestbook/\(name)@\(digest)"), "\(repoDigests)")
        }
        #expect(!ci.stderr.contains("sending image"), "a reachable registry means no transfer:\n\(ci.stderr)")

        // The guestbook answers on the host, with PostgreSQL and Redis that the same stage deployed.
        var health = (0, "")
        let answered = try eventually(within: 10) {
            health = try http("http://127.0.0.1:\(ports.web)/health")
            return health.0 == 200
        }
        #expect(answered && health.1.contains("\"status\":\"ok\""), "health: \(health)")
        #expect(try host.output("systemctl is-active slipway-web-app slipway-web-web slipway-db slipway-cache")
                .split(separator: "\n") == ["active", "active", "active", "active"])

        // A host that cannot pull (the registry is blocked in its registries.conf) gets the
        // images over ssh instead, as `slipway deploy` sends them.
        try host.ssh("""
            mkdir -p /etc/containers/registries.conf.d && printf '[[registry]]\\nlocation = "%s"\\nblocked = true\\n' \
              \(registry.host) > /etc/containers/registries.conf.d/99-blocked.conf
            """)
        let view = dir + "/src/View.php"
        let page = try String(contentsOfFile: view, encoding: .utf8)
        try page.replacingOccurrences(of: "<h1>Guestbook</h1>", with: "<h1>Guestbook, from CI</h1>")
            .write(toFile: view, atomically: true, encoding: .utf8)
        let again = try slipway(["ci", "--push", "--registry", "\(registry.host)/guestbook"], in: dir, environment: env)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("cannot pull \(registry.host)/guestbook/app@sha256:"), "\(again.stderr)")
        #expect(again.stderr.contains("sending image app"), "\(again.stderr)")
        #expect(again.stderr.contains("  web -> \(host.host) deployed"), "\(again.stderr)")
        #expect(again.stderr.contains("  db -> \(host.host) unchanged"), "an unchanged target is a no-op")
        let served = try host.output("podman exec slipway-web-app grep -c 'Guestbook, from CI' /app/src/View.php")
        #expect(served == "1", "the new release runs: \(served)")
        #expect(try eventually(within: 10) { try http("http://127.0.0.1:\(ports.web)/health").0 == 200 }, "healthy again")
    }
}
