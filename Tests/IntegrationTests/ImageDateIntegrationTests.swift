import Foundation
import Testing

/// Image dates from the last commit (issue 14, item 7) and the image checks of item 8, with
/// the real binary, real nginx from the offline set under real podman, and a real registry.
@Suite("Image dates", .tags(.integration), .serialized)
struct ImageDateIntegrationTests {
    static let first = 1_765_000_000   // 2025-12-06T05:46:40Z
    static let second = 1_765_086_400  // one day later

    static func manifest(port: Int) -> String {
        """
        [project]
        name = "datetest"
        [nix]
        nixpkgs = "@OFFLINE@"
        [packages]
        nginx = "nginx"
        [artifacts.site]
        include = ["public"]
        nix = "runCommand \\"site\\" { } ''mkdir -p $out/site; cp -r ${src}/public $out/site/''"
        [images.web]
        name = "team/web"
        user = "app"
        contents = ["nginx", "artifact:site"]
        entrypoint = ["nginx", "-e", "stderr", "-c", "/etc/nginx/nginx.conf"]
        ports = ["\(port)/tcp"]
        copy = [{ from = "nginx.conf", to = "/etc/nginx/nginx.conf" }]
        """
    }

    static func nginxConf(port: Int) -> String {
        """
        daemon off;
        error_log stderr notice;
        pid /tmp/nginx.pid;
        worker_processes 1;
        events { worker_connections 64; }
        http {
            default_type text/plain;
            access_log off;
            client_body_temp_path /tmp/nginx-body;
            fastcgi_temp_path /tmp/nginx-fastcgi;
            proxy_temp_path /tmp/nginx-proxy;
            uwsgi_temp_path /tmp/nginx-uwsgi;
            scgi_temp_path /tmp/nginx-scgi;
            server { listen 127.0.0.1:\(port); root /site/public; }
        }
        """
    }

    func git(_ arguments: [String], in dir: String, at time: Int) throws {
        let result = try run("/usr/bin/git", arguments, in: dir, environment: [
            "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "T",
            "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_AUTHOR_DATE": "@\(time) +0000", "GIT_COMMITTER_DATE": "@\(time) +0000",
            "GIT_CONFIG_NOSYSTEM": "1", "HOME": dir])
        #expect(result.status == 0, "git \(arguments): \(result.stderr)")
    }

    func record(_ dir: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/.slipway/images/web.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// `kind` → digests, and each layer's own mtime (nil: the fixed one).
    func layers(_ record: [String: Any]) -> [(kind: String, digest: String, mtime: Int?)] {
        ((record["layers"] as? [[String: Any]]) ?? []).map { layer in
            let spec = layer["spec"] as? [String: Any] ?? [:]
            return (spec["kind"] as? String ?? "?", layer["digest"] as? String ?? "?", spec["mtime"] as? Int)
        }
    }

    /// Loads the image into podman, runs nginx in it and returns `ETag` and `Last-Modified` of the app file.
    func served(_ dir: String, port: Int) throws -> (etag: String, lastModified: String, body: String) {
        let load = try slipway(["image", "load", "web"], in: dir)
        #expect(load.status == 0, "\(load.stderr)")
        #expect(load.stdout.contains("loaded localhost/team/web:latest"), "the image's one name: \(load.stdout)")
        let name = "datetest-\(UUID().uuidString.prefix(6).lowercased())"
        let started = try runToFiles("/usr/bin/env", ["podman", "run", "-d", "--name", name, "--network", "host", "localhost/team/web:latest"], in: dir)
        #expect(started.status == 0, "\(started.stderr)")
        defer { _ = try? runToFiles("/usr/bin/env", ["podman", "rm", "-f", name], in: dir) }
        var headers = RunResult(status: 1, stdout: "", stderr: "")
        for _ in 0..<100 {
            headers = try run("/usr/bin/env", ["curl", "-s", "-i", "http://127.0.0.1:\(port)/index.html"], in: dir)
            if headers.status == 0 && headers.stdout.hasPrefix("HTTP/1.1 200") { break }
            usleep(100_000)
        }
        #expect(headers.stdout.hasPrefix("HTTP/1.1 200"), "nginx in the image answers: \(headers)")
        func header(_ name: String) -> String {
            headers.stdout.split(separator: "\r\n").first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
                .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) } ?? ""
        }
        let body = headers.stdout.components(separatedBy: "\r\n\r\n").dropFirst().joined()
        return (header("ETag"), header("Last-Modified"), body)
    }

    @Test func appLayersDatedByTheCommitStoreLayersStableOnlyAppLayersUploaded() throws {
        let port = TestRegistry.freePort()
        let registry = try TestRegistry()
        let dir = try project(Self.manifest(port: port))
        try FileManager.default.createDirectory(atPath: dir + "/public", withIntermediateDirectories: true)
        try Self.nginxConf(port: port).write(toFile: dir + "/nginx.conf", atomically: true, encoding: .utf8)
        try "release A\n".write(toFile: dir + "/public/index.html", atomically: true, encoding: .utf8)
        try ".slipway/\n".write(toFile: dir + "/.gitignore", atomically: true, encoding: .utf8)
        try git(["init", "-q", "-b", "main"], in: dir, at: Self.first)
        try git(["add", "-A"], in: dir, at: Self.first)
        try git(["commit", "-q", "-m", "A"], in: dir, at: Self.first)

        let build = try slipway(["-v", "image", "build", "web"], in: dir)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stderr.contains("image date 2025-12-06T05:46:40Z from commit "), "\(build.stderr)")
        #expect(build.stderr.contains("warning: images.web.usr_bin_env is on, but nothing in the image provides `env`"), "nginx alone has no env: \(build.stderr)")
        #expect(build.stderr.contains("hint: add a package with `env` to contents (busybox or coreutils"))
        let one = try record(dir)
        #expect((one["config"] as? String ?? "").contains(#""created":"2025-12-06T05:46:40Z""#))
        let inspect = try slipway(["image", "inspect", "web"], in: dir)
        #expect(inspect.stdout.contains("project file: /etc/nginx/nginx.conf"), "a single copied file is shown by its path: \(inspect.stdout)")
        #expect(inspect.stdout.contains("artifact: site"), "\(inspect.stdout)")
        let layersOne = layers(one)
        #expect(layersOne.filter { $0.kind == "artifact" || $0.kind == "project" }.allSatisfy { $0.mtime == Self.first })
        #expect(layersOne.filter { $0.kind == "store" || $0.kind == "customisation" }.allSatisfy { $0.mtime == nil })
        #expect(layersOne.filter { $0.kind == "store" }.count >= 2)
        let pushOne = try slipway(["image", "push", "web", "--to", "docker://\(registry.host)/team/web:v1", "--json"], in: dir)
        #expect(pushOne.status == 0, "\(pushOne.stderr)")
        let servedOne = try served(dir, port: port)
        #expect(servedOne.body == "release A\n")
        #expect(servedOne.lastModified == "Sat, 06 Dec 2025 05:46:40 GMT", "\(servedOne)")

        // The same size, another commit.
        try "release B\n".write(toFile: dir + "/public/index.html", atomically: true, encoding: .utf8)
        try git(["commit", "-q", "-a", "-m", "B"], in: dir, at: Self.second)
        let stale = try slipway(["image", "push", "web", "--to", "docker://\(registry.host)/team/web:v2"], in: dir)
        #expect(stale.status == 1, "a record older than its sources is not pushed")
        #expect(stale.stderr.contains("image 'web' was built before public"), "\(stale.stderr)")
        #expect(stale.stderr.contains("hint: rebuild: `slipway image build web`"))

        let rebuild = try slipway(["image", "build", "web"], in: dir)
        #expect(rebuild.status == 0, "\(rebuild.stderr)")
        let two = try record(dir)
        #expect((two["config"] as? String ?? "").contains(#""created":"2025-12-07T05:46:40Z""#))
        let layersTwo = layers(two)
        #expect(layersTwo.count == layersOne.count)
        for (a, b) in zip(layersOne, layersTwo) where a.kind == "store" || a.kind == "customisation" {
            #expect(a.digest == b.digest, "a \(a.kind) layer keeps its digest")
        }
        let changed = Set(zip(layersOne, layersTwo).filter { $0.digest != $1.digest }.map(\.1.digest))
        let appLayers = Set(layersTwo.filter { $0.kind == "artifact" || $0.kind == "project" }.map(\.digest))
        #expect(changed == appLayers, "exactly the app layers changed")

        let pushTwo = try slipway(["image", "push", "web", "--to", "docker://\(registry.host)/team/web:v2", "--json"], in: dir)
        #expect(pushTwo.status == 0, "\(pushTwo.stderr)")
        let report = try #require((try JSONSerialization.jsonObject(with: Data(pushTwo.stdout.utf8)) as? [[String: Any]])?.first)
        let uploaded = ((report["blobs"] as? [[String: Any]]) ?? []).filter { $0["action"] as? String == "uploaded" }.compactMap { $0["digest"] as? String }
        let config = two["configDigest"] as? String ?? "?"
        #expect(Set(uploaded) == appLayers.union([config]), "only the app layers and the config go up: \(uploaded)")

        let servedTwo = try served(dir, port: port)
        #expect(servedTwo.body == "release B\n")
        #expect(servedTwo.lastModified == "Sun, 07 Dec 2025 05:46:40 GMT", "\(servedTwo)")
        #expect(servedTwo.etag != servedOne.etag, "same size, another commit: another ETag (\(servedOne.etag))")
        _ = try? runToFiles("/usr/bin/env", ["podman", "rmi", "-f", "localhost/team/web:latest"], in: dir)
    }

    @Test func withoutGitTheFixedEpochSaysSo() throws {
        let dir = try project("""
            [project]
            name = "nogit"
            [nix]
            nixpkgs = "@OFFLINE@"
            [packages]
            busybox = "busybox"
            [images.app]
            entrypoint = ["sh"]
            """)
        let build = try slipway(["-v", "image", "build"], in: dir)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stderr.contains("image date 1970-01-01T00:00:01Z, the fixed epoch (no git repository"), "\(build.stderr)")
        #expect(!build.stderr.contains("usr_bin_env"), "busybox has env: no warning")
        let dated = try slipway(["-v", "image", "build"], in: dir, environment: ["SOURCE_DATE_EPOCH": "1700000000"])
        #expect(dated.stderr.contains("image date 2023-11-14T22:13:20Z from SOURCE_DATE_EPOCH"), "\(dated.stderr)")
        let config = try slipway(["image", "inspect", "app", "--json"], in: dir).stdout
        #expect(config.contains(#""created" : "2023-11-14T22:13:20Z""#), "\(config)")
    }

    @Test func pushWithoutToGoesToTheNameWithEachTag() throws {
        let registry = try TestRegistry()
        let manifest = """
            [project]
            name = "named"
            [nix]
            nixpkgs = "@OFFLINE@"
            [packages]
            busybox = "busybox"
            [images.box]
            name = "\(registry.host)/team/box"
            tags = ["1.0", "$NAMED_TEST_TAG"]
            entrypoint = ["sh"]
            [images.plain]
            entrypoint = ["sh"]
            """
        let dir = try project(manifest)
        let env: [String: String?] = ["NAMED_TEST_TAG": "extra", "XDG_CACHE_HOME": dir + "/.cache-test"]
        #expect(try slipway(["image", "build"], in: dir, environment: env).status == 0)
        let push = try slipway(["image", "push", "box"], in: dir, environment: env)
        #expect(push.status == 0, "\(push.stderr)")
        for tag in ["1.0", "extra"] {
            let skopeo = try run("/usr/bin/env", ["skopeo", "inspect", "--tls-verify=false", "docker://\(registry.host)/team/box:\(tag)"], in: dir)
            #expect(skopeo.status == 0, "pushed as \(tag): \(skopeo.stderr)")
        }
        let plain = try slipway(["image", "push", "plain"], in: dir, environment: env)
        #expect(plain.status == 1)
        #expect(plain.stderr.contains("error: no destination for image 'plain'"), "\(plain.stderr)")
        #expect(plain.stderr.contains("or give [images.plain] a name with a registry host"), "\(plain.stderr)")
    }
}
