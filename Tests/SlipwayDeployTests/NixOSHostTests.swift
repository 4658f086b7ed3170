import SlipwayDeploy
import SlipwayManifest
import Testing

/// `nixos = true` on the host side: the activation never writes units, and the host check's rules.
@Suite("NixOS hosts")
struct NixOSHostTests {
    @Test func activationUsesTheSystemsUnitsAndIsValidSh() throws {
        let spec = NixOSModuleTests.spec
        let script = ActivationScript(
            spec: spec, release: Fixtures.closureRelease(), directory: "d", units: ["slipway-api.service"],
            runtimePath: ""
        ).render()
        #expect(script.contains("\nSYSTEM_UNITS=1\n"))
        #expect(try Fixtures.shellSyntaxErrors(script) == "")
        var plain = spec
        plain.nixos = false
        let other = ActivationScript(
            spec: plain, release: Fixtures.closureRelease(), directory: "d", units: ["slipway-api.service"],
            runtimePath: ""
        ).render()
        #expect(other.contains("\nSYSTEM_UNITS=''\n") || other.contains("\nSYSTEM_UNITS=\"\"\n"), "\(other.prefix(900))")
        #expect(try Fixtures.shellSyntaxErrors(HostFacts.script(spec)) == "")
    }

    @Test(arguments: [
        // (nixos = true, host is NixOS, unit declared, foreign unit) -> a problem mentioning…
        (false, true, false, false, "the host runs NixOS"),
        (true, false, false, false, "is not declared on the host"),
        (true, true, false, true, "is not declared on the host"),
        (true, true, true, true, ""),
        (false, false, false, true, "Slipway did not deploy it"),
        (false, false, false, false, ""),
    ])
    func hostCheck(nixos: Bool, nixosHost: Bool, systemUnit: Bool, foreign: Bool, problem: String) {
        var spec = Fixtures.closureSpec()
        spec.nixos = nixos
        var facts = HostFacts()
        facts.systemd = true
        facts.nixStore = "/run/current-system/sw/bin/nix-store"
        facts.nixosHost = nixosHost
        facts.systemUnit = systemUnit
        facts.foreignUnit = foreign
        let found = facts.problem(spec, needBytes: 0)
        if problem.isEmpty {
            #expect(found == nil, "\(String(describing: found))")
        } else {
            #expect(found?.0.contains(problem) == true, "\(String(describing: found))")
            if nixos || nixosHost { #expect(found?.1.contains("--nixos-module") == true) }
        }
    }
}
