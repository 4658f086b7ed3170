import Foundation
import SlipwayCore
import SlipwayNix
import Testing
@testable import SlipwayEnvironment

/// The `stat` stand-in for the environment key (a warm start computes no SHA-256 while it holds).
@Suite("Key signature")
struct KeySignatureTests {
    func project() throws -> ProjectLayout {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("keysig-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try "[packages]\nhello = \"hello\"\n".write(toFile: root + "/slipway.toml", atomically: false, encoding: .utf8)
        return ProjectLayout(manifest: root + "/slipway.toml")
    }

    @Test func aFileChangedJustNowIsNotRecordedOneSettledIs() throws {
        let layout = try project()
        let now = Int(time(nil))
        #expect(KeySignature.recordable(layout, profile: "dev", now: now) == nil, "changed less than 3 s ago: racily clean")
        let later = KeySignature.recordable(layout, profile: "dev", now: now + KeySignature.settledSeconds + 1)
        #expect(later != nil && later == KeySignature.current(layout, profile: "dev"))
        #expect(KeySignature.current(layout, profile: "ci") != later, "the profile is part of it")
    }

    @Test func anyWriteChangesItEvenWithTheSameBytes() throws {
        let layout = try project()
        let before = try #require(KeySignature.current(layout, profile: "dev"))
        usleep(20_000)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: layout.manifest))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: layout.manifest))
        try handle.write(contentsOf: bytes)  // same size, same bytes, in place
        try handle.close()
        let rewritten = KeySignature.current(layout, profile: "dev")
        #expect(rewritten != before)
        try "{}".write(toFile: layout.lockFile, atomically: false, encoding: .utf8)
        #expect(KeySignature.current(layout, profile: "dev") != rewritten, "a lock that appears changes it")
    }

    /// While the recorded signature holds, the key is not computed (a wrong key is accepted: the
    /// files are known to be the ones it came from); after a write it is, and the wrong key fails.
    @Test func theStoreSkipsTheKeyOnlyWhileTheSignatureHolds() throws {
        let layout = try project()
        var cached = CachedEnvironment(
            key: "sha256:not-the-key", profile: "dev", root: layout.root, binPaths: [], env: [], requiredPaths: [],
            build: ProfileBuild(profile: "dev", packages: [], closure: []))
        cached.keySignature = KeySignature.current(layout, profile: "dev")
        let store = EnvironmentStore(layout: layout)
        try store.save(cached)
        #expect(store.validEnvironment(profile: "dev", needsBuild: false)?.key == "sha256:not-the-key")
        #expect(store.validEnvironment(profile: "dev", needsBuild: true)?.key == "sha256:not-the-key", "the JSON file too")
        usleep(20_000)
        try "[packages]\nhello = \"hello\"\n".write(toFile: layout.manifest, atomically: false, encoding: .utf8)
        #expect(store.validEnvironment(profile: "dev", needsBuild: false) == nil, "rewritten: the key is computed, and differs")
        cached.key = try store.currentKey(profile: "dev")
        try store.save(cached)
        #expect(store.validEnvironment(profile: "dev", needsBuild: false) != nil, "the right key still validates with a stale signature")
    }

    /// A key computed and matched records the signature of settled files in the compact file.
    @Test func aMatchingKeyRecordsTheSignatureOfSettledFiles() throws {
        let layout = try project()
        let store = EnvironmentStore(layout: layout)
        let cached = CachedEnvironment(
            key: try store.currentKey(profile: "dev"), profile: "dev", root: layout.root, binPaths: [], env: [], requiredPaths: [],
            build: ProfileBuild(profile: "dev", packages: [], closure: []))
        try store.save(cached)
        #expect(store.validEnvironment(profile: "dev", needsBuild: false)?.keySignature == nil, "just written: not settled")
        // Settled: its change time set back is not possible, so wait it out.
        sleep(UInt32(KeySignature.settledSeconds))
        #expect(store.validEnvironment(profile: "dev", needsBuild: false) != nil)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: layout.execEnvironmentCache(profile: "dev"))))
        #expect(ExecEnvironmentFile.parse(bytes)?.keySignature == KeySignature.current(layout, profile: "dev"))
    }
}
