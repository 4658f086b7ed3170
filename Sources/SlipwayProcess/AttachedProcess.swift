import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A program attached to the caller's terminal, as a shell runs a foreground job: standard
/// input, output and error inherited (no pipes, no prefixes), in a process group of its own that
/// becomes the terminal's foreground group while it runs. So `pytest --pdb`, `psql` or
/// `docker run -ti` read the keyboard, Ctrl-C reaches the program (not Slipway), and what it
/// leaves in its group can still be stopped as a group.
///
/// Ctrl-Z stops the program and then Slipway's own job, so the shell sees a stopped job;
/// `fg` gives the terminal back to the program and continues it.
public enum AttachedProcess {
    /// Runs `arguments` (`arguments[0]` an absolute path) in `cwd`; returns when it has exited.
    /// - Parameter started: told the group id (the program's pid) once it exists.
    /// - Throws: ``ProcessError/spawnFailed(_:_:)`` (a missing `cwd` included).
    public static func run(
        _ arguments: [String], environment: [String: String], cwd: String, started: @Sendable (pid_t) -> Void
    ) async throws(ProcessError) -> (pid: pid_t, termination: GroupProcess.Termination) {
        let pid = try spawn(arguments, environment: environment, cwd: cwd)
        started(pid)
        let termination = await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: JobWait(pid: pid).wait()) }
            thread.start()
        }
        return (pid, termination)
    }

    /// posix_spawn with `setpgid(0, 0)`, default signal dispositions and an empty mask, and
    /// descriptors 0-2 only (the caller's).
    static func spawn(_ arguments: [String], environment: [String: String], cwd: String) throws(ProcessError) -> pid_t {
        try Spawn.start(
            arguments, descriptors: [.inherit, .inherit, .inherit], environment: environment, cwd: cwd,
            flags: Int32(POSIX_SPAWN_SETPGROUP))
    }
}

/// Waits for an attached program on a thread of its own, handing the terminal over and back
/// (with SIGTTOU blocked in this thread, so a background Slipway may take it back).
struct JobWait {
    let pid: pid_t
    /// The terminal (standard input), when it is one.
    let terminal: Int32?

    init(pid: pid_t) {
        self.pid = pid
        terminal = isatty(STDIN_FILENO) == 1 ? STDIN_FILENO : nil
    }

    /// Whether Slipway's job (or the program) is the terminal's foreground job: only then is
    /// the terminal handed over (a background Slipway must not take it from the shell).
    private var foreground: Bool {
        guard let terminal else { return false }
        let owner = tcgetpgrp(terminal)
        return owner == getpgrp() || owner == pid
    }

    func wait() -> GroupProcess.Termination {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTTOU)
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
        if foreground { hand(to: pid) }
        defer { if let terminal, tcgetpgrp(terminal) == pid { hand(to: getpgrp()) } }
        var status: Int32 = 0
        while true {
            guard waitpid(pid, &status, terminal == nil ? 0 : WUNTRACED) >= 0 else {
                if errno == EINTR { continue }
                return .exited(127)
            }
            if status & 0xff == 0x7f {
                resume(afterStopBy: (status >> 8) & 0xff)
                continue
            }
            return ProcessReactor.termination(status)
        }
    }

    /// Makes `group` the terminal's foreground group, then continues the program (it may have
    /// been stopped by SIGTTIN reading the terminal before it was handed over).
    private func hand(to group: pid_t) {
        guard let terminal else { return }
        tcsetpgrp(terminal, group)
        if group == pid { killpg(pid, SIGCONT) }
    }

    /// The program stopped: a read before the handover is continued; a Ctrl-Z, or a read while
    /// Slipway runs in the background, stops Slipway's job too (as the shell expects of a job),
    /// and continuing Slipway continues the program, with the terminal when in the foreground.
    private func resume(afterStopBy signal: Int32) {
        guard let terminal else { return }
        let owner = tcgetpgrp(terminal)
        if (signal == SIGTTIN || signal == SIGTTOU) && owner == getpgrp() {
            hand(to: pid)
            return
        }
        if owner == pid { hand(to: getpgrp()) }
        kill(0, SIGSTOP)
        if tcgetpgrp(terminal) == getpgrp() { hand(to: pid) } else { killpg(pid, SIGCONT) }
    }
}
