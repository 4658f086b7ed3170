import Synchronization
import Testing
@testable import SlipwayProcess

#if canImport(Glibc)
import Glibc
#endif

/// The one signal handler, with real signals (SIGUSR1 and SIGUSR2, so the test run survives).
@Suite("Signal handling", .serialized)
struct InterruptHandlerTests {
    func waitFor(_ condition: () -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        while !condition() && clock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
    }

    func disposition(_ number: Int32) -> Int {
        let current = signal(number, SIG_IGN)
        signal(number, current)
        return unsafeBitCast(current, to: Int.self)
    }

    @Test("signals reach the action, counted, and do not end the process")
    func delivery() async throws {
        let seen = Mutex<[InterruptHandler.Delivery]>([])
        let handler = InterruptHandler(signals: [SIGUSR1, SIGUSR2]) { delivery in
            seen.withLock { $0.append(delivery) }
        }
        defer { handler.restore() }
        kill(getpid(), SIGUSR1)
        try await waitFor { seen.withLock { $0.count } == 1 }
        kill(getpid(), SIGUSR2)
        try await waitFor { seen.withLock { $0.count } == 2 }
        #expect(seen.withLock { $0 } == [.init(signal: SIGUSR1, count: 1), .init(signal: SIGUSR2, count: 2)])
    }

    @Test("nested handlers both hear a signal; the old disposition returns after the last restore")
    func nesting() async throws {
        signal(SIGUSR1, SIG_IGN)
        defer { signal(SIGUSR1, SIG_DFL) }
        let ignored = disposition(SIGUSR1)
        let outer = Atomic<Int>(0)
        let inner = Atomic<Int>(0)
        let first = InterruptHandler(signals: [SIGUSR1]) { _ in outer.add(1, ordering: .relaxed) }
        let second = InterruptHandler(signals: [SIGUSR1]) { _ in inner.add(1, ordering: .relaxed) }
        kill(getpid(), SIGUSR1)
        try await waitFor { outer.load(ordering: .relaxed) == 1 && inner.load(ordering: .relaxed) == 1 }
        #expect(outer.load(ordering: .relaxed) == 1)
        #expect(inner.load(ordering: .relaxed) == 1)
        second.restore()
        kill(getpid(), SIGUSR1)
        try await waitFor { outer.load(ordering: .relaxed) == 2 }
        #expect(outer.load(ordering: .relaxed) == 2)
        #expect(inner.load(ordering: .relaxed) == 1, "a restored handler was still called")
        first.restore()
        #expect(disposition(SIGUSR1) == ignored)
    }

    @Test("the flag a handler sets is seen by waiting code")
    func flag() {
        let flag = InterruptFlag()
        #expect(!flag.isSet)
        flag.set()
        #expect(flag.isSet)
    }
}
