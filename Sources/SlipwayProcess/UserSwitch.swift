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
///
/// The standard streams that are pipes (the supervisor's log pipes) are handed to the account
/// first (see ``handOverStandardStreams(uid:gid:)``), so the program can open them again by
/// name, as `/proc/self/fd/2` or `/dev/stderr`.
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
        handOverStandardStreams(uid: uid, gid: gid)
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

    /// `fchown`s standard input, output and error to `uid`:`gid` when they are pipes.
    ///
    /// A pipe's inode belongs to the account that made it (the supervisor, root) with mode 0600,
    /// so a program that reopens its stream by name (`error_log = /proc/self/fd/2` in php-fpm,
    /// `> /dev/stderr` in a script) gets EACCES once it runs as another account, although it can
    /// write to the descriptor it inherited. runc's `fixStdioPermissions` does the same for a
    /// container's user. Pipes, not a socketpair: opening `/proc/self/fd/N` of a socket fails
    /// with ENXIO whoever owns it; nor a pty, which would change the program's buffering and
    /// line endings. Other kinds (`/dev/null`, a terminal) are left alone: they are not ours to
    /// give away. A failed `fchown` leaves the inherited descriptor usable, so it is not fatal.
    static func handOverStandardStreams(uid: uid_t, gid: gid_t) {
        for descriptor: Int32 in 0...2 {
            var info = stat()
            guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFIFO else { continue }
            _ = fchown(descriptor, uid, gid)
        }
    }

    private static func say(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
