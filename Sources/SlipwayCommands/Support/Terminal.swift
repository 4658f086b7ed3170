import SlipwayProcess
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output and error, without buffering surprises across `execve`.
public enum Terminal {
    static func write(_ text: String) {
        writeAll(STDOUT_FILENO, text)
    }

    /// Bytes as they are (a log file's own bytes, whatever their encoding).
    static func write(bytes: [UInt8]) {
        _ = try? FileDescriptor(rawValue: STDOUT_FILENO).writeAll(bytes)
    }

    static func writeError(_ text: String) {
        writeAll(STDERR_FILENO, text)
    }

    /// A status line on stderr (`slipway: ...`), dimmed on a terminal unless `NO_COLOR` is set.
    static func status(_ text: String) {
        if isatty(STDERR_FILENO) == 1 && getenv("NO_COLOR") == nil {
            writeError("\u{1B}[2mslipway: \(text)\u{1B}[0m\n")
        } else {
            writeError("slipway: \(text)\n")
        }
    }

    /// A closed stdout (`slipway run | head`) must not kill Slipway before it stops what it
    /// started: see ``BrokenPipes/survive()``.
    public static func survivesBrokenPipes() {
        BrokenPipes.survive()
    }

    static func exit(_ code: Int32) -> Never {
        Glibc.exit(code)
    }

    /// A closed or full output loses the text; Slipway goes on stopping what it started.
    private static func writeAll(_ fd: Int32, _ text: String) {
        _ = try? FileDescriptor(rawValue: fd).writeAll(Array(text.utf8))
    }
}
