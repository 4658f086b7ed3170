import Foundation
import SlipwayDeploy
import SlipwayManifest
import Testing

/// The NixOS module of `--nixos-module`: golden bytes, `nix-instantiate --parse`, and an
/// evaluation with a small stand-in for nixpkgs' `lib` (mkOption, mkIf, optionalAttrs, ...)
/// that checks the unit it declares is the unit the NixOS-mode deploy test installs. A real
/// NixOS evaluation needs nixpkgs, which this machine does not have.
@Suite("NixOS module")
struct NixOSModuleTests {
    static var spec: DeploySpec {
        var spec = Fixtures.closureSpec()
        spec.nixos = true
        return spec
    }

    static func module() throws -> String {
        try NixOSModule(spec: spec, user: "app", project: "guestbook").render()
    }

    @Test func matchesGolden() throws {
        try GoldenFile.expectMatches(try Self.module(), "api.nixos.nix")
    }

    @Test func parsesWithNixInstantiate() throws {
        let file = try temporaryFile(try Self.module(), suffix: ".nix")
        let (status, _, stderr) = try runProgram("nix-instantiate", ["--parse", file])
        #expect(status == 0, "nix-instantiate --parse: \(stderr)")
        // The same check fails on a broken module: it is not a test that always passes.
        let broken = try temporaryFile(String(try Self.module().dropLast(3)), suffix: ".nix")
        let (brokenStatus, _, _) = try runProgram("nix-instantiate", ["--parse", broken])
        #expect(brokenStatus != 0)
    }

    @Test func refusesOtherModes() {
        var spec = Fixtures.imageSpec()
        spec.name = "web"
        #expect(throws: DeployError.self) { try NixOSModule(spec: spec, user: nil, project: "p") }
    }

    /// The module evaluated with its own option defaults: `systemd.services."slipway-api"`'s
    /// serviceConfig equals the `[Service]` section of the unit Slipway records for a NixOS target.
    @Test func declaresTheUnitSlipwayRecords() throws {
        let file = try temporaryFile(try Self.module(), suffix: ".nix")
        let (status, stdout, stderr) = try runProgram(
            "nix-instantiate",
            ["--eval", "--strict", "--json", GoldenFile.support("nixos-module-eval.nix"), "--arg", "module", file,
             "--argstr", "name", "api"])
        try #require(status == 0, "nix-instantiate --eval: \(stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
        let evaluated = try #require(object["serviceConfig"] as? [String: String])
        let unit = UnitRenderer(spec: Self.spec, runtimePath: "").units(Fixtures.closureRelease(), directory: "d")[0].text
        var recorded: [String: String] = [:]
        var inService = false
        for line in unit.split(separator: "\n") {
            if line.hasPrefix("[") { inService = line == "[Service]" }
            if inService, let eq = line.firstIndex(of: "=") {
                recorded[String(line[..<eq])] = String(line[line.index(after: eq)...])
            }
        }
        #expect(evaluated == recorded)
        #expect(object["wantedBy"] as? [String] == ["multi-user.target"])
        #expect(object["description"] as? String == "Slipway target api: service web")
        let users = try #require(object["users"] as? [String: Any])
        #expect(users["app"] != nil, "a non-root user is declared as a system user")
    }
}
