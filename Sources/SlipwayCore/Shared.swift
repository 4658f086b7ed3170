import Synchronization

/// A value shared by reference between tasks and threads, behind a standard-library `Mutex`.
///
/// For state that escaping closures capture (a `Mutex` itself cannot be captured: it is not
/// copyable); state with behaviour of its own belongs in an actor.
public final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: Value) {
        mutex = Mutex(value)
    }

    /// Runs `body` with the value locked.
    public func withLock<Result: Sendable>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try mutex.withLock { try body(&$0) }
    }

    /// A copy of the value.
    public var value: Value { mutex.withLock { $0 } }
}
