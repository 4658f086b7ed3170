#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SlipwayProcess

/// A task's `run` that needs no shell: one simple command of plain words, started with
/// `execve` directly instead of through `/bin/sh -c`, as GNU make does for a recipe line without
/// shell special characters (job.c, `construct_command_argv_internal`). The shell would only
/// split the words and `exec` the program, so the result is the same, without starting `sh`.
///
/// Plain means: words of letters, digits and `_ . / : , + = @ % ^ -`, separated by spaces or
/// tabs; no quoting, expansion, globbing, redirection, operators, comments or newlines; the
/// first word is not an assignment (`NAME=value`), a reserved word or a builtin whose behaviour
/// differs from a program of the same name (`cd`, `echo`, `exit`, ...), and names a program on
/// the task's `PATH` (or a path) that is an ELF file or starts with `#!`. Anything else,
/// including a program that is not found, goes to `sh`, which reports it as usual.
enum SimpleCommand {
    /// The shell's reserved words and the builtins of dash and POSIX that `sh` must run itself
    /// (make's list, plus `echo` and `printf`, whose options differ from coreutils').
    static let shellWords: Set<String> = [
        "!", "{", "}", "case", "do", "done", "elif", "else", "esac", "fi", "for", "function", "if", "in", "then",
        "until", "while", "select", "time", ".", ":", "[", "alias", "bg", "break", "cd", "command", "continue",
        "echo", "eval", "exec", "exit", "export", "fc", "fg", "getopts", "hash", "jobs", "kill", "local", "printf",
        "pwd", "read", "readonly", "return", "set", "shift", "source", "test", "times", "trap", "type", "ulimit",
        "umask", "unalias", "unset", "wait",
    ]

    /// The argv to `execve` for `command`: the program's path, then the other words; `nil` when
    /// the command needs the shell. `path` is the task's `PATH`, `cwd` its working folder.
    static func argv(_ command: String, path: String, cwd: String) -> [String]? {
        guard let words = words(command), let first = words.first,
              !first.contains("="), !shellWords.contains(first) else { return nil }
        let program: String
        if first.contains("/") {
            program = first.hasPrefix("/") ? first : cwd + "/" + first
            guard access(program, X_OK) == 0 else { return nil }
        } else {
            guard let found = ExecutableSearch.find(first, path: path) else { return nil }
            program = found
        }
        guard isExecutableFormat(program) else { return nil }
        return [program] + words.dropFirst()
    }

    /// The words of `command` when it is only plain words (see the type's comment), else `nil`.
    static func words(_ command: String) -> [String]? {
        var words: [String] = []
        var current: [UInt8] = []
        for byte in command.utf8 {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
                current.removeAll(keepingCapacity: true)
            } else if isPlain(byte) {
                current.append(byte)
            } else {
                return nil
            }
        }
        if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
        return words.isEmpty ? nil : words
    }

    private static func isPlain(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "_./:,+=@%^-".utf8.contains(byte)
        }
    }

    /// Whether `execve` can start the file itself: an ELF binary or a `#!` script (a file without
    /// either is a shell script only `sh` runs, as `execvp` falls back to).
    private static func isExecutableFormat(_ file: String) -> Bool {
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 4)
        let count = read(fd, &head, 4)
        return (count >= 2 && head[0] == UInt8(ascii: "#") && head[1] == UInt8(ascii: "!"))
            || (count == 4 && head == [0x7f, UInt8(ascii: "E"), UInt8(ascii: "L"), UInt8(ascii: "F")])
    }
}
