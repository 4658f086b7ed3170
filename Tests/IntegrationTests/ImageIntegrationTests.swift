import Foundation
import Testing

/// `slipway image build|inspect|load` with real Nix, podman, skopeo and GNU tar.
@Suite("Images", .tags(.integration), .serialized)
struct ImageIntegrationTests {
    static let manifest = """
        [project]
        name = "imagetest"
        [nix]
        nixpkgs = "@OFFLINE@"
        [packages]
        busybox = "busybox"
        php = { nix = "php82.buildEnv { extensions = { enabled, all }: enabled ++ [ all.apcu ]; }" }
        [profiles.dev.packages]
        php = { nix = "php82.buildEnv { extensions = { enabled, all }: enabled ++ [ all.apcu all.xdebug ]; }" }
        [images.app]
        name = "imagetest/loaded"
        user = "app"
        entrypoint = ["sh", "-c"]
        cmd = ["id -u"]
        copy = [{ from = "app", to = "/app", owner = "app" }]
        dirs = [{ path = "/var/run/php", owner = "app", mode = "0750" }]
        """

    func makeProject() throws -> (String, [String: String?]) {
        let dir = try project(Self.manifest)
        try FileManager.default.createDirectory(atPath: dir + "/app", withIntermediateDirectories: true)
        try "<?php echo 'hello from the image', PHP_EOL;\n".write(toFile: dir + "/app/index.php", atomically: true, encoding: .utf8)
        try "static\n".write(toFile: dir + "/app/style.css", atomically: true, encoding: .utf8)
        return (dir, ["XDG_CACHE_HOME": dir + "/.cache-test"])
    }

    func record(_ dir: String, _ name: String = "app") throws -> [String: Any] {
        let data = try #require(FileManager.default.contents(atPath: dir + "/.slipway/images/\(name).json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func layerDigests(_ record: [String: Any]) -> [String] {
        ((record["layers"] as? [[String: Any]]) ?? []).compactMap { $0["digest"] as? String }
    }

    @Test func reproducibleAcrossCacheLossAndReadableBySkopeo() throws {
        let (dir, env) = try makeProject()
        let first = try slipway(["image", "build"], in: dir, environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        let digest = try #require(first.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(digest.hasPrefix("sha256:"))
        try FileManager.default.removeItem(atPath: dir + "/.cache-test")
        let second = try slipway(["image", "build", "app", "--output", "oci:\(dir)/layout:v1"], in: dir, environment: env)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout == first.stdout, "same manifest digest after the layer cache is removed")
        #expect(second.stderr.contains("0 from cache"))
        let third = try slipway(["image", "build"], in: dir, environment: env)
        #expect(third.stderr.contains("from cache"))
        #expect(third.stdout == first.stdout)

        let skopeo = try run("/usr/bin/env", ["skopeo", "inspect", "oci:\(dir)/layout:v1"], in: dir)
        #expect(skopeo.status == 0, "\(skopeo.stderr)")
        #expect(skopeo.stdout.contains("\"Digest\": \"\(digest)\""))
        let archive = try slipway(["image", "build", "app", "--output", "oci-archive:\(dir)/app-oci.tar"], in: dir, environment: env)
        #expect(archive.status == 0)
        let fromArchive = try run("/usr/bin/env", ["skopeo", "inspect", "oci-archive:\(dir)/app-oci.tar"], in: dir)
        #expect(fromArchive.stdout.contains("\"Digest\": \"\(digest)\""), "\(fromArchive.stderr)")
        // GNU tar reads every layer blob of the layout.
        for layer in layerDigests(try record(dir)) {
            let hex = String(layer.dropFirst(7))
            let listing = try run("/bin/sh", ["-c", "gzip -dc \(dir)/layout/blobs/sha256/\(hex) | tar -tf - | head -1"], in: dir)
            #expect(listing.status == 0 && !listing.stdout.isEmpty, "layer \(hex)")
        }
        let inspect = try slipway(["image", "inspect", "app", "--json"], in: dir, environment: env)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
        #expect(object["digest"] as? String == digest)
    }

    @Test func runsUnderPodmanAsTheUserWithTheFHSFixes() throws {
        let (dir, env) = try makeProject()
        let build = try slipway(["image", "build", "app", "--output", "docker-archive:\(dir)/app.tar:imagetest/app:v1"], in: dir, environment: env)
        #expect(build.status == 0, "\(build.stderr)")
        let load = try run("/usr/bin/env", ["podman", "load", "-i", dir + "/app.tar"], in: dir)
        #expect(load.status == 0, "\(load.stderr)")
        let streamed = try slipway(["image", "load", "app"], in: dir, environment: env)
        #expect(streamed.status == 0, "\(streamed.stderr)")
        #expect(streamed.stdout.contains("loaded localhost/imagetest/loaded:latest"))
        let script = """
            echo uid=$(id -u) user=$(id -un); stat -c 'tmp=%a' /tmp; stat -c 'vartmp=%a' /var/tmp; stat -c 'run=%U:%a' /var/run/php;
            /usr/bin/env | grep -q '^PATH=' && echo env=ok; test -s /etc/ssl/certs/ca-certificates.crt && echo ca=ok;
            echo ssl=$SSL_CERT_FILE; php -m | grep -qi xdebug && echo xdebug=yes || echo xdebug=no; php -m | grep -q apcu && echo apcu=yes;
            php /app/index.php; stat -c 'app=%U' /app/index.php
            """
        let result = try run("/usr/bin/env", ["podman", "run", "--rm", "--entrypoint", "/bin/sh", "localhost/imagetest/loaded:latest", "-c", script], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        for expected in ["uid=1000 user=app", "tmp=1777", "vartmp=1777", "run=app:750", "env=ok", "ca=ok",
                         "ssl=/etc/ssl/certs/ca-certificates.crt", "xdebug=no", "apcu=yes", "hello from the image", "app=app"] {
            #expect(result.stdout.contains(expected), "\(expected) missing in:\n\(result.stdout)")
        }
        let plain = try run("/usr/bin/env", ["podman", "run", "--rm", "localhost/imagetest/loaded:latest"], in: dir)
        #expect(plain.stdout == "1000\n")
        _ = try run("/usr/bin/env", ["podman", "rmi", "-f", "localhost/imagetest/loaded:latest", "localhost/imagetest/app:v1"], in: dir)
    }

    @Test func appOnlyChangeChangesOnlyTheProjectLayer() throws {
        let (dir, env) = try makeProject()
        #expect(try slipway(["image", "build"], in: dir, environment: env).status == 0)
        let before = layerDigests(try record(dir))
        try "<?php echo 'changed', PHP_EOL;\n".write(toFile: dir + "/app/index.php", atomically: true, encoding: .utf8)
        let rebuild = try slipway(["image", "build"], in: dir, environment: env)
        #expect(rebuild.status == 0)
        #expect(rebuild.stderr.contains("1 digested"), "\(rebuild.stderr)")
        let after = layerDigests(try record(dir))
        #expect(before.count == after.count && before.count > 3)
        #expect(Array(before.dropLast()) == Array(after.dropLast()), "every layer but the top one is unchanged")
        #expect(before.last != after.last)
        let kinds = ((try record(dir))["layers"] as? [[String: Any]])?.compactMap { ($0["spec"] as? [String: Any])?["kind"] as? String }
        #expect(kinds?.last == "project")
        #expect(kinds?.dropLast().last == "customisation")
    }

    @Test(arguments: [
        ("copy = [{ from = \"app\", to = \"/app\" }, { from = \"passwd\", to = \"/etc/passwd\" }]",
         "slipway.toml:13:40: error: invalid value for 'images.app.copy': it copies onto /etc/passwd, which the image generates"),
        ("copy = [{ from = \"../outside\", to = \"/x\" }]", "slipway.toml:13:9: error: invalid value for 'images.app.copy[0].from': '../outside' is outside the project folder"),
        ("contents = [\"busybox\", \"phpp\"]", "slipway.toml:13:24: error: invalid value for 'images.app.contents': profile 'prod' has no package 'phpp'; did you mean 'php'?"),
        ("user = \"App User\"", "slipway.toml:13:8: error: invalid value for 'images.app.user': 'App User' is not a valid login name"),
        ("max_layers = 1", "slipway.toml:13:14: error: invalid value for 'images.app.max_layers': an image needs at least 2 layers"),
    ])
    func badInputIsReportedAndNothingIsWritten(_ line: String, _ expected: String) throws {
        let dir = try project("""
            [project]
            name = "imagetest"
            [nix]
            nixpkgs = "@OFFLINE@"
            [packages]
            busybox = "busybox"
            php = "php82"
            [images.app]
            entrypoint = ["sh"]


            # the line under test:
            \(line)
            """)
        try FileManager.default.createDirectory(atPath: dir + "/app", withIntermediateDirectories: true)
        try "x\n".write(toFile: dir + "/app/a", atomically: true, encoding: .utf8)
        try "root:x:0:0::/:/bin/sh\n".write(toFile: dir + "/passwd", atomically: true, encoding: .utf8)
        let result = try slipway(["image", "build", "app", "--output", "docker-archive:\(dir)/out.tar"], in: dir,
                                 environment: ["XDG_CACHE_HOME": dir + "/.cache-test"])
        #expect(result.status != 0)
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("out.tar") }
        #expect(leftovers.isEmpty, "nothing half-written: \(leftovers)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/.slipway/images/app.json"))
    }

    /// zstd layers, read back by the real `zstd` decoder; and the same layers from two separate
    /// processes (each with an empty layer cache), since hash-order nondeterminism shows only there.
    @Test func zstdLayersDecodeWithTheZstdToolAndMatchAcrossProcesses() throws {
        let zstdTool = try run("/usr/bin/env", ["zstd", "--version"], in: "/")
        try #require(zstdTool.status == 0, "this test needs the zstd command (scripts/setup installs it): \(zstdTool.stderr)")
        let dir = try project("""
            [project]
            name = "zstdtest"
            [nix]
            nixpkgs = "@OFFLINE@"
            [packages]
            busybox = "busybox"
            [images.app]
            compression = "zstd"
            entrypoint = ["sh"]
            copy = [{ from = "app", to = "/app" }]
            dirs = [{ path = "/data" }, { path = "/data/a" }, { path = "/data/b" }]
            env = { A = "1", B = "2", C = "3" }
            """)
        try FileManager.default.createDirectory(atPath: dir + "/app/sub", withIntermediateDirectories: true)
        for name in ["a", "b", "c", "d", "e", "f", "g", "h"] {
            try "file \(name)\n".write(toFile: dir + "/app/\(name).txt", atomically: true, encoding: .utf8)
            try "nested \(name)\n".write(toFile: dir + "/app/sub/\(name).txt", atomically: true, encoding: .utf8)
        }
        var builds: [[String: Any]] = []
        for round in 0..<2 {
            let env: [String: String?] = ["XDG_CACHE_HOME": dir + "/.cache-\(round)"]
            let built = try slipway(["image", "build", "app", "--output", "oci:\(dir)/layout-\(round):v1"], in: dir, environment: env)
            #expect(built.status == 0, "\(built.stderr)")
            #expect(built.stderr.contains("0 from cache"), "every layer digested in this process: \(built.stderr)")
            builds.append(try record(dir))
        }
        let first = try #require(builds.first?["layers"] as? [[String: Any]])
        let second = try #require(builds.last?["layers"] as? [[String: Any]])
        #expect(layerDigests(builds[0]) == layerDigests(builds[1]), "the same layers from two processes")
        #expect(first.compactMap { $0["diffID"] as? String } == second.compactMap { $0["diffID"] as? String })
        #expect(builds[0]["manifestDigest"] as? String == builds[1]["manifestDigest"] as? String)
        for layer in first {
            let digest = try #require(layer["digest"] as? String)
            let diffID = try #require(layer["diffID"] as? String)
            #expect(layer["mediaType"] as? String == "application/vnd.oci.image.layer.v1.tar+zstd")
            let blob = dir + "/layout-0/blobs/sha256/" + digest.dropFirst("sha256:".count)
            let decoded = dir + "/layer.tar"
            let zstd = try run("/usr/bin/env", ["zstd", "-d", "-q", "-f", blob, "-o", decoded], in: dir)
            #expect(zstd.status == 0, "zstd cannot decode \(digest): \(zstd.stderr)")
            let sum = try run("/usr/bin/env", ["sha256sum", decoded], in: dir)
            #expect(sum.stdout.hasPrefix(diffID.dropFirst("sha256:".count)), "the decoded tar is the diffID's")
            #expect(try run("/usr/bin/env", ["tar", "-tf", decoded], in: dir).status == 0, "GNU tar reads the decoded layer")
        }
        let top = try #require(first.last?["digest"] as? String)
        let blob = dir + "/layout-0/blobs/sha256/" + top.dropFirst("sha256:".count)
        let listing = try run("/bin/sh", ["-c", "zstd -d -q -c '\(blob)' | tar -tf -"], in: dir)
        #expect(listing.stdout.contains("app/sub/h.txt"), "the project layer holds the copied files: \(listing.stdout)")
    }
}
