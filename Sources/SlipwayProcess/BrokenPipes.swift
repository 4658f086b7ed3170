#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGPIPE made harmless: a write to a closed pipe or socket (a dead guardian, `slipway run |
/// head`) fails with EPIPE instead of killing Slipway before it stops what it started.
public enum BrokenPipes {
    /// A no-op handler rather than SIG_IGN: an ignored disposition survives `execve`, so every
    /// program started from here would inherit it; a handled one goes back to the default.
    public static func survive() {
        signal(SIGPIPE) { _ in }
    }
}
