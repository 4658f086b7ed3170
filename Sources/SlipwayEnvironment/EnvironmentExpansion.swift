/// Dotenv-style variable expansion for `[env]` values.
///
/// Supported forms: `$NAME`, `${NAME}`, `${NAME:-default}` (default when unset or empty) and
/// `\$` for a literal dollar. An unknown name expands to the empty string, as in POSIX sh.
/// A `$` not followed by a name is kept as it is.
public enum EnvironmentExpansion {
    /// Expands `value`, looking names up with `lookup`.
    public static func expand(_ value: String, lookup: (String) -> String?) -> String {
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
            if scalars[i + 1] == "{", let close = scalars[(i + 2)...].firstIndex(of: "}") {
                let inner = String(String.UnicodeScalarView(scalars[(i + 2)..<close]))
                if let split = inner.range(of: ":-") {
                    let name = String(inner[..<split.lowerBound])
                    let fallback = String(inner[split.upperBound...])
                    let found = lookup(name) ?? ""
                    result += found.isEmpty ? expand(fallback, lookup: lookup) : found
                } else {
                    result += lookup(inner) ?? ""
                }
                i = close + 1
                continue
            }
            if isNameStart(scalars[i + 1]) {
                var j = i + 1
                while j < scalars.count, isName(scalars[j]) { j += 1 }
                result += lookup(String(String.UnicodeScalarView(scalars[(i + 1)..<j]))) ?? ""
                i = j
                continue
            }
            result.unicodeScalars.append(c)
            i += 1
        }
        return result
    }
}
