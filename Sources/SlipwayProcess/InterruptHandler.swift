import Foundation
import Synchronization
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Routes signals (SIGINT, SIGTERM, SIGHUP, ...) to actions instead of ending the process,
/// until ``restore()``. The one signal handler of Slipway: the supervisor's shutdown, a task
/// run's Ctrl-C and `slipway ci`'s interrupt all go through it.
///
/// Handlers nest (`ci` around a task run): every live handler of a signal is called, and the
/// last one's ``restore()`` puts the signal's old disposition back. The `sigaction` handler
/// only writes the signal number to a pipe (async-signal-safe); a thread reads the pipe and
/// calls the actions. (libdispatch signal sources, used before, lose signals that reach a
/// thread which does not block them; swift-service-lifecycle's `UnixSignalsSequence` is built
/// on them and restores no disposition.)
public final class InterruptHandler: Sendable {
    /// One signal as a handler sees it.
    public struct Delivery: Sendable, Equatable {
        /// The signal number (`SIGINT`...).
        public let signal: Int32
        /// How many of this handler's signals arrived since it was installed, this one included.
        public let count: Int
    }

    private struct Registration {
        var signals: Set<Int32>
        var notice: String?
        var count = 0
        var action: @Sendable (Delivery) -> Void
    }

    private struct Shared {
        var handlers: [ObjectIdentifier: Registration] = [:]
        /// Dispositions to restore, for signals some live handler routes.
        var previous: [Int32: sigaction] = [:]
    }

    private static let shared = Mutex(Shared())

    /// What a task run prints on Ctrl-C (once per signal, however many handlers are live).
    public static let taskRunNotice = "\nslipway: interrupted; stopping what this run started\n"

    /// Calls `action` for every `signals` delivery, until ``restore()``.
    /// - Parameter notice: written to standard error once per signal (shared by nested handlers).
    public init(
        signals: [Int32] = [SIGINT, SIGTERM], notice: String? = nil, _ action: @escaping @Sendable (Delivery) -> Void
    ) {
        let id = ObjectIdentifier(self)
        let writeEnd = SignalPipe.shared.writeEnd
        Self.shared.withLock { shared in
            shared.handlers[id] = Registration(signals: Set(signals), notice: notice, action: action)
            for number in signals where shared.previous[number] == nil && writeEnd >= 0 {
                var routed = sigaction()
                routed.__sigaction_handler.sa_handler = { number in
                    var byte = UInt8(truncatingIfNeeded: number)
                    _ = write(SignalPipe.shared.writeEnd, &byte, 1)
                }
                sigemptyset(&routed.sa_mask)
                routed.sa_flags = SA_RESTART
                var previous = sigaction()
                sigaction(number, &routed, &previous)
                shared.previous[number] = previous
            }
        }
    }

    /// SIGINT and SIGTERM call `action`; ``taskRunNotice`` is printed.
    public convenience init(_ action: @escaping @Sendable () -> Void) {
        self.init(notice: Self.taskRunNotice) { _ in action() }
    }

    /// Stops calling this handler's action; the last handler of a signal restores its old
    /// disposition.
    public func restore() {
        let id = ObjectIdentifier(self)
        Self.shared.withLock { shared in
            shared.handlers[id] = nil
            let wanted = shared.handlers.values.reduce(into: Set<Int32>()) { $0.formUnion($1.signals) }
            for (number, previous) in shared.previous where !wanted.contains(number) {
                shared.previous[number] = nil
                var old = previous
                sigaction(number, &old, nil)
            }
        }
    }

    fileprivate static func deliver(_ number: Int32) {
        let (notices, calls) = shared.withLock { shared in
            var notices: [String] = []
            var calls: [(@Sendable (Delivery) -> Void, Delivery)] = []
            for id in shared.handlers.keys {
                guard var registration = shared.handlers[id], registration.signals.contains(number) else { continue }
                registration.count += 1
                shared.handlers[id] = registration
                if let notice = registration.notice, !notices.contains(notice) { notices.append(notice) }
                calls.append((registration.action, Delivery(signal: number, count: registration.count)))
            }
            return (notices, calls)
        }
        for notice in notices { _ = try? FileDescriptor.standardError.writeAll(Array(notice.utf8)) }
        for (action, delivery) in calls { action(delivery) }
    }
}

/// A flag set from a signal handler and read by waiting loops.
public final class InterruptFlag: Sendable {
    private let value = Atomic<Bool>(false)

    public init() {}

    public func set() { value.store(true, ordering: .relaxed) }

    public var isSet: Bool { value.load(ordering: .relaxed) }
}

/// The pipe signal handlers write to, and the thread that reads it.
private final class SignalPipe: Sendable {
    static let shared = SignalPipe()

    /// -1 when no pipe could be made (signals then keep their dispositions).
    let writeEnd: Int32

    private init() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            writeEnd = -1
            return
        }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        // A full pipe drops the signal instead of blocking the interrupted thread.
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        writeEnd = fds[1]
        let readEnd = fds[0]
        let reader = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n == 1 {
                    InterruptHandler.deliver(Int32(byte))
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
        reader.name = "slipway.signals"
        reader.start()
    }
}
