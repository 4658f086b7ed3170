import Foundation
import Testing

/// Registries that refuse part of the protocol (issue 14 item 9), as containers/image handles
/// them: a refused cross-repository mount falls back to an upload, a refused OCI manifest is
/// pushed once more as Docker schema 2, an unknown host fails at once.
extension RegistryFaultTests {
    /// `skopeo inspect --raw`: the manifest the registry holds under `reference`, as JSON.
    func rawManifest(_ registry: TestRegistry, _ reference: String, in dir: String) throws -> [String: Any] {
        let skopeo = try run("/usr/bin/env", ["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(registry.host)/\(reference)"], in: dir)
        try #require(skopeo.status == 0, "\(skopeo.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(skopeo.stdout.utf8)) as? [String: Any])
    }

    @Test func aRefusedMountFallsBackToAnUploadWithoutALoginHint() throws {
        let registry = try TestRegistry()
        let (dir, env, digest) = try makeProject()
        try? FileManager.default.removeItem(atPath: dir + "/.slipway/registry")
        let proxy = try FaultProxy(upstream: registry.port, share: 0, seed: 1, mode: "refuse-mount")
        defer { _ = proxy.stop() }
        let first = try slipway(["image", "push", "app", "--to", "docker://127.0.0.1:\(proxy.port)/one/app:v1", "--json"], in: dir, environment: env)
        try #require(first.status == 0, "\(first.stderr)")
        // The second repository: the blobs are known in the first, so each is offered as a mount (refused).
        var verbose = env
        verbose["SLIPWAY_LOG"] = nil
        let second = try slipway(["-v", "image", "push", "app", "--to", "docker://127.0.0.1:\(proxy.port)/two/app:v1", "--json"],
                                 in: dir, environment: verbose)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("refused"), "the mounts were tried and refused: \(second.stderr.suffix(2000))")
        #expect(!second.stderr.contains("log in"), "\(second.stderr.suffix(2000))")
        let actions = try blobs(second).map { $0["action"] as? String ?? "?" }
        #expect(!actions.contains("mounted") && actions.filter { $0 == "uploaded" }.count > 8, "\(actions)")
        #expect(try inspectDigest(registry, "two/app:v1", in: dir) == digest)
    }

    @Test func aRefusedOCIManifestIsPushedAsDockerSchema2WithANote() throws {
        let registry = try TestRegistry()
        let (dir, env, digest) = try makeProject()
        try? FileManager.default.removeItem(atPath: dir + "/.slipway/registry")
        let proxy = try FaultProxy(upstream: registry.port, share: 0, seed: 1, mode: "refuse-oci")
        let pushed = try slipway(["image", "push", "app", "--to", "docker://127.0.0.1:\(proxy.port)/old/app:v1", "--json"], in: dir, environment: env)
        let counts = proxy.stop()
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(counts["refused"] == 1, "one OCI manifest refused, then no more tries: \(counts)")
        #expect(pushed.stderr.contains("note:") && pushed.stderr.contains("Docker schema 2"), "\(pushed.stderr)")
        let manifest = try rawManifest(registry, "old/app:v1", in: dir)
        #expect(manifest["mediaType"] as? String == "application/vnd.docker.distribution.manifest.v2+json", "\(manifest)")
        let held = try inspectDigest(registry, "old/app:v1", in: dir)
        #expect(held != nil && held != digest, "a Docker manifest has its own digest")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(pushed.stdout.utf8)) as? [[String: Any]])
        #expect(report.first?["manifestDigest"] as? String == held, "the report names the digest the registry holds")
    }

    @Test func anUnknownHostFailsAtOnceSayingWhatToCheck() throws {
        let (dir, env, _) = try makeProject()
        let pushed = try slipway(["-v", "image", "push", "app", "--to", "docker://registry.invalid/app:v1"], in: dir, environment: env)
        #expect(pushed.status == 1)
        #expect(pushed.stderr.contains("cannot resolve the host name of registry.invalid"), "\(pushed.stderr)")
        #expect(pushed.stderr.contains("check the name registry.invalid"), "\(pushed.stderr)")
        let tries = pushed.stderr.components(separatedBy: "\n").filter { $0.contains("GET https://registry.invalid/v2/") }
        #expect(tries.count == 1, "one try, no retry loop: \(tries)")
    }
}
