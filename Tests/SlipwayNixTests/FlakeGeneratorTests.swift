import Foundation
import Testing
@testable import SlipwayManifest
@testable import SlipwayNix

@Suite("Generated flake and lock")
struct FlakeGeneratorTests {
    func generate(_ toml: String, profile: String = "dev") throws -> FlakeGenerator.Output {
        let manifest = try ManifestLoader.parse(toml, file: "slipway.toml", root: "/p")
        return FlakeGenerator(manifest: manifest, system: "x86_64-linux").generate(try manifest.resolve(profile: profile))
    }

    @Test func inputsAndPackages() throws {
        let output = try generate("""
            [nix]
            nixpkgs = "./nix/offline"
            [nix.inputs]
            tools = "github:me/tools"
            [packages]
            composer = "php82Packages.composer"
            php = { nix = "php82.buildEnv { extraConfig = \\"x\\"; }" }
            cli = { flake = "github:me/cli#default" }
            """)
        let text = output.text
        #expect(text.contains(#"nixpkgs.url = "path:/p/nix/offline";"#))
        #expect(text.contains(#""tools".url = "github:me/tools";"#))
        #expect(text.contains(#"slipway-flake-0.url = "github:me/cli";"#))
        #expect(text.contains(#""composer" = pkgs."php82Packages"."composer";"#))
        #expect(text.contains(#""composer" = pkgs ? "php82Packages"."composer";"#))
        #expect(text.contains(#"php82.buildEnv { extraConfig = "x"; }"#))
        #expect(text.contains(#"inputs."slipway-flake-0".packages.${system}."default" or inputs."slipway-flake-0".legacyPackages.${system}."default""#))
        #expect(output.packageLines.map(\.key) == ["composer", "php", "cli"])
        let phpLines = output.packageLines[1].lines
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[phpLines.lowerBound - 1].contains(#""php" = with pkgs; ("#))
        #expect(lines[phpLines.upperBound - 1].contains(");"))
    }

    @Test func nixStringsEscapeInterpolation() {
        #expect(nixString(#"a"b\c${d}"#) == #""a\"b\\c$\{d}""#)
    }

    @Test func portableLockDropsLocalPathInputs() throws {
        let lock = """
            {"nodes":{"nixpkgs":{"locked":{"lastModified":1,"narHash":"sha256-x","path":"/tmp/a","type":"path"},"original":{"path":"/tmp/a","type":"path"}},
            "tools":{"locked":{"narHash":"sha256-y","owner":"me","repo":"tools","rev":"abc","type":"github"},"original":{"owner":"me","repo":"tools","type":"github"}},
            "root":{"inputs":{"nixpkgs":"nixpkgs","tools":"tools"}}},"root":"root","version":7}
            """
        let portable = try #require(LockFile.portable(Data(lock.utf8)))
        let object = try #require(try JSONSerialization.jsonObject(with: portable) as? [String: Any])
        let nodes = try #require(object["nodes"] as? [String: Any])
        #expect(Set(nodes.keys) == ["root", "tools"])
        let root = try #require(nodes["root"] as? [String: Any])
        #expect((root["inputs"] as? [String: String]) == ["tools": "tools"])
        #expect(portable.last == 0x0A)
        #expect(LockFile.portable(Data("not json".utf8)) == nil)
    }
}
