/// The `env` table of a service or an image: names must be POSIX environment names, values are
/// strings, integers or booleans (kept as text, expanded later by the environment).
enum EnvTable {
    static func decode(_ node: TOMLNode, into diagnostics: inout [Diagnostic]) -> [EnvEntry] {
        guard let fields = node.entries else {
            diagnostics.append(.wrongType(node, expected: "a table"))
            return []
        }
        var entries: [EnvEntry] = []
        for (name, value) in fields {
            guard Identifiers.isEnvName(name) else {
                diagnostics.append(Diagnostic(
                    .invalidValue(key: value.dottedPath, reason: "'\(name)' is not a valid environment variable name"), at: value.keyLocation))
                continue
            }
            switch value.value {
            case .string(let s): entries.append(EnvEntry(name: name, value: s, location: value.keyLocation))
            case .integer(let i): entries.append(EnvEntry(name: name, value: String(i), location: value.keyLocation))
            case .float(let d): entries.append(EnvEntry(name: name, value: String(d), location: value.keyLocation))
            case .bool(let b): entries.append(EnvEntry(name: name, value: b ? "true" : "false", location: value.keyLocation))
            default: diagnostics.append(.wrongType(value, expected: "a string, number or boolean"))
            }
        }
        return entries
    }
}

extension Diagnostic {
    /// `'KEY' must be EXPECTED, found a/an TYPE`, at the value.
    static func wrongType(_ node: TOMLNode, expected: String) -> Diagnostic {
        let found = node.typeName
        let article = "aeiou".contains(found.first ?? "x") ? "an" : "a"
        return Diagnostic(.wrongType(key: node.dottedPath, expected: expected, found: "\(article) \(found)"), at: node.valueLocation)
    }
}
