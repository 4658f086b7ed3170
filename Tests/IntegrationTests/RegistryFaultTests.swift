import Foundation
import Testing

/// `Tests/Support/fault_proxy.py` in front of a registry: a share of the requests get a 503 or
/// a dropped connection, chosen with a fixed seed.
final class FaultProxy {
    let port: Int
    private let process = Process()
    private let input = Pipe()
    private let errors = Pipe()

    /// - Parameter mode: `mixed` (503 or dropped), `503` or `drop`.
    init(upstream: Int, share: Double, seed: Int, mode: String = "mixed") throws {
        port = TestRegistry.freePort()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repositoryRoot + "/Tests/Support/fault_proxy.py", String(port), String(upstream), String(share), String(seed), mode]
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        _ = output.fileHandleForReading.availableData  // "ready"
    }

    /// Stops the proxy. Returns its counts: `forwarded`, `503`, `dropped`.
    func stop() -> [String: Int] {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Int]) ?? [:]
    }

    deinit {
        if process.isRunning { _ = stop() }
    }
}

/// Pushes through a flaky or dead registry (issue 17 item 3): a multi-layer image (busybox,
/// redis, nginx and their libraries, plus a 6 MiB project layer) from the offline set.
@Suite("Registry faults", .tags(.integration), .serialized)
struct RegistryFaultTests {
    static let manifest = """
        [project]
        name = "faults"
        [nix]
        nixpkgs = "@OFFLINE@"
        [packages]
        busybox = "busybox"
        redis = "redis"
        nginx = "nginx"
        [images.app]
        entrypoint = ["sh", "-c"]
        cmd = ["ls /app"]
        copy = [{ from = "app", to = "/app" }]
        """

    /// The built project (once for the suite: the tests run one after another) and its manifest digest.
    nonisolated(unsafe) static var built: (dir: String, env: [String: String?], digest: String)?

    func makeProject() throws -> (dir: String, env: [String: String?], digest: String) {
        if let built = Self.built { return built }
        let made = try buildProject()
        Self.built = made
        return made
    }

    private func buildProject() throws -> (dir: String, env: [String: String?], digest: String) {
        let dir = try project(Self.manifest)
        try FileManager.default.createDirectory(atPath: dir + "/app", withIntermediateDirectories: true)
        var state: UInt64 = 17
        let noise = Data((0..<(6 << 20)).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 57)  // 7 bits: compresses a little
        })
        try noise.write(to: URL(fileURLWithPath: dir + "/app/data.bin"))
        let env: [String: String?] = ["XDG_CACHE_HOME": dir + "/.cache-test", "DOCKER_CONFIG": dir + "/.docker", "REGISTRY_AUTH_FILE": nil,
                                      "SLIPWAY_REGISTRY_USER": nil, "SLIPWAY_REGISTRY_PASSWORD": nil, "CI_REGISTRY": nil]
        let build = try slipway(["image", "build"], in: dir, environment: env)
        try #require(build.status == 0, "\(build.stderr)")
        let digest = String(build.stdout.split(separator: " ").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return (dir, env, digest)
    }

    /// One push to `host` (nothing remembered from earlier pushes, so every blob is uploaded).
    func push(_ dir: String, _ env: [String: String?], to target: String, chunk: Int? = nil) throws -> (RunResult, Duration) {
        try? FileManager.default.removeItem(atPath: dir + "/.slipway/registry")
        var environment = env
        if let chunk { environment["SLIPWAY_REGISTRY_CHUNK_SIZE"] = String(chunk) }
        let clock = ContinuousClock()
        var result: RunResult?
        let elapsed = try clock.measure { result = try slipway(["image", "push", "app", "--to", target, "--json"], in: dir, environment: environment) }
        return (try #require(result), elapsed)
    }

    func blobs(_ result: RunResult) throws -> [[String: Any]] {
        let list = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        return try #require(list.first?["blobs"] as? [[String: Any]])
    }

    func inspectDigest(_ registry: TestRegistry, _ repository: String, in dir: String) throws -> String? {
        let skopeo = try run("/usr/bin/env", ["skopeo", "inspect", "--tls-verify=false", "docker://\(registry.host)/\(repository)"], in: dir)
        let json = try JSONSerialization.jsonObject(with: Data(skopeo.stdout.utf8)) as? [String: Any]
        return json?["Digest"] as? String
    }

    @Test func everyPushThroughAQuarterOfFailedRequestsCompletes() throws {
        let registry = try TestRegistry()
        let (dir, env, digest) = try makeProject()
        // Five monolithic pushes and two chunked ones (64 and 256 KiB PATCHes), each with its own seed.
        let runs: [(seed: Int, chunk: Int?)] = [(1, nil), (2, nil), (3, nil), (4, nil), (5, nil), (6, 65536), (7, 262_144)]
        for (seed, chunk) in runs {
            let proxy = try FaultProxy(upstream: registry.port, share: 0.25, seed: seed)
            let (pushed, elapsed) = try push(dir, env, to: "docker://127.0.0.1:\(proxy.port)/faults/s\(seed):v1", chunk: chunk)
            let counts = proxy.stop()
            #expect(pushed.status == 0, "seed \(seed), chunk \(chunk ?? 0): \(pushed.stderr)")
            #expect((counts["503"] ?? 0) + (counts["dropped"] ?? 0) > 3, "the proxy injected faults: \(counts)")
            #expect(try inspectDigest(registry, "faults/s\(seed):v1", in: dir) == digest, "seed \(seed)")
            let uploaded = try blobs(pushed).filter { $0["action"] as? String == "uploaded" }
            #expect(uploaded.count > 8, "a multi-layer image, every blob uploaded: \(uploaded.count)")
            print("seed \(seed) chunk \(chunk ?? 0): \(elapsed), \(counts)")
        }
        let copy = try run("/usr/bin/env", ["skopeo", "copy", "--src-tls-verify=false", "docker://\(registry.host)/faults/s7:v1", "oci:\(dir)/check:v1"], in: dir)
        #expect(copy.status == 0, "every blob is whole: \(copy.stderr)")
    }

    @Test func halfTheRequestsFailingStillPushAndProduceEachBlobOnce() throws {
        let registry = try TestRegistry()
        let (dir, env, digest) = try makeProject()
        let clean = try FaultProxy(upstream: registry.port, share: 0, seed: 1)
        let (first, cleanTime) = try push(dir, env, to: "docker://127.0.0.1:\(clean.port)/clean/app:v1")
        _ = clean.stop()
        #expect(first.status == 0, "\(first.stderr)")
        for seed in [21, 22] {
            let proxy = try FaultProxy(upstream: registry.port, share: 0.5, seed: seed)
            let (pushed, faultTime) = try push(dir, env, to: "docker://127.0.0.1:\(proxy.port)/half/s\(seed):v1")
            let counts = proxy.stop()
            #expect(pushed.status == 0, "seed \(seed): \(pushed.stderr)")
            #expect((counts["503"] ?? 0) + (counts["dropped"] ?? 0) > 10, "\(counts)")
            // The cost of the faults, measured without a clock: a retry resends what it kept and never
            // produces a layer again (at most one producer run per blob, so bytes produced = blob bytes).
            // The time ratio (measured 0.7–1.6× the clean push on an idle machine) is printed below.
            for blob in try blobs(pushed) where blob["action"] as? String == "uploaded" {
                #expect(blob["bytesProduced"] as? Int == blob["size"] as? Int, "seed \(seed): \(blob)")
            }
            #expect(try inspectDigest(registry, "half/s\(seed):v1", in: dir) == digest)
            print("seed \(seed): \(faultTime) vs clean \(cleanTime) (ratio \(faultTime / cleanTime)), \(counts)")
        }
    }

    @Test func aChunkedPushProducesEachBlobOnce() throws {
        let registry = try TestRegistry()
        let (dir, env, digest) = try makeProject()
        let (pushed, _) = try push(dir, env, to: "docker://\(registry.host)/chunked/app:v1", chunk: 256 << 10)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        let uploaded = try blobs(pushed).filter { $0["action"] as? String == "uploaded" }
        let big = uploaded.filter { ($0["size"] as? Int ?? 0) > 4 * (256 << 10) }
        #expect(!big.isEmpty, "some blobs go up in many chunks")
        for blob in uploaded {
            let size = blob["size"] as? Int ?? -1
            #expect(blob["bytesProduced"] as? Int == size, "\(blob["digest"] ?? "?"): produced \(blob["bytesProduced"] ?? "?") for \(size)")
            #expect(blob["bytesSent"] as? Int == size)
        }
        #expect(try inspectDigest(registry, "chunked/app:v1", in: dir) == digest)
    }

    @Test func aRegistryThatNeverAnswersFailsWithin30SecondsNamingTheHost() throws {
        // A socket that listens but never accepts: connections open (the kernel's backlog), no answer ever comes.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        let port = TestRegistry.freePort()
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        try #require(bound == 0 && listen(fd, 64) == 0)
        let (dir, env, _) = try makeProject()
        let (pushed, elapsed) = try push(dir, env, to: "docker://127.0.0.1:\(port)/dead/app:v1")
        #expect(pushed.status == 1)
        #expect(elapsed <= .seconds(30), "\(elapsed)")
        #expect(pushed.stderr.contains("no answer from 127.0.0.1:\(port)"), "\(pushed.stderr)")
        #expect(!pushed.stderr.contains("handshake"), "\(pushed.stderr)")
    }

    @Test func aRegistryThatOnlyAnswers503IsReportedSoOverPlainHTTP() throws {
        let registry = try TestRegistry()
        let (dir, env, _) = try makeProject()
        let proxy = try FaultProxy(upstream: registry.port, share: 1, seed: 1, mode: "503")
        let (pushed, elapsed) = try push(dir, env, to: "docker://127.0.0.1:\(proxy.port)/busy/app:v1")
        let counts = proxy.stop()
        #expect(pushed.status == 1)
        #expect(elapsed <= .seconds(30), "\(elapsed)")
        #expect(pushed.stderr.contains("HTTP 503"), "\(pushed.stderr)")
        #expect(!pushed.stderr.contains("BoringSSL") && !pushed.stderr.contains("handshake"), "\(pushed.stderr)")
        #expect((counts["503"] ?? 0) >= 2, "\(counts)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/.slipway/registry/schemes.json"), "no scheme decided from a 503")
    }
}
