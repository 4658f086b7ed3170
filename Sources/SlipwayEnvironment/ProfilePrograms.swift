import Foundation
import SlipwayCore
import SlipwayManifest
import SlipwayProcess

/// Services and tasks whose program does not come from the profile's packages. In a pure
/// profile that is an error before anything starts (the image would not have it either); in an
/// impure one, a program found elsewhere on `PATH` is a warning (a CI machine may not have it).
///
/// Never reported: a program found in the Nix store or the profile's folders, one found inside
/// the project (`tooling/bin` put on `PATH` by `[env]`: every checkout has it), and, in an impure
/// profile, the POSIX basics coreutils, findutils, grep, sed and busybox provide (``basics``:
/// every machine has `ln` and `find`).
public enum ProfilePrograms {
    /// What runs a script: a service's `command`, a task's `run`.
    public struct Script: Sendable {
        public var kind: String
        public var name: String
        public var text: String

        public init(kind: String, name: String, text: String) {
            self.kind = kind
            self.name = name
            self.text = text
        }

        /// Each service's `command`.
        public static func services(_ specs: [ServiceSpec]) -> [Script] {
            specs.map { Script(kind: "service", name: $0.name, text: $0.command) }
        }
    }

    /// A program from outside the profile: where it was found on the caller's `PATH`, if anywhere.
    public struct Finding: Sendable, Hashable {
        public var kind: String
        public var name: String
        public var program: String
        public var hostPath: String?

        var warning: String {
            "warning: \(kind) '\(name)' runs `\(program)` from this machine (\(hostPath ?? "?")), not from the "
                + "profile's packages; a CI machine may not have it: add it to [packages]"
        }

        var problem: String {
            let host = hostPath.map { "; this machine has it at \($0)" } ?? ""
            return "\(kind) '\(name)' runs `\(program)`, which the profile does not provide\(host)"
        }
    }

    /// Error: a pure profile's services or tasks need programs it does not have.
    public struct OutsideProfile: SlipwayError {
        public var profile: String
        public var findings: [Finding]

        public var message: String {
            "profile '\(profile)' is pure, and nothing was started:\n"
                + findings.map { "  " + $0.problem }.joined(separator: "\n")
        }

        public var hint: String? {
            "add the packages to [packages] (or [profiles.\(profile).packages]), or run with --impure"
        }
    }

    /// Warnings for an impure profile; throws ``OutsideProfile`` for a pure one.
    /// - Parameters:
    ///   - environment: the environment the scripts run in (``ProcessEnvironment/make(_:inherited:)``).
    ///   - callerPath: the caller's own `PATH`, to say where the host has a program.
    public static func check(
        _ scripts: [Script], environment: [String: String], cached: CachedEnvironment, callerPath: String
    ) throws(OutsideProfile) -> [String] {
        let path = environment["PATH"] ?? ""
        var findings: [Finding] = []
        for script in scripts {
            guard let program = firstProgram(script.text) else { continue }
            let found = ExecutableSearch.find(program, path: path)
            let inProfile = { (path: String) in cached.binPaths.contains { path.hasPrefix($0 + "/") } }
            if let found, found.hasPrefix("/nix/store/") || inProfile(found) || found.hasPrefix(cached.root + "/") {
                continue
            }
            if !cached.pure && (found == nil || basics.contains(program)) { continue }
            let host = found ?? ExecutableSearch.find(program, path: callerPath)
            findings.append(Finding(kind: script.kind, name: script.name, program: program, hostPath: host))
        }
        if cached.pure && !findings.isEmpty { throw OutsideProfile(profile: cached.profile, findings: findings) }
        return findings.map(\.warning)
    }

    /// POSIX utilities and the coreutils, findutils, diffutils, grep and sed programs a shell
    /// script takes for granted (busybox has them all).
    public static let basics: Set<String> = [
        "awk", "basename", "cat", "chgrp", "chmod", "chown", "cksum", "cmp", "comm", "cp", "cut", "date", "dd", "df",
        "diff", "dirname", "du", "egrep", "expand", "expr", "fgrep", "find", "fold", "grep", "head", "hostname", "id",
        "install", "join", "kill", "ln", "logname", "ls", "md5sum", "mkdir", "mkfifo", "mktemp", "mv", "nice", "nohup",
        "nproc", "od", "paste", "patch", "pwd", "readlink", "realpath", "rm", "rmdir", "sed", "seq", "sha1sum",
        "sha256sum", "sleep", "sort", "split", "stat", "tail", "tee", "timeout", "touch", "tr", "tsort", "tty",
        "uname", "unexpand", "uniq", "wc", "which", "whoami", "xargs", "yes",
    ]

    /// Shell words that are not programs.
    static let shellWords: Set<String> = [
        "if", "then", "else", "fi", "for", "while", "do", "done", "case", "esac", "set", "cd", "echo", "printf", "test",
        "[", "exit", "true", "false", "export", "exec", "eval", ":", ".", "source", "{", "}", "!", "read", "shift",
        "unset", "trap", "wait", "sh", "bash", "env", "command", "local", "return",
    ]

    /// The first word of the first command line (after an `exec`), when it names a program
    /// looked up on PATH.
    public static func firstProgram(_ script: String) -> String? {
        let line =
            script.split(separator: "\n").map(\.trimmingBlanks)
            .first { !$0.isEmpty && !$0.hasPrefix("#") && !$0.hasPrefix("set ") } ?? ""
        var words = line.split(whereSeparator: { $0 == " " || $0 == ";" || $0 == "|" || $0 == "&" }).map(String.init)
        if words.first == "exec" { words.removeFirst() }
        guard let word = words.first, !word.contains("/"), !word.contains("="), !word.contains("$"),
              !shellWords.contains(word)
        else { return nil }
        return word
    }
}
