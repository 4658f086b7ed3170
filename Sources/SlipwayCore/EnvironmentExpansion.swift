/// Dotenv-style variable expansion for `[env]` values.
///
/// Supported forms: `$NAME`, `${NAME}`, `${NAME:-default}` (default when unset or empty),
/// `${NAME-default}` (default when unset); defaults may themselves hold `${...}`. `\$` is a
/// literal dollar. An unknown name expands to the empty string, as in POSIX sh. A `$` not
/// followed by a name, and `${...}` forms not listed here, are kept as written.
public enum EnvironmentExpansion {
    /// The index of the `}` closing a `${` whose contents start at `start` (nested `${...}` counted).
    static func matchingBrace(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        var depth = 1
        var i = start
        while i < scalars.count {
            if scalars[i] == "$", i + 1 < scalars.count, scalars[i + 1] == "{" {
                depth += 1
                i += 2
                continue
            }
            if scalars[i] == "}" {
                depth -= 1
                if depth == 0 { return i }
            }
            i += 1
        }
        return nil
    }

    /// Expands `value`, looking names up with `lookup`.
    public static func expand(_ value: String, lookup: (String) -> String?) -> String {
        // Most values name nothing: returned as they are, without the scalar copy below.
        guard value.utf8.contains(UInt8(ascii: "$")) else { return value }
        var result = ""
        let scalars = Array(value.unicodeScalars)
        var i = 0
        func isNameStart(_ c: Unicode.Scalar) -> Bool { c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
        func isName(_ c: Unicode.Scalar) -> Bool { isNameStart(c) || ("0"..."9").contains(c) }
        while i < scalars.count {
            let c = scalars[i]
            if c == "\\", i + 1 < scalars.count, scalars[i + 1] == "$" {
                result.unicodeScalars.append("$")
                i += 2
                continue
            }
            guard c == "$", i + 1 < scalars.count else {
                result.unicodeScalars.append(c)
                i += 1
                continue
            }
            if scalars[i + 1] == "{", let close = matchingBrace(scalars, from: i + 2) {
                let inner = text(scalars[(i + 2)..<close])
                let nameEnd = inner.unicodeScalars.firstIndex { !isName($0) } ?? inner.unicodeScalars.endIndex
                let name = String(inner.unicodeScalars[..<nameEnd])
                let rest = String(inner.unicodeScalars[nameEnd...])
                if name.isEmpty || !isNameStart(name.unicodeScalars.first!) {
                    result += text(scalars[i...close])  // not a form we know: kept
                } else if rest.isEmpty {
                    result += lookup(name) ?? ""
                } else if rest.hasPrefix(":-") {
                    let found = lookup(name) ?? ""
                    result += found.isEmpty ? expand(String(rest.dropFirst(2)), lookup: lookup) : found
                } else if rest.hasPrefix("-") {
                    result += lookup(name) ?? expand(String(rest.dropFirst()), lookup: lookup)
                } else {
                    result += text(scalars[i...close])  // e.g. ${A:=x}: kept as written
                }
                i = close + 1
                continue
            }
            if isNameStart(scalars[i + 1]) {
                var j = i + 1
                while j < scalars.count, isName(scalars[j]) { j += 1 }
                result += lookup(text(scalars[(i + 1)..<j])) ?? ""
                i = j
                continue
            }
            result.unicodeScalars.append(c)
            i += 1
        }
        return result
    }

    /// `scalars` as a string, appended one by one (the generic `UnicodeScalarView(_:)` costs a
    /// run-time conformance lookup on the first call, on every warm `exec`).
    private static func text(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var text = ""
        for scalar in scalars { text.unicodeScalars.append(scalar) }
        return text
    }
}
