import Foundation
import Synchronization
import Testing
@testable import SlipwayProcess

/// Stopping real process groups: the signal, the wait, SIGKILL for what ignores it.
@Suite("Process groups")
struct ProcessGroupTests {
    /// Starts `script` under `sh -c` in a new session and waits until it has written `marker`.
    func start(_ script: String) async throws -> (ProcessGroup, String) {
        let marker = NSTemporaryDirectory() + "slipway-group-\(UUID().uuidString)"
        let pid = try Spawn.detached(
            ["/bin/sh", "-c", script.replacingOccurrences(of: "MARKER", with: marker)],
            stdin: -1, stdout: -1, stderr: -1, environment: nil)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while !FileManager.default.fileExists(atPath: marker) {
            #expect(clock.now < deadline, "the test process never wrote its marker")
            if clock.now >= deadline { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        try? FileManager.default.removeItem(atPath: marker)
        return (ProcessGroup(id: pid), marker)
    }

    func reap(_ group: ProcessGroup) {
        var status: Int32 = 0
        _ = waitpid(group.id, &status, 0)
    }

    @Test("a group that ignores SIGTERM gets SIGKILL after the grace period")
    func termIgnoredThenKilled() async throws {
        let (group, _) = try await start("trap '' TERM; sleep 30 & : > MARKER; wait; sleep 30")
        #expect(group.isAlive)
        let clock = ContinuousClock()
        let begin = clock.now
        let killed = Mutex(false)
        let gone = await group.stop(signal: SIGTERM, grace: .milliseconds(300)) { killed.withLock { $0 = true } }
        #expect(gone)
        #expect(killed.withLock { $0 }, "SIGKILL was never needed: the group did not ignore SIGTERM")
        #expect(clock.now - begin >= .milliseconds(300))
        #expect(!group.isAlive)
        reap(group)
    }

    @Test("a group that honours SIGTERM stops without SIGKILL, children included")
    func termHonoured() async throws {
        let (group, _) = try await start("sleep 30 & : > MARKER; wait")
        let killed = Mutex(false)
        let gone = await group.stop(signal: SIGTERM, grace: .seconds(10)) { killed.withLock { $0 = true } }
        #expect(gone)
        #expect(!killed.withLock { $0 })
        #expect(!group.isAlive)
        reap(group)
    }

    @Test("stopping a group that is already gone returns at once")
    func alreadyGone() async throws {
        let (group, _) = try await start(": > MARKER")
        reap(group)
        #expect(!group.isAlive)
        #expect(await group.stop(grace: .seconds(10)) { Issue.record("SIGKILL for a group that is gone") })
    }
}
