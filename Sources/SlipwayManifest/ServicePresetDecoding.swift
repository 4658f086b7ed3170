import SlipwayCore

/// `preset = "..."` and the preset-only keys of a `[services.NAME]` table.
extension ServiceDecoder {
    /// The preset a service names, with its options decoded; `nil` when it names none (then any
    /// preset-only key is an error) or names an unknown one (an error).
    /// - Returns: `nil` for no preset, `.some(nil)` for a preset that could not be read.
    mutating func preset(of node: TOMLNode, fields: [(key: String, node: TOMLNode)]) -> ServicePreset?? {
        guard let value = fields.first(where: { $0.key == "preset" })?.node else {
            for (key, option) in fields where ServicePreset.allKeys.contains(key) { orphanOption(key, option) }
            return .none
        }
        guard let name = string(value) else { return .some(nil) }
        guard let preset = ServicePreset.named(name) else {
            let names = ServicePreset.allCases.map(\.rawValue)
            let hint = suggestion(for: name, in: names + ServicePreset.aliases.keys.sorted())
                .map { " (did you mean '\($0)'?)" } ?? ""
            let list = names.joined(separator: ", ")
            invalid(value, "unknown preset '\(name)'\(hint); presets: \(list) (mysql = mariadb)")
            return .some(nil)
        }
        for (key, option) in fields where ServicePreset.allKeys.contains(key) && !preset.keys.contains(key) {
            let reason = "preset '\(name)' has no '\(key)'; its own keys: \(preset.keys.joined(separator: ", "))"
            add(.invalidValue(key: option.dottedPath, reason: reason), option.keyLocation)
        }
        return .some(preset)
    }

    /// A preset-only key on a service without `preset`.
    private mutating func orphanOption(_ key: String, _ option: TOMLNode) {
        let owners = ServicePreset.presets(taking: key).map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
        let reason = "'\(key)' is a preset key; add preset = \(owners), or remove it"
        add(.invalidValue(key: option.dottedPath, reason: reason), option.keyLocation)
    }

    /// The preset-only keys of `fields` that `preset` takes.
    mutating func presetOptions(_ preset: ServicePreset, fields: [(key: String, node: TOMLNode)]) -> PresetOptions {
        var options = PresetOptions()
        for (key, value) in fields where preset.keys.contains(key) {
            switch key {
            case "databases": options.databases = sqlNames(value)
            case "users": options.users = sqlNames(value)
            case "settings": options.settings = settings(value)
            case "init_sql": options.initSQL = initSQL(value)
            case "root": options.root = nonEmpty(value, what: "root")
            case "php_fpm": options.phpFPM = serviceName(value)
            default: break
            }
        }
        return options
    }

    /// Names PostgreSQL and MariaDB take without quoting: lower-case letters, digits and `_`, at
    /// most 63 bytes.
    private mutating func sqlNames(_ node: TOMLNode) -> [String] {
        guard let names = locatedStrings(node) else { return [] }
        for (name, at) in names where !Self.isSQLName(name) {
            let reason = "'\(name)' is not a plain SQL name "
                + "(lower-case letters, digits and '_', starting with a letter or '_')"
            add(.invalidValue(key: node.dottedPath, reason: reason), at)
        }
        return names.map(\.0)
    }

    static func isSQLName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.utf8.count <= 63 else { return false }
        let lower = ("a"..."z") as ClosedRange<Unicode.Scalar>
        return (lower.contains(first) || first == "_")
            && name.unicodeScalars.allSatisfy { lower.contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// `settings = { NAME = VALUE }`: strings, numbers and booleans (as their TOML text).
    private mutating func settings(_ node: TOMLNode) -> [PresetOptions.Setting] {
        var result: [PresetOptions.Setting] = []
        for (name, value) in table(node) ?? [] {
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-[]".contains($0)) })
            else {
                let reason = "a setting name uses letters, digits, '_', '.', '-', '[' and ']'"
                add(.invalidValue(key: value.dottedPath, reason: reason), value.keyLocation)
                continue
            }
            let text: String? = switch value.value {
            case .string(let s): s
            case .integer(let n): String(n)
            case .float(let d): String(d)
            case .bool(let b): b ? "true" : "false"
            default: nil
            }
            guard let text else { wrongType(value, "a string, number or boolean"); continue }
            result.append(.init(name: name, value: text, isBoolean: value.bool != nil))
        }
        return result
    }

    private mutating func initSQL(_ node: TOMLNode) -> String? {
        guard let sql = nonEmpty(node, what: "init_sql") else { return nil }
        if sql.split(separator: "\n").contains(where: { $0 == "SLIPWAY_INIT_SQL" }) {
            invalid(node, "a line of init_sql cannot be 'SLIPWAY_INIT_SQL'")
            return nil
        }
        return sql
    }

    private mutating func serviceName(_ node: TOMLNode) -> String? {
        guard let name = string(node) else { return nil }
        if !Identifiers.isName(name) { invalid(node, "'\(name)' is not a service name") ; return nil }
        return name
    }
}
