import Foundation
import SlipwayCore
import Testing
@testable import SlipwayOCI

/// Collects bytes and counts `finish()` calls.
final class BytesSink: ByteSink {
    var bytes: [UInt8] = []
    var finished = 0
    func write(_ part: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: part) }
    func finish() throws { finished += 1 }
}

@Suite("Blob store")
struct BlobStoreTests {
    func store(capacity: Int64 = 1 << 30) throws -> BlobStore {
        let dir = NSTemporaryDirectory() + "slipway-blobs-" + UUID().uuidString.prefix(8)
        return try BlobStore(directory: dir, capacity: capacity)
    }

    /// Puts `bytes` in `store` through a writer, as the build does.
    @discardableResult
    func keep(_ bytes: [UInt8], in store: BlobStore) throws -> Digest {
        let writer = try #require(store.writer())
        try writer.write(bytes)
        try writer.finish()
        let digest = Digest.of(bytes)
        #expect(writer.commit(digest))
        return digest
    }

    func setMtime(_ path: String, _ seconds: Int) {
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, path, &times, 0)
    }

    func makeLayer(_ text: String) throws -> BuildRecord.Layer {
        let spec = LayerSpec(kind: .customisation, entries: [TarEntry(name: "etc/motd", kind: .bytes(Array(text.utf8)), mode: 0o644)])
        return try LayerDigest.compute(spec, compression: .gzip, mtime: 1)
    }

    @Test func storedBlobStreamsBackVerifiedAndFinished() throws {
        let store = try store()
        let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let digest = try keep(bytes, in: store)
        let sink = BytesSink()
        #expect(try store.copy(digest, size: Int64(bytes.count), to: sink))
        #expect(sink.bytes == bytes)
        #expect(sink.finished == 1)
        #expect(try !store.copy(Digest.of([1, 2, 3]), size: 3, to: BytesSink()), "absent: false, nothing written")
    }

    @Test func writerCommitsOnlyMatchingBytesAndLeavesNoTemporaryFile() throws {
        let store = try store()
        let writer = try #require(store.writer())
        try writer.write([1, 2, 3])
        try writer.finish()
        #expect(!writer.commit(Digest.of([9, 9])), "another digest is refused")
        #expect(!FileManager.default.fileExists(atPath: store.path(of: Digest.of([9, 9]))))
        #expect(!store.contains(Digest.of([1, 2, 3]), size: 3))
        _ = try keep([4, 5, 6], in: store)
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: store.temporaryDirectory)) ?? []
        #expect(leftovers.isEmpty, "\(leftovers)")
        #expect(try BlobStore(directory: store.directory, capacity: 0).writer() == nil, "a cap of 0 keeps nothing")
    }

    @Test func corruptBlobIsDetectedRemovedAndProducedAgainWithTheSameDigest() throws {
        let store = try store()
        let layer = try makeLayer("hello\n")
        let blobs = LayerBlobs(store: store, compression: .gzip, mtime: 1)
        let first = BytesSink()
        #expect(try blobs.write(layer, to: first) == .produced, "not stored yet")
        #expect(store.contains(layer.digest, size: layer.size), "kept on the way")
        #expect(Digest.of(first.bytes) == layer.digest)
        #expect(FileManager.default.contents(atPath: store.path(of: layer.digest)).map { Array($0) } == first.bytes)
        // Flip one byte, same size: only the digest can tell.
        var bytes = try #require(FileManager.default.contents(atPath: store.path(of: layer.digest)))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: store.path(of: layer.digest)))
        let held = BytesSink()
        #expect(throws: ImageError.self) { try blobs.write(layer, to: held) }
        #expect(held.bytes.count < Int(layer.size), "the last block was held back")
        #expect(!store.contains(layer.digest, size: layer.size), "the corrupt blob was removed")
        let again = BytesSink()
        #expect(try blobs.write(layer, to: again) == .produced)
        #expect(Digest.of(again.bytes) == layer.digest)
        #expect(again.bytes == first.bytes)
        #expect(try blobs.write(layer, to: BytesSink()) == .store)
    }

    @Test(arguments: Compression.allCases)
    func digestingALayerKeepsExactlyItsBlob(_ compression: Compression) throws {
        let store = try store()
        let spec = LayerSpec(kind: .customisation, entries: [TarEntry(name: "etc/motd", kind: .bytes(Array("hi\n".utf8)), mode: 0o644)])
        let layer = try LayerDigest.compute(spec, compression: compression, mtime: 1, keepingIn: store)
        let kept = try #require(FileManager.default.contents(atPath: store.path(of: layer.digest)))
        #expect(Digest.of(Array(kept)) == layer.digest)
        #expect(Int64(kept.count) == layer.size)
        let produced = BytesSink()
        try LayerDigest.writeBlob(layer, compression: compression, mtime: 1, to: produced)
        #expect(produced.bytes == Array(kept), "the stored blob is the one a push would produce")
        let plain = try LayerDigest.compute(spec, compression: compression, mtime: 1)
        #expect((plain.digest, plain.diffID, plain.size) == (layer.digest, layer.diffID, layer.size), "keeping changes no digest")
    }

    @Test func truncatedBlobIsNotTrusted() throws {
        let store = try store()
        let digest = try keep(Array(repeating: 7, count: 100), in: store)
        #expect(truncate(store.path(of: digest), 50) == 0)
        #expect(!store.contains(digest, size: 100))
        #expect(!store.verify(digest, size: 100))
        #expect(!FileManager.default.fileExists(atPath: store.path(of: digest)))
    }

    @Test func evictionRemovesLeastRecentlyUsedFirstUntilUnderTheCap() throws {
        let store = try store(capacity: 250)
        let a = try keep(Array(repeating: 1, count: 100), in: store)
        let b = try keep(Array(repeating: 2, count: 100), in: store)
        let c = try keep(Array(repeating: 3, count: 100), in: store)
        setMtime(store.path(of: a), 1000)
        setMtime(store.path(of: b), 2000)
        setMtime(store.path(of: c), 3000)
        // Reading `a` makes it the most recently used one.
        #expect(try store.copy(a, size: 100, to: BytesSink()))
        #expect(store.entries().map(\.digest) == [b, c, a])
        let eviction = store.evict()
        #expect(eviction.removed == [b])
        #expect(eviction.bytes == 100)
        #expect(store.usage().bytes == 200)
        #expect(store.contains(a, size: 100) && store.contains(c, size: 100))
        #expect(store.evict().removed.isEmpty, "already under the cap")
        #expect(store.evict(toFit: 0).removed == [c, a])
        #expect(store.usage().count == 0)
    }

    @Test func touchOnACacheHitCountsAsUse() throws {
        let store = try store(capacity: 150)
        let a = try keep(Array(repeating: 1, count: 100), in: store)
        let b = try keep(Array(repeating: 2, count: 100), in: store)
        setMtime(store.path(of: a), 1000)
        setMtime(store.path(of: b), 2000)
        store.touch(a)
        #expect(store.evict().removed == [b])
    }

    @Test func staleTemporaryFilesAreRemovedByGC() throws {
        let store = try store()
        try FileManager.default.createDirectory(atPath: store.temporaryDirectory, withIntermediateDirectories: true)
        let stale = store.temporaryDirectory + "/123-dead", fresh = store.temporaryDirectory + "/456-live"
        #expect(FileManager.default.createFile(atPath: stale, contents: Data([1])))
        #expect(FileManager.default.createFile(atPath: fresh, contents: Data([1])))
        setMtime(stale, 1000)
        #expect(store.evict().temporaryFiles == 1)
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: fresh), "a write in progress is left alone")
    }

    static let sizes: [(String, Int64)] = [
        ("1048576", 1_048_576), ("512K", 524_288), ("512KiB", 524_288), ("20M", 20_971_520),
        ("10G", 10_737_418_240), ("10 GiB", 10_737_418_240), ("1.5G", 1_610_612_736), ("0", 0), ("64B", 64),
    ]

    @Test(arguments: sizes)
    func sizesParse(_ text: String, _ bytes: Int64) {
        #expect(ByteCount.parse(text) == bytes)
    }

    @Test(arguments: ["", "ten", "10X", "-5", "G"])
    func nonSizesDoNotParse(_ text: String) {
        #expect(ByteCount.parse(text) == nil)
    }
}
