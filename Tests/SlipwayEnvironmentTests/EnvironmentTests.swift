import Testing
@testable import SlipwayEnvironment
import SlipwayCore
@testable import SlipwayManifest
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

    /// A preset's exports follow the ports and yield to `[env]`; a name two services export is dropped.
    @Test func serviceExportsExpandThePortsAndYieldToEnv() throws {
        var profile = cached(env: [.init(name: "PGUSER", value: "mine")])
        profile.ports = ["db": 5433]
        profile.serviceEnv = [.init(name: "PGPORT", value: "$DB_PORT"), .init(name: "PGUSER", value: "postgres")]
        let env = try ProcessEnvironment.make(profile, inherited: ["PGPORT": "1"])
        #expect(env["PGPORT"] == "5433")
        #expect(env["PGUSER"] == "mine")
        let exported = try ProcessEnvironment.exported(profile, inherited: [:]).map(\.0)
        #expect(exported.suffix(3) == ["DB_PORT", "PGPORT", "PGUSER"])
        let entry = { (name: String, service: String) in
            EnvEntry(name: name, value: service, location: .init(file: "slipway.toml", line: 1, column: 1))
        }
        var one = ServiceSpec(name: "a", command: "x", env: [], dependsOn: [], location: .init(file: "slipway.toml", line: 1, column: 1))
        one.exports = [entry("PGHOST", "a"), entry("PGPORT", "a")]
        var two = one
        two.name = "b"
        two.exports = [entry("PGPORT", "b")]
        #expect(EnvironmentResolver.serviceExports([one, two]) == [.init(name: "PGHOST", value: "a")])
    }

    @Test func keyChangesWithEveryInput() {
        let base = EnvironmentKey.compute(manifest: Array("a".utf8), lock: nil, profile: "dev", root: "/p", overrides: [])
        #expect(base.hasPrefix("sha256:") && base.count == 71)
        #expect(base == EnvironmentKey.compute(manifest: Array("a".utf8), lock: nil, profile: "dev", root: "/p"))
        #expect(base != EnvironmentKey.compute(manifest: Array("b".utf8), lock: nil, profile: "dev", root: "/p"))
        #expect(base != EnvironmentKey.compute(manifest: Array("a".utf8), lock: Array("{}".utf8), profile: "dev", root: "/p"))
        #expect(base != EnvironmentKey.compute(manifest: Array("a".utf8), lock: nil, profile: "prod", root: "/p"))
        #expect(base != EnvironmentKey.compute(manifest: Array("a".utf8), lock: nil, profile: "dev", root: "/q"))
        #expect(base != EnvironmentKey.compute(manifest: Array("a".utf8), lock: nil, profile: "dev", root: "/p", overrides: Array("nixpkgs=path:/m".utf8)))
        // Length-prefixed parts: moving a byte between fields changes the key.
        #expect(EnvironmentKey.compute(manifest: Array("ab".utf8), lock: Array("c".utf8), profile: "dev", root: "/p")
            != EnvironmentKey.compute(manifest: Array("a".utf8), lock: Array("bc".utf8), profile: "dev", root: "/p"))
    }
}
