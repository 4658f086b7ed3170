import Foundation
import SlipwayCore

/// How `slipway env` prints `NAME=value` pairs: for POSIX shells (`export NAME='value'`), as a
/// JSON object, or as a dotenv file (double-quoted, `\`, `"`, `$` and newlines escaped).
public enum EnvironmentFormat: String, Sendable, CaseIterable {
    case bash, json, dotenv

    /// The pairs in this format, one per line (JSON: one pretty-printed object).
    public func render(_ pairs: [(String, String)]) -> String {
        switch self {
        case .bash:
            return pairs.map { "export \($0.0)=\(Self.shellQuote($0.1))\n" }.joined()
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
