import SlipwayDeploy
import SlipwayManifest
import Testing

@Suite("Rendered units")
struct UnitRendererTests {
    @Test func imageUnitsRunByIdWithInitOnThePrivateNetwork() throws {
        let release = Fixtures.imageRelease()
        let units = UnitRenderer(spec: Fixtures.imageSpec(), runtimePath: "/usr/bin/podman").units(
            release, directory: "d1")
        #expect(units.map(\.name) == ["slipway-web-app.service", "slipway-web-web.service"])
        let web = units[1].text
        let exec = try #require(web.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        #expect(exec.contains("/usr/bin/podman run --replace --cgroups=no-conmon --sdnotify=conmon -d"))
        #expect(exec.contains(" --name slipway-web-web --rm --init "))
        #expect(exec.contains("--network slipway-web --network-alias web -p 8080:80 --env-file"))
        #expect(exec.contains(" -v data:/var/lib/data "))
        #expect(exec.contains("--env-file /var/lib/slipway/web/releases/d1/env"))
        #expect(exec.hasSuffix(" " + Fixtures.digest("web").hex), "the image runs by id, never by tag")
        #expect(!exec.contains("localhost/slipway"))
        for line in [
            "Type=notify", "NotifyAccess=all", "Restart=on-failure", "TimeoutStopSec=10", "[Install]",
            "# slipway-release: \(release.id)",
        ] {
            #expect(web.contains(line + "\n"), "missing \(line)")
        }
    }

    @Test func oneImageIsTheTargetUnitAndHostNetworkHasNoPorts() {
        var spec = Fixtures.imageSpec(images: ["web"])
        spec.network = .host
        let units = UnitRenderer(spec: spec, runtimePath: "/usr/bin/podman").units(
            Fixtures.imageRelease(["web"]), directory: "d")
        #expect(units.map(\.name) == ["slipway-web.service"])
        #expect(units[0].text.contains("--network host --env-file"))
        #expect(!units[0].text.contains("-p 8080:80"))
    }

    @Test func dockerUnitRunsInTheForeground() {
        var spec = Fixtures.imageSpec(images: ["web"])
        spec.runtime = .docker
        let text = UnitRenderer(spec: spec, runtimePath: "/usr/bin/docker").units(
            Fixtures.imageRelease(["web"]), directory: "d")[0].text
        #expect(text.contains("Type=exec\n"))
        #expect(text.contains("ExecStart=/usr/bin/docker run --name slipway-web-web --rm --init"))
        #expect(text.contains(" " + Fixtures.digest("web").description + "\n"))
        #expect(!text.contains("sdnotify"))
    }

    @Test func closureUnitRunsTheProfileWithTheCurrentEnvFile() {
        let text = UnitRenderer(spec: Fixtures.closureSpec(), runtimePath: "").units(
            Fixtures.closureRelease(), directory: "d")[0].text
        for line in [
            "ExecStart=/bin/sh /nix/var/nix/profiles/slipway/api", "EnvironmentFile=/var/lib/slipway/api/current/env",
            "User=app", "StateDirectory=slipway-api", "Type=exec",
        ] {
            #expect(text.contains(line + "\n"), "missing \(line)")
        }
        #expect(!text.contains(Fixtures.storePath), "the unit stays the same across closure releases")
    }

    @Test func systemdQuoting() {
        #expect(SystemdQuote.word("plain") == "plain")
        #expect(SystemdQuote.word("A=a b") == "\"A=a b\"")
        #expect(SystemdQuote.word("$HOME \"x\" \\") == "\"$$HOME \\\"x\\\" \\\\\"")
    }
}
