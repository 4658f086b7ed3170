import Foundation
import SlipwayCore

/// How `slipway env` prints `NAME=value` pairs: for POSIX shells, bash and zsh
/// (`export NAME='value'`), for fish (`set -gx NAME 'value'`, `PATH` as a list), as a JSON object,
/// or as a dotenv file (double-quoted, `\`, `"`, `$` and newlines escaped).
public enum EnvironmentFormat: String, Sendable, CaseIterable {
    case bash, zsh, fish, json, dotenv

    /// The pairs in this format, one per line (JSON: one pretty-printed object). The shell
    /// formats end with `onEnter` (`[shell] on_enter`) run by `/bin/sh`, its output on stderr.
    public func render(_ pairs: [(String, String)], onEnter: String? = nil) -> String {
        switch self {
        case .bash, .zsh:
            let lines = pairs.map { "export \($0.0)=\(Self.shellQuote($0.1))\n" }.joined()
            return lines + (onEnter.map { "/bin/sh -c \(Self.shellQuote($0)) >&2\n" } ?? "")
        case .fish:
            let lines = pairs.map { name, value in
                let words = name == "PATH" ? value.split(separator: ":").map(String.init) : [value]
                return "set -gx \(name) " + words.map(Self.fishQuote).joined(separator: " ") + "\n"
            }.joined()
            return lines + (onEnter.map { "/bin/sh -c \(Self.fishQuote($0)) >&2\n" } ?? "")
        case .dotenv:
            return pairs.map { "\($0.0)=\(Self.dotenvQuote($0.1))\n" }.joined()
        case .json:
            var object: [String: String] = [:]
            for (name, value) in pairs { object[name] = value }
            return ((try? PrettyJSON.text(object)) ?? "{}") + "\n"
        }
    }

    /// POSIX single quoting: `'` becomes `'\''`.
    public static func shellQuote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// fish single quoting: `\` and `'` are escaped with `\`.
    public static func fishQuote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// Double-quoted dotenv value with `\`, `"`, `$` and newlines escaped.
    public static func dotenvQuote(_ value: String) -> String {
        var out = "\""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "$": out += "\\$"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out + "\""
    }
}
