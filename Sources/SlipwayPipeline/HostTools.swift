import Foundation
import SlipwayManifest
import SlipwayProcess

/// Tasks whose first program comes from this machine instead of the profile: it works here and
/// fails on a CI machine that does not have it.
enum HostTools {
    /// Shell words that are not programs.
    static let shellWords: Set<String> = [
        "if", "then", "else", "fi", "for", "while", "do", "done", "case", "esac", "set", "cd", "echo", "printf", "test",
        "[", "exit", "true", "false", "export", "exec", "eval", ":", ".", "source", "{", "}", "!", "read", "shift",
        "unset", "trap", "wait", "sh", "bash", "env", "command", "local", "return",
    ]

    /// One warning per such task.
    static func warnings(_ plan: TaskPlan, environment: [String: String]) -> [String] {
        plan.tasks.compactMap { task in
            guard let word = firstProgram(task.run),
                let path = ExecutableSearch.find(word, path: environment["PATH"] ?? ""),
                !path.hasPrefix("/nix/store/")
            else { return nil }
            return "warning: task '\(task.name)' runs `\(word)` from this machine (\(path)), not from the profile's "
                + "packages; a CI machine may not have it: add it to [packages]"
        }
    }

    /// The first word of the first command line, when it names a program looked up on PATH.
    static func firstProgram(_ script: String) -> String? {
        let line =
            script.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty && !$0.hasPrefix("#") && !$0.hasPrefix("set ") } ?? ""
        guard
            let word = line.split(whereSeparator: { $0 == " " || $0 == ";" || $0 == "|" || $0 == "&" }).first
                .map(String.init), !word.contains("/"), !word.contains("="), !word.contains("$"),
            !shellWords.contains(word)
        else { return nil }
        return word
    }
}
