import SlipwayCore

/// Typed reads of TOML values that record a diagnostic (at the value) instead of failing, so a
/// decoder can report every problem of a table at once. The service, image and pipeline
/// decoders conform; ``FieldReader`` is the bare collector.
protocol DiagnosticCollector {
    var diagnostics: [Diagnostic] { get set }
}

/// How many problems of one decoder (or one check) get a "did you mean" suggestion.
let suggestionLimit = 20

extension DiagnosticCollector {
    mutating func add(_ kind: Diagnostic.Kind, _ at: SourceLocation) { diagnostics.append(Diagnostic(kind, at: at)) }

    mutating func invalid(_ node: TOMLNode, _ reason: String) {
        add(.invalidValue(key: node.dottedPath, reason: reason), node.valueLocation)
    }

    mutating func wrongType(_ node: TOMLNode, _ expected: String) {
        diagnostics.append(.wrongType(node, expected: expected))
    }

    mutating func unknown(_ key: String, _ node: TOMLNode, in table: String, allowed: [String]) {
        add(.unknownKey(key: key, table: table, suggestion: suggestion(for: key, in: allowed), allowed: allowed), node.keyLocation)
    }

    /// "Did you mean" while fewer than ``suggestionLimit`` problems are collected: a file with a hundred
    /// thousand misspelt keys must not spend its time on edit distances.
    func suggestion(for word: String, in candidates: [String]) -> String? {
        diagnostics.count < suggestionLimit ? Spelling.closest(to: word, in: candidates) : nil
    }

    mutating func string(_ node: TOMLNode) -> String? {
        if let s = node.string { return s }
        wrongType(node, "a string")
        return nil
    }

    /// A string that is not only whitespace.
    mutating func nonEmpty(_ node: TOMLNode, what: String) -> String? {
        guard let s = string(node) else { return nil }
        if s.allSatisfy(\.isWhitespace) { invalid(node, "the \(what) is empty"); return nil }
        return s
    }

    mutating func bool(_ node: TOMLNode) -> Bool? {
        if let b = node.bool { return b }
        wrongType(node, "a boolean")
        return nil
    }

    mutating func integer(_ node: TOMLNode) -> Int? {
        if case .integer(let n) = node.value { return n }
        wrongType(node, "an integer")
        return nil
    }

    mutating func table(_ node: TOMLNode) -> [(key: String, node: TOMLNode)]? {
        if let t = node.entries { return t }
        wrongType(node, "a table")
        return nil
    }

    /// An array of strings, each with its location.
    mutating func locatedStrings(_ node: TOMLNode) -> [(String, SourceLocation)]? {
        guard let elements = node.elements else { wrongType(node, "an array of strings"); return nil }
        var result: [(String, SourceLocation)] = []
        for element in elements {
            guard let s = element.string else { wrongType(element, "a string"); return nil }
            result.append((s, element.valueLocation))
        }
        return result
    }

    /// An array of strings.
    mutating func strings(_ node: TOMLNode) -> [String]? { locatedStrings(node)?.map(\.0) }

    mutating func env(_ node: TOMLNode) -> [EnvEntry] { EnvTable.decode(node, into: &diagnostics) }
}

/// A bare ``DiagnosticCollector``.
struct FieldReader: DiagnosticCollector {
    var diagnostics: [Diagnostic] = []
}
