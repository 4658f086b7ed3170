import SlipwayCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces the Slipway process with a command (`execve`), so the command's exit status and
/// signals are its own: no Slipway process stays in between.
public enum ProcessLauncher {
    /// Why `exec` failed; exit status 127 (not found) or 126, as POSIX shells use.
    public enum LaunchError: SlipwayError {
        case notFound(String)
        case failed(String, String)

        public var message: String {
            switch self {
            case .notFound(let name): "command not found: \(name)"
            case .failed(let name, let reason): "cannot run \(name): \(reason)"
            }
        }

        public var hint: String? {
            if case .notFound = self { return "add the package that provides it to [packages] in slipway.toml" }
            return nil
        }

        /// 127 and 126, as POSIX shells use.
        public var exitCode: Int32 {
            if case .notFound = self { return 127 }
            return 126
        }
    }

    /// The current process environment as a dictionary.
    public static func currentEnvironment() -> [String: String] {
        var env: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") {
                env[String(text[..<eq])] = String(text[text.index(after: eq)...])
            }
            pointer += 1
        }
        return env
    }

    /// Finds `name` on the `PATH` of `environment` (names with a `/` are used as they are).
    public static func resolve(_ name: String, environment: [String: String]) -> String? {
        if name.contains("/") { return name }
        return ExecutableSearch.find(name, path: environment["PATH"] ?? "")
    }

    /// The Swift runtime blocks most signals on its threads, and a blocked mask or an ignored
    /// disposition survives `execve`: without this, `kill -TERM` would not reach the command.
    public static func resetSignals() {
        var empty = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, nil)
        for signal in Int32(1)..<Int32(32) where signal != SIGKILL && signal != SIGSTOP {
            Glibc.signal(signal, SIG_DFL)
        }
    }

    /// Executes `arguments[0]` with `arguments` and `environment`. Returns only on failure.
    /// - Throws: ``LaunchError``.
    public static func exec(_ arguments: [String], environment: [String: String]) throws -> Never {
        guard let name = arguments.first, let path = resolve(name, environment: environment) else {
            throw LaunchError.notFound(arguments.first ?? "")
        }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        resetSignals()
        execve(path, argv, envp)
        let reason = String(cString: strerror(errno))
        throw errno == ENOENT ? LaunchError.notFound(name) : LaunchError.failed(name, reason)
    }
}
