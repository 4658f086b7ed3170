import Foundation
import Testing

/// Closure mode with `nixos = true` against a real target host whose `slipway-web.service`
/// lives where a NixOS system puts it: `/etc/systemd/system/slipway-web.service` → `/etc/static/…`
/// → a read-only file in the host's Nix store, made from the module `slipway deploy web
/// --nixos-module` prints (evaluated with a stand-in for nixpkgs' `lib`: no nixpkgs here, so
/// not a NixOS evaluation). Slipway must switch releases without ever writing that unit.
@Suite("Deploy to a NixOS-style host", .tags(.integration, .deploy), .serialized, .timeLimit(.minutes(10)))
struct DeployNixOSTests {
    /// The module's `systemd.services."slipway-web"`, evaluated, as a unit file.
    static func unit(fromModule module: String) throws -> String {
        let file = try temporaryDirectory() + "/slipway-web.nix"
        try module.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try run(
            "/usr/bin/nix-instantiate",
            ["--eval", "--strict", "--json", repositoryRoot + "/Tests/Support/nixos-module-eval.nix",
             "--arg", "module", file, "--argstr", "name", "web", "-A", "unit"],
            in: repositoryRoot)
        try #require(result.status == 0, "evaluating the module: \(result.stderr)")
        let text = try JSONDecoder().decode(String.self, from: Data(result.stdout.utf8))
        return text
    }

    @Test func closureReleasesSwitchWithoutWritingTheSystemUnit() throws {
        let host = try DeployTarget.boot("nixos-1", address: "\(deployTargetNetwork).170", privileged: true)
        defer { host.stop() }
        var project = try DeployProject(mode: .closure, hosts: [host.host])
        project.deployExtra = "nixos = true\n"
        try project.write(.init(content: "nixos one"))
        let env = project.environment()

        // Before the module's unit exists, the host check refuses and says what to do.
        let early = try slipway(["deploy", "web"], in: project.dir, environment: env)
        #expect(early.status != 0)
        #expect(early.stderr.contains("--nixos-module"), "hint missing: \(early.stderr)")
        #expect(try host.output("ls /var/lib/slipway/web/releases 2>/dev/null | wc -l") == "0", "nothing uploaded")

        let printed = try slipway(["deploy", "web", "--nixos-module"], in: project.dir, environment: env)
        try #require(printed.status == 0, "--nixos-module: \(printed.stderr)")
        let moduleFile = try temporaryDirectory() + "/module.nix"
        try printed.stdout.write(toFile: moduleFile, atomically: true, encoding: .utf8)
        let parse = try run("/usr/bin/nix-instantiate", ["--parse", moduleFile], in: repositoryRoot)
        #expect(parse.status == 0, "nix-instantiate --parse: \(parse.stderr)")

        // Install it as NixOS does: a store file, linked through /etc/static.
        let unit = try Self.unit(fromModule: printed.stdout)
        let staged = try host.ssh("""
            set -e
            d=$(mktemp -d); cat > $d/slipway-web.service <<'UNIT'
            \(unit)
            UNIT
            p=$(nix-store --add $d/slipway-web.service)
            mkdir -p /etc/static/systemd/system
            ln -sfn $p /etc/static/systemd/system/slipway-web.service
            ln -sfn /etc/static/systemd/system/slipway-web.service /etc/systemd/system/slipway-web.service
            systemctl daemon-reload
            echo $p
            """)
        try #require(staged.status == 0, "installing the module's unit: \(staged.stderr)")
        let before = try host.output("readlink -f /etc/systemd/system/slipway-web.service; "
                                     + "sha256sum /etc/systemd/system/slipway-web.service")

        let first = try slipway(["deploy", "web"], in: project.dir, environment: env)
        #expect(first.status == 0, "deploy one: \(first.stdout)\n\(first.stderr)")
        try expectServing(project, "nixos one")
        try project.write(.init(content: "nixos two"))
        let second = try slipway(["deploy", "web"], in: project.dir, environment: env)
        #expect(second.status == 0, "deploy two: \(second.stdout)\n\(second.stderr)")
        try expectServing(project, "nixos two")

        try project.write(.init(content: "nixos crash", behaviour: .crash))
        let bad = try slipway(["deploy", "web"], in: project.dir, environment: env)
        #expect(bad.status != 0, "a crashing release deployed with exit 0")
        #expect((bad.stdout + bad.stderr).contains("rolled_back"), "\(bad.stderr)")
        try expectServing(project, "nixos two")

        let after = try host.output("readlink -f /etc/systemd/system/slipway-web.service; "
                                    + "sha256sum /etc/systemd/system/slipway-web.service")
        #expect(after == before, "the system unit was rewritten")
        #expect(try host.output("readlink /etc/systemd/system/slipway-web.service")
                == "/etc/static/systemd/system/slipway-web.service")
        #expect(try host.output("systemctl show -p FragmentPath --value slipway-web.service")
                == "/etc/systemd/system/slipway-web.service")
        #expect(try host.output("systemctl show -p NoNewPrivileges --value slipway-web.service") == "yes",
                "the module's hardening is in force")
        let hosts = try releasesJSON(project.dir)
        let drift: [String] = (hosts.first?["drift"] as? [String]) ?? ["no drift field"]
        #expect(drift.isEmpty, "no drift: \(hosts)")
    }

    func expectServing(_ project: DeployProject, _ content: String) throws {
        var got = ""
        let answered = try eventually(within: 5) {
            let (status, body) = try http("http://127.0.0.1:\(project.port)/")
            got = status == 200 ? body.trimmingCharacters(in: .whitespacesAndNewlines) : ""
            return got == content
        }
        #expect(answered, "expected '\(content)' on 127.0.0.1:\(project.port), got '\(got)'")
    }
}
