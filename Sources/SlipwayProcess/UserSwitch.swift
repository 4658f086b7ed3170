#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a service command as another account: `slipway __as-user UID GID -- PROGRAM ARGS...`.
///
/// swift-subprocess can change the uid itself, but on Linux it starts children with a raw
/// `clone3`, after which glibc's `setuid` (which must reach every thread of the process) can
/// wait forever for threads that exist only in the parent. A fresh `slipway` process switches
/// accounts instead: it is entered before Slipway starts any thread, drops supplementary
/// groups, sets the gid, then the uid, and `execv`s the program.
public enum UserSwitch {
    /// The hidden subcommand's name.
    public static let command = "__as-user"

    /// Handles `argv` if it is an `__as-user` call; returns only if it is not.
    public static func runIfRequested(_ arguments: [String]) {
        guard arguments.count > 1, arguments[1] == command else { return }
        guard arguments.count >= 6, let uid = uid_t(arguments[2]), let gid = gid_t(arguments[3]), arguments[4] == "--"
        else {
            say("slipway \(command): usage: UID GID -- PROGRAM [ARGS...]\n")
            exit(2)
        }
        var groups = [gid]
        if setgroups(1, &groups) != 0 || setgid(gid) != 0 || setuid(uid) != 0 {
            say("slipway: cannot switch to uid \(uid), gid \(gid): \(String(cString: strerror(errno)))\n")
            exit(126)
        }
        let program = Array(arguments[5...])
        let argv = program.map { strdup($0) } + [nil]
        execv(program[0], argv)
        say("slipway: cannot run \(program[0]): \(String(cString: strerror(errno)))\n")
        exit(127)
    }

    private static func say(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
