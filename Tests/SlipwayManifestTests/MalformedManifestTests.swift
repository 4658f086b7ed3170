import Testing
@testable import SlipwayManifest

/// One malformed manifest and the exact diagnostics it must produce, in order.
struct MalformedCase: CustomTestStringConvertible, Sendable {
    var name: String
    var toml: String
    /// `line:column: message` per diagnostic.
    var expected: [String]
    var testDescription: String { name }
}

let malformedCases: [MalformedCase] = [
    MalformedCase(name: "unknown top-level key", toml: """
        [projet]
        name = "x"
        """, expected: ["1:2: unknown key 'projet'"]),
    MalformedCase(name: "typo in project key", toml: """
        [project]
        nmae = "x"
        """, expected: ["2:1: unknown key 'nmae' in [project]"]),
    MalformedCase(name: "project name wrong type", toml: """
        [project]
        name = 3
        """, expected: ["2:8: 'project.name' must be a string, found an integer"]),
    MalformedCase(name: "project name empty", toml: """
        [project]
        name = ""
        """, expected: ["2:8: invalid value for 'project.name': the project name is empty"]),
    MalformedCase(name: "project not a table", toml: """
        project = "x"
        """, expected: ["1:11: 'project' must be a table, found a string"]),
    MalformedCase(name: "nixpkgs wrong type", toml: """
        [nix]
        nixpkgs = true
        """, expected: ["2:11: 'nix.nixpkgs' must be a string, found a boolean"]),
    MalformedCase(name: "nixpkgs with spaces", toml: """
        [nix]
        nixpkgs = "github:a b"
        """, expected: ["2:11: invalid value for 'nix.nixpkgs': 'github:a b' is not a flake reference"]),
    MalformedCase(name: "unknown nix key", toml: """
        [nix]
        nixpkg = "github:NixOS/nixpkgs"
        """, expected: ["2:1: unknown key 'nixpkg' in [nix]"]),
    MalformedCase(name: "nix input reserved", toml: """
        [nix.inputs]
        nixpkgs = "github:NixOS/nixpkgs"
        """, expected: ["2:1: invalid value for 'nix.inputs.nixpkgs': 'nixpkgs' is reserved; set [nix] nixpkgs instead"]),
    MalformedCase(name: "nix input wrong type", toml: """
        [nix.inputs]
        tools = 1
        """, expected: ["2:9: 'nix.inputs.tools' must be a string, found an integer"]),
    MalformedCase(name: "package integer", toml: """
        [packages]
        php = 82
        """, expected: ["2:7: 'packages.php' must be an attribute path string, { nix = \"...\" } or { flake = \"...\" }, found an integer"]),
    MalformedCase(name: "package false in base", toml: """
        [packages]
        php = false
        """, expected: ["2:7: invalid value for 'packages.php': 'false' removes a package in a profile; in [packages] just leave it out"]),
    MalformedCase(name: "package true in profile", toml: """
        [profiles.dev.packages]
        php = true
        """, expected: ["2:7: 'profiles.dev.packages.php' must be an attribute path string, { nix = \"...\" }, { flake = \"...\" } or false, found a boolean"]),
    MalformedCase(name: "package expression as string", toml: """
        [packages]
        php = "php82.withExtensions (e: e.all)"
        """, expected: ["2:7: invalid value for 'packages.php': 'php82.withExtensions (e: e.all)' is not an attribute path; write an expression as { nix = \"...\" }"]),
    MalformedCase(name: "package table unknown field", toml: """
        [packages]
        php = { nixx = "php82" }
        """, expected: ["2:9: unknown key 'nixx' in [packages.php]"]),
    MalformedCase(name: "package table empty", toml: """
        [packages]
        php = {}
        """, expected: ["2:7: invalid value for 'packages.php': a package table needs 'nix' (an expression) or 'flake' (<ref>#<attr>)"]),
    MalformedCase(name: "package nix and flake", toml: """
        [packages]
        php = { nix = "php82", flake = "github:a/b#php" }
        """, expected: ["2:7: invalid value for 'packages.php': give either 'nix' or 'flake', not both"]),
    MalformedCase(name: "package flake without attribute", toml: """
        [packages]
        tool = { flake = "github:a/b" }
        """, expected: ["2:18: invalid value for 'packages.tool.flake': 'github:a/b' needs the form <flakeref>#<attribute>"]),
    MalformedCase(name: "package nix wrong type", toml: """
        [packages]
        php = { nix = 1 }
        """, expected: ["2:15: 'packages.php.nix' must be a string, found an integer"]),
    MalformedCase(name: "package nix empty", toml: """
        [packages]
        php = { nix = "  " }
        """, expected: ["2:15: invalid value for 'packages.php.nix': the expression is empty"]),
    MalformedCase(name: "package key with dot", toml: """
        [packages]
        "a.b" = "hello"
        """, expected: ["2:1: invalid value for 'packages.\"a.b\"': package names use letters, digits, '_' and '-'"]),
    MalformedCase(name: "env array", toml: """
        [env]
        A = [1, 2]
        """, expected: ["2:5: 'env.A' must be a string, number or boolean, found an array"]),
    MalformedCase(name: "env bad name", toml: """
        [env]
        "1X" = "a"
        """, expected: ["2:1: invalid value for 'env.1X': '1X' is not a valid environment variable name"]),
    MalformedCase(name: "env inline table", toml: """
        [env]
        A = { b = 1 }
        """, expected: ["2:5: 'env.A' must be a string, number or boolean, found a table"]),
    MalformedCase(name: "profiles not a table", toml: """
        profiles = 1
        """, expected: ["1:12: 'profiles' must be a table, found an integer"]),
    MalformedCase(name: "profile unknown key", toml: """
        [profiles.dev]
        pakages = {}
        """, expected: ["2:1: unknown key 'pakages' in [profiles.dev]"]),
    MalformedCase(name: "profile extends unknown", toml: """
        [profiles.staging]
        extends = "prd"
        """, expected: ["2:11: profile 'staging' extends unknown profile 'prd'"]),
    MalformedCase(name: "profile extends wrong type", toml: """
        [profiles.staging]
        extends = ["dev"]
        """, expected: ["2:11: 'profiles.staging.extends' must be a string, found an array"]),
    MalformedCase(name: "extends cycle of two", toml: """
        [profiles.a]
        extends = "b"
        [profiles.b]
        extends = "a"
        """, expected: ["2:11: profiles extend each other in a cycle: a -> b -> a"]),
    MalformedCase(name: "extends self", toml: """
        [profiles.a]
        extends = "a"
        """, expected: ["2:11: profiles extend each other in a cycle: a -> a"]),
    MalformedCase(name: "extends cycle through builtin ci", toml: """
        [profiles.dev]
        extends = "ci"
        """, expected: ["2:11: profiles extend each other in a cycle: dev -> ci -> dev"]),
    MalformedCase(name: "profile overlays nix", toml: """
        [profiles.dev.nix]
        nixpkgs = "github:a/b"
        """, expected: ["1:15: invalid value for 'profiles.dev.nix': [nix] is shared by every profile and cannot be overlaid"]),
    MalformedCase(name: "profile bad name", toml: """
        [profiles."my profile"]
        extends = "dev"
        """, expected: ["1:11: invalid value for 'profiles.\"my profile\"': profile names use letters, digits, '_' and '-'"]),
    MalformedCase(name: "services not a table", toml: """
        services = "postgres"
        """, expected: ["1:12: 'services' must be a table, found a string"]),
    MalformedCase(name: "syntax error: missing value", toml: """
        [project]
        name =
        """, expected: ["2:7: TOML syntax error"]),
    MalformedCase(name: "syntax error: duplicate key", toml: """
        [env]
        A = "1"
        A = "2"
        """, expected: ["3:5: TOML syntax error: Error while parsing key-value pair: cannot redefine existing string 'A'"]),
    MalformedCase(name: "syntax error: array never closed, found at the next header", toml: """
        [tasks.test]
        run = "true"
        deps = ["a", "b"
        [tasks.a]
        run = "true"
        """, expected: ["3:8: TOML syntax error: this array is never closed (the parser stopped at 4:1"]),
    MalformedCase(name: "syntax error: bad element inside a one-line array stays where it is", toml: """
        [tasks.test]
        deps = ["a" "b"]
        """, expected: ["2:13: TOML syntax error: Error while parsing array"]),
    MalformedCase(name: "substituter without a scheme", toml: """
        [nix]
        substituters = ["https://cache.example.com", "cache.example.com"]
        """, expected: ["2:46: invalid value for 'nix.substituters': 'cache.example.com' is not a binary cache URL"]),
    MalformedCase(name: "trusted public key not NAME:BASE64", toml: """
        [nix]
        trusted_public_keys = ["cache.example.com-1"]
        """, expected: ["2:24: invalid value for 'nix.trusted_public_keys': 'cache.example.com-1' is not a Nix public key"]),
    MalformedCase(name: "syntax error: unterminated string", toml: """
        [env]
        A = "abc
        """, expected: ["2:9: TOML syntax error"]),
    MalformedCase(name: "three problems at once", toml: """
        [project]
        nme = "x"

        [packages]
        php = 1

        [profiles.ci]
        extends = "deev"
        """, expected: [
            "2:1: unknown key 'nme' in [project]",
            "5:7: 'packages.php' must be an attribute path string, { nix = \"...\" } or { flake = \"...\" }, found an integer",
            "8:11: profile 'ci' extends unknown profile 'deev'",
        ]),
    MalformedCase(name: "dotted keys located", toml: """
        packages.php = 1
        project.nmae = "x"
        """, expected: [
            "1:16: 'packages.php' must be an attribute path string, { nix = \"...\" } or { flake = \"...\" }, found an integer",
            "2:9: unknown key 'nmae' in [project]",
        ]),
    MalformedCase(name: "inline profile table", toml: """
        profiles = { dev = { extends = 7 } }
        """, expected: ["1:32: 'profiles.dev.extends' must be a string, found an integer"]),
    MalformedCase(name: "after multi-line string", toml: """
        [packages]
        php = { nix = \"\"\"
          php82.buildEnv {
            extraConfig = "x";
          }
        \"\"\" }
        [env]
        B = []
        """, expected: ["8:5: 'env.B' must be a string, number or boolean, found an array"]),
]

@Suite("Malformed manifests")
struct MalformedManifestTests {
    @Test(arguments: malformedCases)
    func reportsEveryProblemAtItsLocation(_ testCase: MalformedCase) throws {
        do {
            _ = try ManifestLoader.parse(testCase.toml, file: "slipway.toml", root: "/project")
            Issue.record("expected diagnostics, got a valid manifest")
        } catch {
            let got = error.diagnostics
            #expect(got.count == testCase.expected.count, "got: \(got.map(\.description))")
            for (diagnostic, expected) in zip(got, testCase.expected) {
                let text = "\(diagnostic.location.line):\(diagnostic.location.column): \(diagnostic.message)"
                #expect(text.hasPrefix(expected), "got \(text)")
                #expect(diagnostic.location.file == "slipway.toml")
                #expect(diagnostic.description.hasPrefix("slipway.toml:\(diagnostic.location.line):\(diagnostic.location.column): error: "))
            }
        }
    }

    @Test func typoHintSuggestsTheKnownKey() throws {
        let error = #expect(throws: ManifestError.self) {
            try ManifestLoader.parse("[project]\nnmae = \"x\"\n", file: "slipway.toml", root: "/p")
        }
        #expect(error?.diagnostics.first?.hint == "did you mean 'name'?")
    }

    @Test func anArrayNeverClosedIsLocatedAtItsBracketWithAHint() throws {
        let error = #expect(throws: ManifestError.self) {
            try ManifestLoader.parse("[tasks.t]\ndeps = [\n  \"a\",\n  \"b\"\n\n[tasks.a]\nrun = \"true\"\n", file: "slipway.toml", root: "/p")
        }
        let first = error?.diagnostics.first
        #expect(first.map { "\($0.location.line):\($0.location.column)" } == "2:8")
        #expect(first?.hint == "end the array with ']' after its last element")
    }

    @Test func substitutersAndKeysBecomeOptionsOfEveryNixCall() throws {
        let key = "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY="
        let manifest = try ManifestLoader.parse(
            "[nix]\nsubstituters = [\"file:///var/cache/nix?trusted=1\", \"https://cache.example.com\"]\ntrusted_public_keys = [\"\(key)\"]\n",
            file: "slipway.toml", root: "/p")
        #expect(manifest.nix.commandOptions == [
            "--option", "extra-substituters", "file:///var/cache/nix?trusted=1 https://cache.example.com",
            "--option", "extra-trusted-public-keys", key,
        ])
        #expect(try ManifestLoader.parse("[nix]\n", file: "slipway.toml", root: "/p").nix.commandOptions.isEmpty)
    }

    @Test func unknownExtendsHintSuggestsAProfile() throws {
        let error = #expect(throws: ManifestError.self) {
            try ManifestLoader.parse("[profiles.x]\nextends = \"prd\"\n", file: "slipway.toml", root: "/p")
        }
        #expect(error?.diagnostics.first?.hint == "did you mean 'prod'?")
    }
}
