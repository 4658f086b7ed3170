import Foundation
import Testing
@testable import SlipwayImage

/// Reading `HEAD`'s committer time from real repositories that `git` made: loose objects,
/// packs with `OFS_DELTA` and `REF_DELTA` entries, packed refs, worktrees.
@Suite("Git commit time")
struct GitRepositoryTests {
    let dir: String

    init() throws {
        dir = NSTemporaryDirectory() + "slipway-git-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir + "/repo/sub", withIntermediateDirectories: true)
        try git(["init", "-q", "-b", "main"])
    }

    @discardableResult
    func git(_ arguments: [String], at time: Int = 1_700_000_000, in folder: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder ?? dir + "/repo")
        var env = ProcessInfo.processInfo.environment
        for (name, value) in ["GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "T",
                              "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_AUTHOR_DATE": "@\(time - 500) +0000",
                              "GIT_COMMITTER_DATE": "@\(time) +0100", "GIT_CONFIG_NOSYSTEM": "1", "HOME": dir] {
            env[name] = value
        }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw GitError.corrupt("git \(arguments) failed") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func commit(_ text: String, at time: Int, in folder: String? = nil) throws {
        try text.write(toFile: (folder ?? dir + "/repo") + "/file.txt", atomically: true, encoding: .utf8)
        try git(["add", "file.txt"], in: folder)
        try git(["commit", "-q", "-m", "change at \(time)\n\n" + String(repeating: "a long shared body line\n", count: 40) + text],
                at: time, in: folder)
    }

    @Test func looseCommitFromASubfolder() throws {
        try commit("one", at: 1_700_000_000)
        try commit("two", at: 1_700_003_600)
        let repository = try #require(GitRepository(containing: dir + "/repo/sub"))
        let head = try #require(try repository.head())
        #expect(head.id == (try git(["rev-parse", "HEAD"])))
        #expect(head.committerTime == 1_700_003_600, "the committer's time, not the author's, in UTC")
        #expect(repository.headName() == head.id)
        #expect(FileManager.default.fileExists(atPath: dir + "/repo/.git/objects/" + head.id.prefix(2) + "/" + head.id.dropFirst(2)))
    }

    @Test func packedRefsAndPackedObjects() throws {
        try commit("one", at: 1_700_000_000)
        try commit("two", at: 1_700_000_100)
        try git(["gc", "-q", "--prune=now"])
        #expect(!FileManager.default.fileExists(atPath: dir + "/repo/.git/refs/heads/main"), "gc packs the ref")
        let head = try #require(try GitRepository(containing: dir + "/repo")?.head())
        #expect(head.committerTime == 1_700_000_100)
        #expect(head.id == (try git(["rev-parse", "HEAD"])))
    }

    /// Every commit of a repack made with `useDeltaBaseOffset` on (OFS_DELTA) or off (REF_DELTA)
    /// reads back as `git cat-file` shows it; at least one of them is a delta of that kind.
    @Test(arguments: [(true, 6), (false, 7)])
    func deltifiedCommits(offsets: Bool, deltaType: Int) throws {
        for i in 0..<12 { try commit("version \(i)\n", at: 1_700_000_000 + i * 60) }
        try git(["-c", "repack.useDeltaBaseOffset=\(offsets)", "-c", "pack.useDeltaBaseOffset=\(offsets)",
                 "repack", "-a", "-d", "-f", "-q", "--window=50", "--depth=50"])
        try git(["prune-packed"])
        let ids = try git(["rev-list", "HEAD"]).split(separator: "\n").map(String.init)
        let store = GitRepository.ObjectStore(directory: dir + "/repo/.git/objects")
        let packs = try FileManager.default.contentsOfDirectory(atPath: dir + "/repo/.git/objects/pack").filter { $0.hasSuffix(".idx") }
        let first = try #require(packs.first)
        let base = dir + "/repo/.git/objects/pack/" + first.dropLast(4)
        let pack = try #require(try GitRepository.ObjectStore.PackFile(index: base + ".idx", pack: base + ".pack", hashSize: 20))
        var deltas = 0
        for id in ids {
            let object = try store.read(id)
            #expect(object.type == .commit)
            let shown = try git(["cat-file", "commit", id])
            let time = try git(["show", "-s", "--format=%ct", id])
            #expect(String(decoding: object.data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == shown)
            #expect(GitRepository.committerTime(object.data) == Int(time))
            let offset = try #require(pack.offset(of: GitRepository.ObjectStore.bytes(hex: id)))
            if Int(pack.pack[offset] >> 4) & 7 == deltaType { deltas += 1 }
        }
        #expect(deltas > 0, "the repack made no commit a delta of type \(deltaType): the test would prove nothing")
    }

    @Test func worktreeHasItsOwnHead() throws {
        try commit("main", at: 1_700_000_000)
        try git(["worktree", "add", "-q", "-b", "other", dir + "/wt"])
        try commit("other", at: 1_700_009_000, in: dir + "/wt")
        try git(["gc", "-q"])
        let worktree = try #require(GitRepository(containing: dir + "/wt"))
        #expect(worktree.gitDirectory.hasSuffix("/worktrees/wt"))
        #expect(try worktree.head()?.committerTime == 1_700_009_000)
        #expect(try GitRepository(containing: dir + "/repo")?.head()?.committerTime == 1_700_000_000)
    }

    @Test func datesFromTheCommitSourceDateEpochOrTheFixedEpoch() throws {
        let empty = ImageDate.resolve(root: dir + "/repo", environment: [:])
        #expect(empty == ImageDate(epoch: 1, source: .fixed("no commit yet")))
        try commit("one", at: 1_700_000_000)
        let dated = ImageDate.resolve(root: dir + "/repo", environment: [:])
        #expect(dated.epoch == 1_700_000_000)
        #expect(dated.summary.hasPrefix("image date 2023-11-14T22:13:20Z from commit "))
        #expect(ImageDate.resolve(root: dir + "/repo", environment: ["SOURCE_DATE_EPOCH": "42"]) == ImageDate(epoch: 42, source: .sourceDateEpoch))
        try FileManager.default.createDirectory(atPath: dir + "/plain", withIntermediateDirectories: true)
        let plain = ImageDate.resolve(root: dir + "/plain", environment: [:])
        #expect(plain == ImageDate(epoch: 1, source: .fixed("no git repository")))
        #expect(plain.summary.contains("the fixed epoch"))
    }

    @Test func deltaCopyAndInsert() throws {
        let base = Array("hello, world".utf8)
        // base size 12, result size 11; copy offset 7 size 5 ("world"), insert 6 bytes " again".
        let delta: [UInt8] = [12, 11, 0x80 | 0x01 | 0x10, 7, 5, 6] + Array(" again".utf8)
        #expect(try GitRepository.ObjectStore.PackFile.apply(delta: delta, to: base) == Array("world again".utf8))
        #expect(throws: GitError.self) { try GitRepository.ObjectStore.PackFile.apply(delta: [13, 1, 1, 0x41], to: base) }
    }
}
