import Foundation
import Testing

/// Issue 14, item 10: `nodejs` (nodesource's Node.js 20 with npm) in the offline set, used from a
/// profile with the built binary and real Nix: node and npm run from the store, and the closure
/// resolves every library inside the store.
@Suite("Node.js from the offline set", .tags(.integration), .serialized)
struct NodejsOfflineTests {
    @Test func nodeAndNpmRunFromTheStoreWithAClosedClosure() throws {
        let dir = try project("""
            [project]
            name = "nodeapp"
            [nix]
            nixpkgs = "@OFFLINE@"
            [packages]
            node = "nodejs_20"
            """)
        let node = try slipway(["exec", "--pure", "--", "node", "-e",
                                "console.log(process.execPath); console.log(require('os').EOL === '\\n' ? 'ok' : 'no')"], in: dir)
        #expect(node.status == 0, "\(node.stderr)")
        let lines = node.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2 && lines[0].hasPrefix("/nix/store/") && lines[0].hasSuffix("-nodejs-20/bin/node"),
                "node is not the store's: \(node.stdout)")
        #expect(lines.last == "ok")
        let npm = try slipway(["exec", "--pure", "--", "sh", "-c", "npm --version && command -v npm"], in: dir)
        #expect(npm.status == 0, "\(npm.stderr)")
        #expect(npm.stdout.hasPrefix("10.") && npm.stdout.contains("/nix/store/"), "\(npm.stdout)")
        let closure = try environmentClosure(dir, profile: "dev")
        #expect(closure.contains { $0.hasSuffix("-nodejs-20") }, "\(closure)")
        let check = try checkClosure(closure, in: dir)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }
}

/// Issue 16 item 2(c), the first part: Nix itself (Debian's 2.8) in the offline set, for images
/// that run Nix. From a pure profile it answers `--version` from the store, evaluates into a
/// store of its own, and its closure resolves every library inside the store.
@Suite("Nix from the offline set", .tags(.integration), .serialized)
struct NixOfflinePackageTests {
    @Test func nixRunsFromTheStoreWithAClosedClosure() throws {
        let dir = try project("""
            [nix]
            nixpkgs = "@OFFLINE@"
            [packages]
            nix = "nix"
            """)
        let version = try slipway(["exec", "--pure", "--", "sh", "-c", "nix --version && command -v nix"], in: dir)
        #expect(version.status == 0, "\(version.stderr)")
        #expect(version.stdout.hasPrefix("nix (Nix) 2.8") && version.stdout.contains("/nix/store/"), "\(version.stdout)")
        let store = try temporaryDirectory()
        let eval = try slipway(["exec", "--pure", "--", "nix", "--extra-experimental-features", "nix-command",
                                "--store", store, "eval", "--expr", "1 + 1"], in: dir, environment: ["HOME": store])
        #expect(eval.status == 0 && eval.stdout == "2\n", "\(eval.stdout)\(eval.stderr)")
        let closure = try environmentClosure(dir, profile: "dev")
        let check = try checkClosure(closure, in: dir)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }
}
