import Testing
@testable import SlipwayManifest

@Suite("slipway init's starter manifest")
struct StarterManifestTests {
    @Test func theStarterManifestLoadsWithItsNameAndPackageSet() throws {
        let text = StarterManifest.text(name: "my \"app\"\n", nixpkgs: "path:/nix/offline")
        let manifest = try ManifestLoader.parse(text, file: "slipway.toml", root: "/p")
        #expect(manifest.project.name == "my \"app\"\n")
        #expect(manifest.nix.nixpkgs == "path:/nix/offline")
    }

    @Test(arguments: [
        ("", ".slipway/\nresult-*\n"),
        ("node_modules", "node_modules\n.slipway/\nresult-*\n"),
        ("  .slipway/  \nresult-*\n", nil),
        ("/.slipway/\n", "/.slipway/\nresult-*\n"),
    ] as [(String, String?)])
    func gitignoreGainsOnlyWhatIsMissing(existing: String, expected: String?) {
        #expect(StarterManifest.gitignore(adding: existing) == expected)
    }
}
