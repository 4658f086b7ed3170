import Foundation
import Testing
@testable import SlipwayNix

/// What Nix 2.8 (Debian 12) and Nix 2.26 (Debian 13) print and write differently, from real
/// runs of both (scripts/nix-second), read the same way.
@Suite("Nix 2.8 and 2.26 shapes")
struct NixVersionShapesTests {
    static let tzdata = "/nix/store/kmjymh204wmwdb5rhimf5v9j4am22pw4-tzdata-debian"
    static let missing = "/nix/store/00000000000000000000000000000000-none"

    static let pathInfo28 = """
        [{"path":"\(tzdata)","narHash":"sha256-lz0kkhymrzG74ntrO1Pfg2vphKG00f14ULipQBuibhs=","narSize":2865216,"references":[],\
        "deriver":"/nix/store/ivncqnnxnvnrmqdnmp27zfy6sflcnmbg-tzdata-debian.drv","registrationTime":1796231121,"ultimate":true},
        {"path":"\(missing)","valid":false}]
        """
    static let pathInfo226 = """
        {"\(tzdata)":{"ca":null,"deriver":"/nix/store/ivncqnnxnvnrmqdnmp27zfy6sflcnmbg-tzdata-debian.drv",\
        "narHash":"sha256-lz0kkhymrzG74ntrO1Pfg2vphKG00f14ULipQBuibhs=","narSize":2865216,"references":["\(tzdata)"],\
        "registrationTime":1796233203,"signatures":[],"ultimate":true},"\(missing)":null}
        """

    @Test(arguments: [pathInfo28, pathInfo226])
    func pathInfoInEitherShapeListsTheValidPathsOnly(_ text: String) throws {
        let infos = try NixJSON.pathInfos(text, arguments: ["path-info", "--json"])
        #expect(infos.map(\.0) == [Self.tzdata])
        #expect(infos.first?.1.narSize == 2865216)
    }

    @Test func buildJSONIsTheSameList() throws {
        let text = #"[{"drvPath":"/nix/store/ivncqnnxnvnrmqdnmp27zfy6sflcnmbg-tzdata-debian.drv","outputs":{"out":"\#(Self.tzdata)"}}]"#
        let list = try NixJSON.decode([NixJSON.BuildResult].self, text, arguments: ["build", "--json"])
        #expect(list.first?.outputs == ["out": Self.tzdata])
    }

    /// Nix 2.26 capitalises `These 2 derivations will be built:` and splits `For full logs, run:`.
    @Test func errorLinesOfNix226() {
        let stderr = """
            warning: creating lock file '"/p/.slipway/gen/dev/flake.lock"':
            • Added input 'nixpkgs':
                'path:/src/nix/offline?lastModified=1796232058&narHash=sha256-dj%3D' (2026-12-02)
            These 2 derivations will be built:
              /nix/store/088q-dep.drv
              /nix/store/krdh-top.drv
            building '/nix/store/088q-dep.drv'...
            error: builder for '/nix/store/088q-dep.drv' failed with exit code 3;
                   last 1 log lines:
                   > boom
                   For full logs, run:
                     nix log /nix/store/088q-dep.drv
            These 2 paths will be fetched (0.00 MiB download, 0.00 MiB unpacked):
              /nix/store/aaaa-a
            error: 1 dependencies of derivation '/nix/store/krdh-top.drv' failed to build
            """
        #expect(NixCommand.errorLines(stderr) == """
            error: builder for '/nix/store/088q-dep.drv' failed with exit code 3;
                   last 1 log lines:
                   > boom
                   For full logs, run:
                     nix log /nix/store/088q-dep.drv
            error: 1 dependencies of derivation '/nix/store/krdh-top.drv' failed to build
            """)
    }

    @Test(arguments: [("nix (Nix) 2.26.3", true), ("nix (Lix, like Nix) 2.91.1", true)])
    func versionRule(line: String, recent: Bool) {
        #expect(NixHealth.isRecent(line) == recent)
    }

    static func nodes(_ lock: String) throws -> [String: [String: Any]] {
        let portable = try #require(LockFile.portable(Data(lock.utf8)))
        let object = try #require(try JSONSerialization.jsonObject(with: portable) as? [String: Any])
        return try #require(object["nodes"] as? [String: [String: Any]])
    }

    /// Nix 2.26 locks a tarball with `lastModified` (and `rev` for immutable URLs); Nix 2.8 rejects
    /// both ("unsupported tarball input attribute 'lastModified'"), and reads the lock without them.
    @Test func tarballPinsKeepOnlyWhatNix28Reads() throws {
        let nodes = try Self.nodes("""
            {"nodes":{"nixpkgs":{"locked":{"lastModified":1796233358,"narHash":"sha256-dj=","rev":"abc",\
            "type":"tarball","url":"file:///tmp/offline.tar.gz"},"original":{"type":"tarball","url":"file:///tmp/offline.tar.gz"}},
            "tools":{"locked":{"lastModified":1,"narHash":"sha256-y","owner":"me","repo":"tools","rev":"abc","type":"github"},\
            "original":{"owner":"me","repo":"tools","type":"github"}},
            "root":{"inputs":{"nixpkgs":"nixpkgs","tools":"tools"}}},"root":"root","version":7}
            """)
        let locked = try #require(nodes["nixpkgs"]?["locked"] as? [String: Any])
        #expect(Set(locked.keys) == ["narHash", "type", "url"])
        #expect(locked["url"] as? String == "file:///tmp/offline.tar.gz")
        let github = try #require(nodes["tools"]?["locked"] as? [String: Any])
        #expect(Set(github.keys) == ["lastModified", "narHash", "owner", "repo", "rev", "type"])
    }

    /// A Git input from a dirty work tree is locked without `rev` by Nix 2.8 and refused by 2.26
    /// ("Lock file contains unlocked input"): like a `path:` input, it is not pinned.
    @Test func gitInputsWithoutARevisionAreNotPinned() throws {
        let nodes = try Self.nodes("""
            {"nodes":{"dirty":{"locked":{"lastModified":1796233358,"narHash":"sha256-+i=","type":"git","url":"file:///tmp/set"},\
            "original":{"type":"git","url":"file:///tmp/set"}},
            "clean":{"locked":{"lastModified":1796233358,"narHash":"sha256-dj=","ref":"refs/heads/master",\
            "rev":"34c94bb53fa500ec3bf9274cf1cdb84e8eec26d8","revCount":1,"type":"git","url":"file:///tmp/set"},\
            "original":{"type":"git","url":"file:///tmp/set"}},
            "root":{"inputs":{"dirty":"dirty","clean":"clean"}}},"root":"root","version":7}
            """)
        #expect(Set(nodes.keys) == ["clean", "root"])
        #expect((nodes["root"]?["inputs"] as? [String: String]) == ["clean": "clean"])
        let clean = try #require(nodes["clean"]?["locked"] as? [String: Any])
        #expect(clean["rev"] as? String == "34c94bb53fa500ec3bf9274cf1cdb84e8eec26d8")
    }
}
