import Foundation
import Testing

/// A real `docker-registry` (CNCF distribution 2.8) on 127.0.0.1, started for one test.
final class TestRegistry {
    let directory: String
    let port: Int
    let process: Process
    let tls: Bool

    /// - Parameters:
    ///   - htpasswd: `(user, password)` to require Basic auth (needs TLS, as distribution does).
    ///   - tokenRealm: a token server URL to require Bearer tokens signed by `directory/token-key.pem`.
    init(tls: Bool = false, htpasswd: (String, String)? = nil, tokenRealm: ((String) -> String)? = nil) throws {
        directory = try temporaryDirectory()
        self.tls = tls
        port = Self.freePort()
        var config = """
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: \(directory)/data
            http:
              addr: 127.0.0.1:\(port)

            """
        if tls {
            let made = try run("/usr/bin/env", ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
                                                "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], in: directory)
            precondition(made.status == 0, made.stderr)
            try FileManager.default.createDirectory(atPath: directory + "/certs", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: directory + "/cert.pem", toPath: directory + "/certs/ca.crt")
            config += "  tls:\n    certificate: \(directory)/cert.pem\n    key: \(directory)/key.pem\n"
        }
        if let (user, password) = htpasswd {
            let made = try run("/usr/bin/env", ["htpasswd", "-Bbn", user, password], in: directory)
            try made.stdout.write(toFile: directory + "/htpasswd", atomically: true, encoding: .utf8)
            config += "auth:\n  htpasswd:\n    realm: slipway-test\n    path: \(directory)/htpasswd\n"
        }
        if let tokenRealm {
            let made = try run("/usr/bin/env", ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "token-key.pem",
                                                "-out", "token-cert.pem", "-days", "2", "-subj", "/CN=slipway-test-token"], in: directory)
            precondition(made.status == 0, made.stderr)
            config += "auth:\n  token:\n    realm: \(tokenRealm(directory))\n    service: slipway-test-registry\n"
                + "    issuer: slipway-test\n    rootcertbundle: \(directory)/token-cert.pem\n"
        }
        try config.write(toFile: directory + "/config.yml", atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/docker-registry")
        process.arguments = ["serve", directory + "/config.yml"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        for _ in 0..<200 {
            if Self.accepts(port) { return }
            usleep(25_000)
        }
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }

    var host: String { "127.0.0.1:\(port)" }
    var certificate: String { directory + "/cert.pem" }
    var certificateDirectory: String { directory + "/certs" }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
    }
}

/// A project named `name` with one image, `app`: busybox printing `/app/message` (`message`
/// and a newline). The environment keeps caches and registry credentials inside the project
/// and clears the caller's (credentials, CI registry, blob store size).
func messageImageProject(name: String, message: String) throws -> (String, [String: String?]) {
    let dir = try project("""
        [project]
        name = "\(name)"
        [nix]
        nixpkgs = "@OFFLINE@"
        [packages]
        busybox = "busybox"
        [images.app]
        entrypoint = ["sh", "-c"]
        cmd = ["cat /app/message"]
        copy = [{ from = "app", to = "/app" }]
        """)
    try FileManager.default.createDirectory(atPath: dir + "/app", withIntermediateDirectories: true)
    try (message + "\n").write(toFile: dir + "/app/message", atomically: true, encoding: .utf8)
    let env: [String: String?] = ["XDG_CACHE_HOME": dir + "/.cache-test", "DOCKER_CONFIG": dir + "/.docker", "REGISTRY_AUTH_FILE": nil,
                                  "SLIPWAY_REGISTRY_USER": nil, "SLIPWAY_REGISTRY_PASSWORD": nil, "CI_REGISTRY": nil,
                                  "SLIPWAY_BLOB_STORE_MAX_SIZE": nil]
    return (dir, env)
}

/// `slipway image push` against real registries, checked with skopeo and podman.
@Suite("Registry push", .tags(.integration), .serialized)
struct RegistryIntegrationTests {
    func makeProject() throws -> (String, [String: String?]) {
        let (dir, env) = try messageImageProject(name: "pushtest", message: "hello from the registry")
        let build = try slipway(["image", "build"], in: dir, environment: env)
        precondition(build.status == 0, build.stderr)
        return (dir, env)
    }

    func buildDigest(_ dir: String, _ env: [String: String?]) throws -> String {
        let build = try slipway(["image", "build"], in: dir, environment: env)
        return String(build.stdout.split(separator: " ").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func report(_ result: RunResult) throws -> [String: Any] {
        let list = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        return try #require(list.first)
    }

    func actions(_ report: [String: Any]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for blob in (report["blobs"] as? [[String: Any]]) ?? [] { counts[blob["action"] as? String ?? "?", default: 0] += 1 }
        return counts
    }

    @Test func anonymousPushThenNothingThenOnlyTheChangedLayer() throws {
        let registry = try TestRegistry()
        let (dir, env) = try makeProject()
        let digest = try buildDigest(dir, env)
        let first = try slipway(["image", "push", "app", "--to", "docker://\(registry.host)/team/app:v1", "--json"], in: dir, environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        let firstReport = try report(first)
        #expect(firstReport["manifestDigest"] as? String == digest)
        #expect(actions(firstReport)["existed"] == nil)
        let skopeo = try run("/usr/bin/env", ["skopeo", "inspect", "--tls-verify=false", "docker://\(registry.host)/team/app:v1"], in: dir)
        #expect(skopeo.stdout.contains("\"Digest\": \"\(digest)\""), "\(skopeo.stderr)")

        #expect(!first.stderr.contains("[registry]"), "no request log without -v: \(first.stderr)")
        let verbose = try slipway(["-v", "image", "push", "app", "--to", "docker://\(registry.host)/team/app:v1", "--json"], in: dir, environment: env)
        let again = try report(verbose)
        #expect(actions(again)["uploaded"] == nil, "pushing again uploads nothing: \(actions(again))")
        #expect(again["upToDate"] as? Bool == true, "the tag already names the manifest")
        #expect(verbose.stderr.contains("slipway: debug: [registry] HEAD http://\(registry.host)/v2/team/app/manifests/v1 200"), "\(verbose.stderr)")

        try "changed\n".write(toFile: dir + "/app/message", atomically: true, encoding: .utf8)
        let changed = try buildDigest(dir, env)
        #expect(changed != digest)
        let third = try report(try slipway(["image", "push", "app", "--to", "docker://\(registry.host)/team/app:v2", "--json"], in: dir, environment: env))
        #expect(actions(third)["uploaded"] == 2, "the project layer and the config: \(actions(third))")
        #expect(third["manifestDigest"] as? String == changed)

        // Docker schema 2 on request: the same blobs, another manifest, which skopeo reads.
        let docker = try slipway(["image", "push", "app", "--to", "docker://\(registry.host)/team/app:docker", "--format", "docker", "--json"], in: dir, environment: env)
        #expect(docker.status == 0, "\(docker.stderr)")
        let dockerDigest = try report(docker)["manifestDigest"] as? String
        #expect(dockerDigest != changed)
        let raw = try run("/usr/bin/env", ["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(registry.host)/team/app:docker"], in: dir)
        #expect(raw.stdout.contains("application/vnd.docker.distribution.manifest.v2+json"), "\(raw.stdout)")

        // Another repository of the same registry: blobs are mounted, not uploaded again.
        let mounted = try report(try slipway(["image", "push", "app", "--to", "docker://\(registry.host)/other/app:v2", "--json"], in: dir, environment: env))
        #expect((actions(mounted)["mounted"] ?? 0) > 0, "\(actions(mounted))")
        #expect(actions(mounted)["uploaded"] == nil)
        let other = try run("/usr/bin/env", ["skopeo", "inspect", "--tls-verify=false", "docker://\(registry.host)/other/app:v2"], in: dir)
        #expect(other.stdout.contains("\"Digest\": \"\(changed)\""))
    }

    @Test func htpasswdOverTLSWithDockerConfigThenPodmanRunsIt() throws {
        let registry = try TestRegistry(tls: true, htpasswd: ("ci", "s3cret-pass"))
        let (dir, env) = try makeProject()
        try FileManager.default.createDirectory(atPath: dir + "/.docker", withIntermediateDirectories: true)
        let auth = Data("ci:s3cret-pass".utf8).base64EncodedString()
        try #"{"auths":{"\#(registry.host)":{"auth":"\#(auth)"}}}"#.write(toFile: dir + "/.docker/config.json", atomically: true, encoding: .utf8)
        var tlsEnv = env
        tlsEnv["SSL_CERT_FILE"] = registry.certificate
        let digest = try buildDigest(dir, env)
        let push = try slipway(["image", "push", "app", "--to", "docker://\(registry.host)/team/app:v1"], in: dir, environment: tlsEnv)
        #expect(push.status == 0, "\(push.stderr)")
        #expect(push.stdout.contains(digest))
        let skopeo = try run("/usr/bin/env", ["skopeo", "inspect", "--cert-dir", registry.certificateDirectory, "--creds", "ci:s3cret-pass",
                                              "docker://\(registry.host)/team/app:v1"], in: dir)
        #expect(skopeo.stdout.contains("\"Digest\": \"\(digest)\""), "\(skopeo.stderr)")
        let pull = try runToFiles("/usr/bin/env", ["podman", "pull", "--cert-dir", registry.certificateDirectory, "--creds", "ci:s3cret-pass",
                                                   "\(registry.host)/team/app:v1"], in: dir)
        #expect(pull.status == 0, "\(pull.stderr)")
        let ran = try runToFiles("/usr/bin/env", ["podman", "run", "--rm", "\(registry.host)/team/app:v1"], in: dir)
        #expect(ran.stdout == "hello from the registry\n", "\(ran.stderr)")
        _ = try runToFiles("/usr/bin/env", ["podman", "rmi", "-f", "\(registry.host)/team/app:v1"], in: dir)

        // Without the certificate: a TLS error, not a silent downgrade.
        let untrusted = try slipway(["image", "push", "app", "--to", "docker://\(registry.host)/team/app:v1"], in: dir, environment: env)
        #expect(untrusted.status != 0)
        #expect(untrusted.stderr.contains("TLS with \(registry.host) failed"), "\(untrusted.stderr)")
        #expect(untrusted.stderr.contains("trust its certificate"), "\(untrusted.stderr)")

        // A wrong password: the registry's 401 explained, and no password in any output.
        let wrong = Data("ci:not-the-password".utf8).base64EncodedString()
        try #"{"auths":{"\#(registry.host)":{"auth":"\#(wrong)"}}}"#.write(toFile: dir + "/.docker/config.json", atomically: true, encoding: .utf8)
        let refused = try slipway(["image", "push", "app", "--to", "docker://\(registry.host)/team/app:v2"], in: dir, environment: tlsEnv)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("refused the credentials (HTTP 401)"), "\(refused.stderr)")
        #expect(!(refused.stdout + refused.stderr).contains("not-the-password"))
        #expect(!(refused.stdout + refused.stderr).contains(wrong))
        // Credentials from the environment win over the file.
        var envCreds = tlsEnv
        envCreds["SLIPWAY_REGISTRY_USER"] = "ci"
        envCreds["SLIPWAY_REGISTRY_PASSWORD"] = "s3cret-pass"
        #expect(try slipway(["image", "push", "app", "--to", "docker://\(registry.host)/team/app:v2"], in: dir, environment: envCreds).status == 0)

        // `registry login` checks and stores credentials where a later push finds them.
        var loginEnv = tlsEnv
        loginEnv["DOCKER_CONFIG"] = dir + "/.docker-login"
        loginEnv["XDG_RUNTIME_DIR"] = nil
        let badLogin = try slipway(["registry", "login", registry.host, "-u", "ci", "--password-stdin"], in: dir, environment: loginEnv, stdin: "nope\n")
        #expect(badLogin.status != 0)
        #expect(!FileManager.default.fileExists(atPath: dir + "/.docker-login/config.json"))
        let login = try slipway(["registry", "login", registry.host, "-u", "ci", "--password-stdin"], in: dir, environment: loginEnv, stdin: "s3cret-pass\n")
        #expect(login.status == 0, "\(login.stderr)")
        #expect(!(login.stdout + login.stderr).contains("s3cret-pass"))
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/.docker-login/config.json")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try slipway(["image", "push", "app", "--to", "docker://\(registry.host)/team/app:v3"], in: dir, environment: loginEnv).status == 0)
    }

    @Test func pushKilledMidUploadCompletesWhenRunAgain() throws {
        let registry = try TestRegistry()
        let (dir, env) = try makeProject()
        let digest = try buildDigest(dir, env)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: slipwayBinary)
        process.arguments = ["image", "push", "app", "--to", "docker://\(registry.host)/team/app:v1"]
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_CACHE_HOME"] = dir + "/.cache-test"
        environment["DOCKER_CONFIG"] = dir + "/.docker"
        process.environment = environment
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        usleep(150_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let again = try slipway(["image", "push", "app", "--to", "docker://\(registry.host)/team/app:v1"], in: dir, environment: env)
        #expect(again.status == 0, "\(again.stderr)")
        let skopeo = try run("/usr/bin/env", ["skopeo", "inspect", "--tls-verify=false", "docker://\(registry.host)/team/app:v1"], in: dir)
        #expect(skopeo.stdout.contains("\"Digest\": \"\(digest)\""))
        // Every layer the manifest names can be read back and matches its digest.
        let copy = try run("/usr/bin/env", ["skopeo", "copy", "--src-tls-verify=false", "docker://\(registry.host)/team/app:v1", "oci:\(dir)/check:v1"], in: dir)
        #expect(copy.status == 0, "\(copy.stderr)")
    }

    @Test func pushCompletesThroughAProxyThatFailsAShareOfRequests() throws {
        let registry = try TestRegistry()
        let (dir, env) = try makeProject()
        let digest = try buildDigest(dir, env)
        let port = TestRegistry.freePort()
        let proxy = Process()
        proxy.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        proxy.arguments = ["python3", repositoryRoot + "/Tests/Support/fault_proxy.py", String(port), String(registry.port), "0.25", "7"]
        let input = Pipe(), output = Pipe()
        proxy.standardInput = input
        proxy.standardOutput = output
        proxy.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try proxy.run()
        defer {
            try? input.fileHandleForWriting.close()
            proxy.waitUntilExit()
        }
        _ = output.fileHandleForReading.availableData  // "ready"
        let push = try slipway(["image", "push", "app", "--to", "docker://127.0.0.1:\(port)/team/app:v1", "--json"], in: dir, environment: env)
        #expect(push.status == 0, "\(push.stderr)")
        // Chunked uploads (64 KiB PATCHes here) resume where the registry says they stopped.
        var chunked = env
        chunked["SLIPWAY_REGISTRY_CHUNK_SIZE"] = "65536"
        try? FileManager.default.removeItem(atPath: dir + "/.slipway/registry")  // no mounts: upload everything again
        let pushChunked = try slipway(["image", "push", "app", "--to", "docker://127.0.0.1:\(port)/chunked/app:v1", "--json"], in: dir, environment: chunked)
        #expect(pushChunked.status == 0, "\(pushChunked.stderr)")
        #expect((actions(try report(pushChunked))["uploaded"] ?? 0) > 3)
        let chunkedCopy = try run("/usr/bin/env", ["skopeo", "copy", "--src-tls-verify=false", "docker://\(registry.host)/chunked/app:v1", "oci:\(dir)/chunked:v1"], in: dir)
        #expect(chunkedCopy.status == 0, "\(chunkedCopy.stderr)")
        let skopeo = try run("/usr/bin/env", ["skopeo", "inspect", "--tls-verify=false", "docker://\(registry.host)/team/app:v1"], in: dir)
        #expect(skopeo.stdout.contains("\"Digest\": \"\(digest)\""), "\(skopeo.stderr)")
        let copy = try run("/usr/bin/env", ["skopeo", "copy", "--src-tls-verify=false", "docker://\(registry.host)/team/app:v1", "oci:\(dir)/check:v1"], in: dir)
        #expect(copy.status == 0, "every blob is whole: \(copy.stderr)")
    }

    @Test func bearerTokenFlowWithATokenServerTheRegistryVerifies() throws {
        let tokenPort = TestRegistry.freePort()
        var tokenDirectory = ""
        let registry = try TestRegistry(tokenRealm: { directory in
            tokenDirectory = directory
            return "http://127.0.0.1:\(tokenPort)/token"
        })
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", repositoryRoot + "/Tests/Support/token_server.py", String(tokenPort), tokenDirectory + "/token-key.pem",
                            tokenDirectory + "/token-cert.pem", "slipway-test", "slipway-test-registry", "robot", "t0ken-pass"]
        let input = Pipe(), output = Pipe()
        server.standardInput = input
        server.standardOutput = output
        server.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try server.run()
        defer {
            try? input.fileHandleForWriting.close()
            server.waitUntilExit()
        }
        _ = output.fileHandleForReading.availableData  // "ready"
        let (dir, env) = try makeProject()
        let digest = try buildDigest(dir, env)
        let anonymous = try slipway(["image", "push", "app", "--to", "docker://\(registry.host)/team/app:v1"], in: dir, environment: env)
        #expect(anonymous.status != 0)
        #expect(anonymous.stderr.contains("refused"), "\(anonymous.stderr)")
        var withCreds = env
        withCreds["SLIPWAY_REGISTRY_USER"] = "robot"
        withCreds["SLIPWAY_REGISTRY_PASSWORD"] = "t0ken-pass"
        let push = try slipway(["image", "push", "app", "--to", "docker://\(registry.host)/team/app:v1", "--json"], in: dir, environment: withCreds)
        #expect(push.status == 0, "\(push.stderr)")
        #expect(try report(push)["manifestDigest"] as? String == digest)
        let skopeo = try run("/usr/bin/env", ["skopeo", "inspect", "--tls-verify=false", "--creds", "robot:t0ken-pass",
                                              "docker://\(registry.host)/team/app:v1"], in: dir)
        #expect(skopeo.stdout.contains("\"Digest\": \"\(digest)\""), "\(skopeo.stderr)")
        #expect(!(push.stdout + push.stderr).contains("t0ken-pass"))
    }
}
