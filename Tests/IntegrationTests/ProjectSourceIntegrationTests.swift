import Foundation
import Testing

/// Issue 14 items 1 and 2: package expressions read the project (`src`, filtered like artifact
/// sources), artifact sources honour `.gitignore` and `exclude`, artifacts use artifacts, an
/// image takes one sub-path of an artifact, and `build_packages` stay out of the image.
@Suite("The project in Nix expressions", .tags(.integration))
struct ProjectSourceIntegrationTests {
    static let lockedDeps = """
        [nix]
        nixpkgs = "@OFFLINE@"

        [packages]
        locked-deps = { nix = \"\"\"
          let
            lock = builtins.fromTOML (builtins.readFile (src + "/poetry.lock"));
            pins = builtins.concatStringsSep " " (map (p: p.name + "==" + p.version) lock.package);
          in writeScriptBin "locked-deps" "#!/bin/sh\\necho ${pins}\\n"
        \"\"\" }

        [services.sock]
        command = "python3 -c 'import socket, os, time; a = socket.socket(socket.AF_UNIX); a.bind(os.environ[\\"STATE_DIR\\"] + \\"/test.sock\\"); a.listen(); b = socket.socket(socket.AF_UNIX); b.bind(\\"app.sock\\"); b.listen(); time.sleep(600)'"
        ready = { exec = "test -S app.sock" }
        """

    func write(_ text: String, _ path: String, in dir: String) throws {
        try FileManager.default.createDirectory(atPath: (dir + "/" + path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: dir + "/" + path, atomically: false, encoding: .utf8)
    }

    /// `locked-deps`'s output and the store path it runs from.
    func lockedDeps(_ dir: String) throws -> (output: String, path: String, built: Bool) {
        let result = try slipway(["exec", "--", "sh", "-c", "locked-deps; command -v locked-deps"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        return (lines.first ?? "", lines.last ?? "", result.stderr.contains("building profile"))
    }

    @Test func aPackageReadsTheLockFileAndRebuildsWhenItChanges() throws {
        let dir = try project(Self.lockedDeps)
        defer { _ = try? slipway(["down"], in: dir) }
        try write("__pycache__/\n", ".gitignore", in: dir)
        try write("[[package]]\nname = \"flask\"\nversion = \"3.0.0\"\n", "poetry.lock", in: dir)
        let first = try lockedDeps(dir)
        #expect(first.output == "flask==3.0.0" && first.built)
        #expect(first.path.hasPrefix("/nix/store/"), "\(first.path)")

        try write("cached", "__pycache__/x.pyc", in: dir)
        let ignored = try lockedDeps(dir)
        #expect(ignored.path == first.path && !ignored.built, "an ignored file changes nothing, and the warm start runs no Nix")
        try write("# notes\n", "README.md", in: dir)
        let unrelated = try lockedDeps(dir)
        #expect(unrelated.built && unrelated.path == first.path, "a new file is checked with Nix, and the package reading only the lock keeps its path")

        // A running service leaves sockets in .slipway/state and in the project folder.
        let up = try slipway(["up", "-d"], in: dir)
        #expect(up.status == 0, "\(up.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/app.sock"))
        try write("[[package]]\nname = \"flask\"\nversion = \"3.0.1\"\n", "poetry.lock", in: dir)
        let edited = try lockedDeps(dir)
        #expect(edited.output == "flask==3.0.1" && edited.built, "editing the lock rebuilds the environment")
        #expect(edited.path != first.path)
        #expect(try slipway(["down"], in: dir).status == 0)
    }

    static let artifacts = """
        [nix]
        nixpkgs = "@OFFLINE@"

        [artifacts.app]
        nix = "runCommand \\"app\\" { } ''mkdir -p $out/app; cp -r ${src}/. $out/app/; ${builtins.head build_packages}/bin/busybox true''"
        include = ["app", "var", "vendor"]
        exclude = ["var/cache", "**/*.tmp"]
        build_packages = ["busybox"]

        [artifacts.web]
        nix = "runCommand \\"web\\" { } ''mkdir -p $out/public; cp -r ${artifacts.app}/app $out/app; echo hi > $out/public/index.html''"

        [images.web]
        contents = ["artifact:web:public"]
        """

    func build(_ name: String, in dir: String) throws -> String {
        let result = try slipway(["build", name, "--json"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let list = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        return ((list?.first?["outputs"] as? [String: String]) ?? [:])["out"] ?? ""
    }

    @Test func artifactSourcesHonourGitignoreAndExcludeAndBuildOnEachOther() throws {
        let dir = try project(Self.artifacts)
        try write("__pycache__/\n*.gen.py\nvendor/\n", ".gitignore", in: dir)
        try write("<?php\n", "vendor/autoload.php", in: dir)
        try write("/local\n", "app/.gitignore", in: dir)
        try write("print('hi')\n", "app/main.py", in: dir)
        try write("v", "var/data", in: dir)
        let first = try build("app", in: dir)
        #expect(first.hasPrefix("/nix/store/"))
        #expect(FileManager.default.fileExists(atPath: first + "/app/app/main.py"))
        #expect(FileManager.default.fileExists(atPath: first + "/app/vendor/autoload.php"), "an include entry wins over .gitignore")
        for ignored in ["app/__pycache__/main.pyc", "app/models.gen.py", "app/local/x", "var/cache/c", "app/scratch.tmp"] {
            try write("generated", ignored, in: dir)
        }
        #expect(try build("app", in: dir) == first, "ignored and excluded files do not change the artifact")
        try write("print('changed')\n", "app/main.py", in: dir)
        let changed = try build("app", in: dir)
        #expect(changed != first)

        let web = try build("web", in: dir)
        #expect(FileManager.default.fileExists(atPath: web + "/app/app/main.py"), "web uses artifacts.app")
        let image = try slipway(["image", "build", "web", "--output", "oci:\(dir)/layout:v1"], in: dir)
        #expect(image.status == 0, "\(image.stderr)")
        let listing = try run("/bin/sh", ["-c", "for b in \(dir)/layout/blobs/sha256/*; do gzip -dc $b 2>/dev/null | tar -tf - 2>/dev/null; done"], in: dir)
        #expect(listing.stdout.contains("-web-public/public/index.html"), "\(listing.stdout)")
        #expect(!listing.stdout.contains("main.py"), "only the public sub-path goes into the image")
        #expect(!listing.stdout.contains("busybox"), "build_packages stay out of the image")
    }

    @Test func artifactCyclesAreRefusedAtTheirLine() throws {
        let dir = try project("""
            [nix]
            nixpkgs = "@OFFLINE@"

            [artifacts.a]
            nix = "artifacts.b"
            [artifacts.b]
            nix = "runCommand \\"b\\" { } ''cp -r ${artifacts.a} $out''"
            """)
        let result = try slipway(["build", "a"], in: dir)
        #expect(result.status != 0)
        #expect(result.stderr.contains("slipway.toml:4:12: error: artifacts use each other in a cycle: a -> b -> a"), "\(result.stderr)")
        #expect(result.stderr.contains("hint: an artifact cannot be built from itself"), "\(result.stderr)")
    }

    @Test func aBadArtifactSubPathIsReportedBeforeAnythingIsBuilt() throws {
        let dir = try project("""
            [nix]
            nixpkgs = "@OFFLINE@"

            [artifacts.web]
            nix = "runCommand \\"web\\" { } ''touch $out''"

            [images.web]
            contents = ["artifact:web:../etc"]
            """)
        let result = try slipway(["image", "build", "web"], in: dir)
        #expect(result.status != 0)
        #expect(result.stderr.contains("slipway.toml:8:13: error: invalid value for 'images.web.contents': '../etc' in 'artifact:web:../etc' is not a relative path"),
                "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/result-web"), "nothing was built")
    }
}
