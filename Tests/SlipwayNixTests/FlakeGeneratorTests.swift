import Foundation
import SlipwayCore
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

@Suite("The project folder in generated expressions")
struct ProjectSourceFlakeTests {
    func generate(_ toml: String, profile: String = "prod", source: ProjectSource? = nil) throws -> String {
        let manifest = try ManifestLoader.parse(toml, file: "slipway.toml", root: "/p")
        return FlakeGenerator(manifest: manifest, system: "x86_64-linux", source: source).generate(try manifest.resolve(profile: profile)).text
    }

    @Test(arguments: [
        ("runCommand \"x\" { } \"cat ${src}/poetry.lock\"", true),
        ("mkPoetryEnv { projectDir = src; }", true),
        ("f { inherit src; }", true),
        ("stdenv.mkDerivation { src = fetchurl { url = u; }; }", false), // defines `src`
        ("hello.src", false),                                            // selects it
        ("mysrc srcs src-dir", false),
        ("x: x == src", true),
        ("src==x", true),
        ("{ src\n  = ./.; }", false),
        ("${src}/poetry.lock", true),
    ])
    func mentionsSource(expression: String, uses: Bool) {
        #expect(FlakeGenerator.mentionsSource(expression) == uses)
    }

    @Test func packagesThatReadTheProjectGetSrc() throws {
        let source = ProjectSource(ignored: ["__pycache__", "node_modules"], kept: [], fingerprint: "sha256:0")
        let text = try generate("""
            [packages]
            lockdata = { nix = "writeText \\"deps\\" (builtins.readFile (src + \\"/deps.json\\"))" }
            hello = { nix = "hello" }
            """, source: source)
        #expect(text.contains(#""lockdata" = let src = self.slipway.srcFor { }; in with pkgs; ("#))
        #expect(text.contains(#""hello" = with pkgs; ("#), "no src for an expression that does not use it")
        #expect(text.contains(#"slipway.ignored = [ "__pycache__" "node_modules" ];"#))
        #expect(text.contains("slipway.srcFor = { include ? null, exclude ? self.slipway.ignored }: let"))
        #expect(text.contains("!(builtins.hasAttr rel skip)"))
        let plain = try generate("[packages]\nhello = \"hello\"\n")
        #expect(!plain.contains("srcFor"), "no project folder when nothing reads it")
    }

    @Test func artifactsSeeEachOtherTheirToolsAndExcludes() throws {
        let source = ProjectSource(ignored: ["node_modules", "vendor"], kept: [
            .init(path: "var", isDirectory: true), .init(path: "var/cache", isDirectory: true),
            .init(path: "var/cache/a", isDirectory: false), .init(path: "app.py", isDirectory: false),
        ], fingerprint: "sha256:0")
        let text = try generate("""
            [artifacts.assets]
            nix = "runCommand \\"assets\\" { nativeBuildInputs = build_packages; } ''mkdir -p $out/public''"
            build_packages = ["nodejs", "php82Packages.composer"]
            [artifacts.app]
            nix = "runCommand \\"app\\" { } ''cp -r ${artifacts.assets}/public $out''"
            include = ["app.py", "var", "vendor/autoload.php"]
            exclude = ["var/cache"]
            [images.web]
            contents = ["artifact:assets:public", "artifact:assets:app/public", "artifact:app"]
            """, source: source)
        #expect(text.contains(#"build_packages = [ pkgs."nodejs" pkgs."php82Packages"."composer" ];"#))
        #expect(text.contains(#""app" = let src = self.slipway.srcFor { include = [ "app.py" "var" "vendor/autoload.php" ]; exclude = [ "node_modules" "var/cache" ]; };"#))
        #expect(text.contains("artifacts = self.slipway.artifacts;"))
        #expect(text.contains(#""assets" = let src = self.slipway.srcFor { include = null; };"#), "the ignored entries by default")
        #expect(text.contains(#""public" = pkgs.runCommand "assets-public" { } ''mkdir -p $out/public; cp -a ${self.slipway.artifacts."assets"}/public/. $out/public/'';"#))
        #expect(text.contains(#""app/public" = pkgs.runCommand "assets-app-public""#))
    }
}
