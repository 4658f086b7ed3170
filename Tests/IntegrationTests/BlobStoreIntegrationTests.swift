import Foundation
import Testing

/// The blob store: `image push` and `--output oci:` stream the blobs the build kept, and give
/// the same digests when the store was wiped, checked with skopeo, podman and a real registry.
@Suite("Blob store", .tags(.integration), .serialized)
struct BlobStoreIntegrationTests {
    func makeProject() throws -> (String, [String: String?]) {
        try messageImageProject(name: "blobtest", message: "hello from the blob store")
    }

    func blobsDirectory(_ dir: String) -> String { dir + "/.cache-test/slipway/blobs/sha256" }

    func push(_ dir: String, _ env: [String: String?], to destination: String, verbose: Bool = false) throws -> (RunResult, [String: Any]) {
        let arguments = (verbose ? ["-v"] : []) + ["image", "push", "app", "--to", "docker://" + destination, "--json"]
        let result = try slipway(arguments, in: dir, environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        return (result, try #require(list.first))
    }

    /// `source` of every uploaded blob, by digest.
    func sources(_ report: [String: Any]) -> [String: String] {
        var result: [String: String] = [:]
        for blob in (report["blobs"] as? [[String: Any]]) ?? [] where blob["action"] as? String == "uploaded" {
            result[blob["digest"] as? String ?? "?"] = blob["source"] as? String ?? "none"
        }
        return result
    }

    func layerDigests(_ dir: String) throws -> [String] {
        let data = try #require(FileManager.default.contents(atPath: dir + "/.slipway/images/app.json"))
        let record = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return ((record["layers"] as? [[String: Any]]) ?? []).compactMap { $0["digest"] as? String }
    }

    /// `skopeo inspect`'s digest and layer list of `transport`.
    func inspect(_ transport: String, in dir: String) throws -> (String, [String]) {
        let result = try run("/usr/bin/env", ["skopeo", "inspect", "--tls-verify=false", transport], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        return (object["Digest"] as? String ?? "", object["Layers"] as? [String] ?? [])
    }

    @Test func pushStreamsTheStoreAndAWipedStoreGivesTheSameImage() throws {
        let registry = try TestRegistry()
        let (dir, env) = try makeProject()
        let build = try slipway(["image", "build"], in: dir, environment: env)
        #expect(build.status == 0, "\(build.stderr)")
        let layers = try layerDigests(dir)
        #expect(layers.allSatisfy { FileManager.default.fileExists(atPath: blobsDirectory(dir) + "/" + $0.dropFirst(7)) }, "the build kept every blob")

        let (_, first) = try push(dir, env, to: "\(registry.host)/team/app:v1")
        let fromStore = sources(first)
        #expect(Set(layers).allSatisfy { fromStore[$0] == "store" }, "every layer streamed from the store: \(fromStore)")
        #expect(fromStore.values.filter { $0 == "record" }.count == 1, "the config: \(fromStore)")
        let (digest, pushedLayers) = try inspect("docker://\(registry.host)/team/app:v1", in: dir)
        #expect(digest == first["manifestDigest"] as? String)
        #expect(pushedLayers == layers)

        // No blob store (the layer cache stays, so the build itself compresses nothing): every
        // layer is tarred and compressed again, to the same digests.
        try FileManager.default.removeItem(atPath: dir + "/.cache-test/slipway/blobs")
        try FileManager.default.removeItem(atPath: dir + "/.slipway/registry")
        let (_, second) = try push(dir, env, to: "\(registry.host)/wiped/app:v1")
        #expect(Set(layers).allSatisfy { sources(second)[$0] == "produced" }, "\(sources(second))")
        let (wipedDigest, wipedLayers) = try inspect("docker://\(registry.host)/wiped/app:v1", in: dir)
        #expect(wipedDigest == digest)
        #expect(wipedLayers == pushedLayers)
        let copy = try run("/usr/bin/env", ["skopeo", "copy", "--src-tls-verify=false", "docker://\(registry.host)/wiped/app:v1", "oci:\(dir)/check:v1"], in: dir)
        #expect(copy.status == 0, "every produced blob is whole: \(copy.stderr)")
        // Produced again means kept again: the next push reads the store.
        try FileManager.default.removeItem(atPath: dir + "/.slipway/registry")  // no mounts: upload again
        let (_, third) = try push(dir, env, to: "\(registry.host)/third/app:v1")
        #expect(Set(layers).allSatisfy { sources(third)[$0] == "store" }, "\(sources(third))")

        let pull = try runToFiles("/usr/bin/env", ["podman", "pull", "--tls-verify=false", "\(registry.host)/team/app:v1"], in: dir)
        #expect(pull.status == 0, "\(pull.stderr)")
        let ran = try runToFiles("/usr/bin/env", ["podman", "run", "--rm", "\(registry.host)/team/app:v1"], in: dir)
        #expect(ran.stdout == "hello from the blob store\n", "\(ran.stderr)")
        _ = try runToFiles("/usr/bin/env", ["podman", "rmi", "-f", "\(registry.host)/team/app:v1"], in: dir)
    }

    @Test func noOpRePushHeadsTheManifestAndSendsNothing() throws {
        let registry = try TestRegistry()
        let (dir, env) = try makeProject()
        #expect(try slipway(["image", "build"], in: dir, environment: env).status == 0)
        _ = try push(dir, env, to: "\(registry.host)/team/app:v1")
        let (again, report) = try push(dir, env, to: "\(registry.host)/team/app:v1", verbose: true)
        #expect(report["upToDate"] as? Bool == true)
        #expect(sources(report).isEmpty, "nothing uploaded")
        #expect(again.stderr.contains("[registry] HEAD http://\(registry.host)/v2/team/app/manifests/v1 200"), "\(again.stderr)")
        #expect(!again.stderr.contains("/blobs/"), "no blob requests: \(again.stderr)")
        #expect(!again.stderr.contains("PUT "), "\(again.stderr)")
        // A new tag of the same manifest: blobs are checked (they exist), the tag is put.
        let (tagged, other) = try push(dir, env, to: "\(registry.host)/team/app:v2", verbose: true)
        #expect(other["upToDate"] as? Bool == false)
        #expect(sources(other).isEmpty, "\(sources(other))")
        #expect(tagged.stderr.contains("PUT http://\(registry.host)/v2/team/app/manifests/v2 201"), "\(tagged.stderr)")
    }

    @Test func corruptStoredBlobIsProducedAgainDuringAPush() throws {
        let registry = try TestRegistry()
        let (dir, env) = try makeProject()
        #expect(try slipway(["image", "build"], in: dir, environment: env).status == 0)
        let layers = try layerDigests(dir)
        let victim = try #require(layers.first)
        let path = blobsDirectory(dir) + "/" + victim.dropFirst(7)
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes[bytes.count / 2] ^= 0x55
        try bytes.write(to: URL(fileURLWithPath: path))
        let (_, report) = try push(dir, env, to: "\(registry.host)/team/app:v1")
        #expect(sources(report)[victim] == "produced", "\(sources(report))")
        #expect(sources(report).filter { $0.value == "store" }.count == layers.count - 1)
        let (_, pushed) = try inspect("docker://\(registry.host)/team/app:v1", in: dir)
        #expect(pushed == layers)
        let copy = try run("/usr/bin/env", ["skopeo", "copy", "--src-tls-verify=false", "docker://\(registry.host)/team/app:v1", "oci:\(dir)/check:v1"], in: dir)
        #expect(copy.status == 0, "\(copy.stderr)")
        let stored = try run("/usr/bin/env", ["sha256sum", path], in: dir)
        #expect(stored.stdout.hasPrefix(victim.dropFirst(7) + " "), "the store holds the right bytes again: \(stored.stdout)")
    }

    @Test func ociOutputIsIdenticalFromTheStoreOrProducedAgain() throws {
        let (dir, env) = try makeProject()
        let first = try slipway(["image", "build", "app", "--output", "oci:\(dir)/stored:v1"], in: dir, environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        let count = try Set(layerDigests(dir)).count
        #expect(first.stderr.contains("wrote \(count) layer blobs, \(count) from the blob store, 0 compressed again"), "\(first.stderr)")
        try FileManager.default.removeItem(atPath: dir + "/.cache-test/slipway/blobs")
        let second = try slipway(["image", "build", "app", "--output", "oci:\(dir)/produced:v1"], in: dir, environment: env)
        #expect(second.status == 0, "\(second.stderr)")
        // The layer cache still knows the other layers, so only the project layer was compressed
        // (and kept) by the build; the rest are produced again for the layout.
        #expect(second.stderr.contains("wrote \(count) layer blobs, 1 from the blob store, \(count - 1) compressed again"), "\(second.stderr)")
        let diff = try run("/usr/bin/env", ["diff", "-r", "\(dir)/stored", "\(dir)/produced"], in: dir)
        #expect(diff.status == 0, "byte-identical layouts: \(diff.stdout)")
        let (digest, _) = try inspect("oci:\(dir)/produced:v1", in: dir)
        #expect(first.stdout.contains(digest) && !digest.isEmpty)
    }

    @Test func cacheInfoAndGCFollowTheCap() throws {
        let (dir, env) = try makeProject()
        #expect(try slipway(["image", "build"], in: dir, environment: env).status == 0)
        let count = try Set(layerDigests(dir)).count
        let info = try slipway(["cache", "info", "--json"], in: dir, environment: env)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any])
        let blobs = try #require(object["blobs"] as? [String: Any])
        #expect(blobs["count"] as? Int == count, "\(info.stdout)")
        #expect(blobs["capacity"] as? Int == 10 << 30)
        var capped = env
        capped["SLIPWAY_BLOB_STORE_MAX_SIZE"] = "1"
        #expect(try slipway(["image", "build"], in: dir, environment: capped).status == 0)
        let after = try slipway(["cache", "info", "--json"], in: dir, environment: capped)
        #expect(after.stdout.contains("\"count\" : 0"), "a 1-byte cap keeps no blob: \(after.stdout)")
        #expect(try slipway(["image", "build"], in: dir, environment: env).status == 0)
        let gc = try slipway(["cache", "gc", "--max-size", "0", "--json"], in: dir, environment: env)
        #expect(gc.status == 0, "\(gc.stderr)")
        let eviction = try #require(try JSONSerialization.jsonObject(with: Data(gc.stdout.utf8)) as? [String: Any])
        #expect((eviction["removed"] as? [String])?.count == 1, "only the project layer was made again: \(gc.stdout)")
        let bad = try slipway(["cache", "info"], in: dir, environment: ["SLIPWAY_BLOB_STORE_MAX_SIZE": "lots"])
        #expect(bad.status != 0 && bad.stderr.contains("SLIPWAY_BLOB_STORE_MAX_SIZE=lots"), "\(bad.stderr)")
    }

    /// Layers over 1 MiB are several gzip members (or zstd frames); podman and skopeo read them.
    @Test(arguments: ["gzip", "zstd"])
    func blockCompressedLayersRunUnderPodman(_ compression: String) throws {
        let (dir, env) = try makeProject()
        let manifest = try String(contentsOfFile: dir + "/slipway.toml", encoding: .utf8) + "\ncompression = \"\(compression)\"\n"
        try manifest.write(toFile: dir + "/slipway.toml", atomically: true, encoding: .utf8)
        let build = try slipway(["image", "build", "app", "--output", "oci:\(dir)/layout:v1"], in: dir, environment: env)
        #expect(build.status == 0, "\(build.stderr)")
        let largest = try #require(try FileManager.default.contentsOfDirectory(atPath: dir + "/layout/blobs/sha256")
            .max { (try? FileManager.default.attributesOfItem(atPath: dir + "/layout/blobs/sha256/" + $0)[.size] as? Int) ?? 0
                 < (try? FileManager.default.attributesOfItem(atPath: dir + "/layout/blobs/sha256/" + $1)[.size] as? Int) ?? 0 })
        let count = compression == "gzip"
            ? "import sys, zlib\ndata = open(sys.argv[1], 'rb').read(); n = 0\nwhile data:\n    d = zlib.decompressobj(31); d.decompress(data); data = d.unused_data; n += 1\nprint(n)"
            : "import sys\ndata = open(sys.argv[1], 'rb').read(); print(data.count(bytes([0x28, 0xB5, 0x2F, 0xFD])))"
        let members = try run("/usr/bin/env", ["python3", "-c", count, dir + "/layout/blobs/sha256/" + largest], in: dir)
        let data = try #require(FileManager.default.contents(atPath: dir + "/.slipway/images/app.json"))
        let record = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let layer = try #require((record["layers"] as? [[String: Any]])?.first { $0["digest"] as? String == "sha256:" + largest })
        let diffSize = try #require(layer["diffSize"] as? Int)
        let block = compression == "gzip" ? 1 << 20 : 4 << 20
        #expect(Int(members.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) == max(1, (diffSize + block - 1) / block),
                "one member per block of \(diffSize) bytes: \(members.stdout) \(members.stderr)")
        let copy = try run("/usr/bin/env", ["skopeo", "copy", "oci:\(dir)/layout:v1", "oci:\(dir)/copied:v1"], in: dir)
        #expect(copy.status == 0, "skopeo checks every blob: \(copy.stderr)")
        let image = "localhost/blobtest-\(compression):v1"
        let load = try runToFiles("/usr/bin/env", ["skopeo", "copy", "oci:\(dir)/layout:v1", "containers-storage:" + image], in: dir)
        #expect(load.status == 0, "\(load.stderr)")
        let ran = try runToFiles("/usr/bin/env", ["podman", "run", "--rm", image], in: dir)
        #expect(ran.stdout == "hello from the blob store\n", "\(ran.stderr)")
        _ = try runToFiles("/usr/bin/env", ["podman", "rmi", "-f", image], in: dir)
    }
}
