import SlipwayCore

/// Decodes the profile-wide settings (``ProfileSettings``) of the top level and of
/// `[profiles.NAME]`, recording a ``Diagnostic`` for every problem.
struct SettingsDecoder {
    private(set) var diagnostics: [Diagnostic] = []

    /// Decodes `key` into `settings` when it is a setting; `false` when it is not one.
    mutating func decode(
        _ key: String, _ node: TOMLNode, into settings: inout ProfileSettings, inProfile: Bool
    ) -> Bool {
        switch key {
        case "pure" where inProfile:
            if let flag = node.bool {
                settings.pure = flag
            } else {
                diagnostics.append(.wrongType(node, expected: "a boolean"))
            }
        case "keep_env" where inProfile:
            settings.keepEnv = strings(node, check: Self.keepEnvProblem)
        case "services" where inProfile && node.entries == nil:
            settings.servicesLocation = node.valueLocation
            if node.bool == false {
                settings.services = ServiceSelection.none
            } else if node.elements != nil {
                settings.services = .only(strings(node, check: { _ in nil }) ?? [])
            } else {
                diagnostics.append(.wrongType(node, expected: "false, a list of service names or a table of services"))
            }
        case "env_files" where !inProfile:
            settings.envFiles = files(node)
        case "before_up":
            settings.beforeUp = strings(node, check: { _ in nil })
            settings.beforeUpLocation = node.valueLocation
        case "shell":
            for (field, value) in node.entries ?? [] {
                guard field == "on_enter" else {
                    let suggestion = Spelling.closest(to: field, in: ManifestSchema.shell)
                    let kind = Diagnostic.Kind.unknownKey(
                        key: field, table: node.dottedPath, suggestion: suggestion, allowed: ManifestSchema.shell)
                    diagnostics.append(Diagnostic(kind, at: value.keyLocation))
                    continue
                }
                if let script = value.string { settings.onEnter = script } else {
                    diagnostics.append(.wrongType(value, expected: "a string (a POSIX sh script)"))
                }
            }
            if node.entries == nil { diagnostics.append(.wrongType(node, expected: "a table")) }
        default:
            return false
        }
        return true
    }

    /// `[".env", ".env.local"]`: relative paths inside the project.
    mutating func files(_ node: TOMLNode) -> [String]? {
        strings(node) { name in
            if name.isEmpty { return "a dotenv file name is empty" }
            if name.hasPrefix("/") { return "'\(name)' must be relative to the project folder" }
            return nil
        }
    }

    /// A list of strings, each checked by `check` (a reason, or `nil` when fine).
    mutating func strings(_ node: TOMLNode, check: (String) -> String?) -> [String]? {
        guard let elements = node.elements else {
            diagnostics.append(.wrongType(node, expected: "a list of strings"))
            return nil
        }
        var result: [String] = []
        for element in elements {
            guard let text = element.string else {
                diagnostics.append(.wrongType(element, expected: "a string"))
                continue
            }
            if let reason = check(text) {
                let kind = Diagnostic.Kind.invalidValue(key: node.dottedPath, reason: reason)
                diagnostics.append(Diagnostic(kind, at: element.valueLocation))
                continue
            }
            result.append(text)
        }
        return result
    }

    /// `NAME` or `PREFIX*` (a trailing `*` matches every name starting with `PREFIX`).
    static func keepEnvProblem(_ pattern: String) -> String? {
        let name = pattern.hasSuffix("*") ? String(pattern.dropLast()) : pattern
        if name.isEmpty && pattern != "*" { return "an empty name" }
        if pattern == "*" { return "'*' would keep everything; set pure = false instead" }
        let prefixOK = pattern.hasSuffix("*") && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
        if !Identifiers.isEnvName(name) && !prefixOK {
            return "'\(pattern)' is not a variable name (or a PREFIX* pattern)"
        }
        return nil
    }
}
