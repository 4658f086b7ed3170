import Testing
@testable import SlipwayEnvironment
import SlipwayNix
import SlipwayCore

@Suite("Environment")
struct EnvironmentTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("$A", "1"),
        ("${A}x", "1x"),
        ("$Ax", ""),
        ("pre-$A-post", "pre-1-post"),
        ("${MISSING:-fallback}", "fallback"),
        ("${EMPTY:-$A}", "1"),
        ("${A:-no}", "1"),
        (#"\$A"#, "$A"),
        ("$", "$"),
        ("cost $5", "cost $5"),
        ("$UNSET", ""),
        ("${UNSET:-${A}}", "1"),
        ("${A:-${B:-nested}}", "1"),
        ("${UNSET:-${ALSO:-nested}}", "nested"),
        ("${EMPTY-set}", ""),
        ("${UNSET-unset}", "unset"),
        ("${A:=x}", "${A:=x}"),
        ("${}", "${}"),
    ])
    func expansion(_ input: String, _ expected: String) {
        let vars = ["A": "1", "EMPTY": ""]
        #expect(EnvironmentExpansion.expand(input) { vars[$0] } == expected)
    }

    func cached(env: [CachedEnvironment.Entry]) -> CachedEnvironment {
        CachedEnvironment(
            key: "k", profile: "dev", root: "/p", binPaths: ["/nix/store/a-php/bin", "/nix/store/b-pg/bin"],
            env: env, requiredPaths: [], build: ProfileBuild(profile: "dev", packages: [], closure: []))
    }

    @Test func pathAndProvidedVariables() throws {
        let env = try ProcessEnvironment.make(cached(env: []), inherited: ["PATH": "/usr/bin", "HOME": "/root"])
        #expect(env["PATH"] == "/nix/store/a-php/bin:/nix/store/b-pg/bin:/usr/bin")
        #expect(env["SLIPWAY_ROOT"] == "/p")
        #expect(env["SLIPWAY_PROFILE"] == "dev")
        #expect(env["SLIPWAY_STATE"] == "/p/.slipway/state/dev")
        #expect(env["HOME"] == "/root")
    }

    @Test func entriesExpandEarlierOnesInOrder() throws {
        let env = try ProcessEnvironment.make(cached(env: [
            .init(name: "DB", value: "$SLIPWAY_STATE/db"),
            .init(name: "URL", value: "file://${DB}?user=$USER"),
            .init(name: "HOME", value: "$SLIPWAY_ROOT/home"),
        ]), inherited: ["USER": "app", "HOME": "/root"])
        #expect(env["DB"] == "/p/.slipway/state/dev/db")
        #expect(env["URL"] == "file:///p/.slipway/state/dev/db?user=app")
        #expect(env["HOME"] == "/p/home")
        let exported = try ProcessEnvironment.exported(cached(env: [.init(name: "DB", value: "x")]), inherited: ["USER": "u"])
        #expect(exported.map(\.0) == ["PATH", "SLIPWAY_ROOT", "SLIPWAY_PROFILE", "SLIPWAY_STATE", "SLIPWAY_PATH_ADDED", "DB"])
    }

    @Test func keyChangesWithEveryInput() {
        let base = EnvironmentKey.compute(manifest: Array("a".utf8), lock: nil, profile: "dev", root: "/p")
        #expect(base.hasPrefix("sha256:") && base.count == 71)
        #expect(base == EnvironmentKey.compute(manifest: Array("a".utf8), lock: nil, profile: "dev", root: "/p"))
        #expect(base != EnvironmentKey.compute(manifest: Array("b".utf8), lock: nil, profile: "dev", root: "/p"))
        #expect(base != EnvironmentKey.compute(manifest: Array("a".utf8), lock: Array("{}".utf8), profile: "dev", root: "/p"))
        #expect(base != EnvironmentKey.compute(manifest: Array("a".utf8), lock: nil, profile: "prod", root: "/p"))
        #expect(base != EnvironmentKey.compute(manifest: Array("a".utf8), lock: nil, profile: "dev", root: "/q"))
        // Length-prefixed parts: moving a byte between fields changes the key.
        #expect(EnvironmentKey.compute(manifest: Array("ab".utf8), lock: Array("c".utf8), profile: "dev", root: "/p")
            != EnvironmentKey.compute(manifest: Array("a".utf8), lock: Array("bc".utf8), profile: "dev", root: "/p"))
    }
}
