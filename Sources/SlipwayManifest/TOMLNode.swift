import SlipwayCore
import TOMLKit

/// A TOML value with the source locations of its key and value.
///
/// Tables keep their keys in source order (TOMLKit's tables are sorted maps, but `[env]`
/// entries expand earlier ones, so order matters). Produced by ``TOMLDocument/parse(_:file:)``.
public struct TOMLNode: Sendable {
    public indirect enum Value: Sendable {
        case table([(key: String, node: TOMLNode)])
        case array([TOMLNode])
        case string(String)
        case integer(Int)
        case float(Double)
        case bool(Bool)
        /// Dates and times, kept as their TOML text.
        case datetime(String)
    }

    public var value: Value
    /// Key names from the document root; array elements as `"[N]"`.
    public var path: [String]
    public var keyLocation: SourceLocation
    public var valueLocation: SourceLocation

    /// The dotted key as a user writes it, e.g. `profiles.dev.packages.php`.
    public var dottedPath: String { TOMLNode.dotted(path) }

    static func dotted(_ path: [String]) -> String {
        var text = ""
        for component in path {
            if component.hasPrefix("[") {
                text += component
            } else {
                if !text.isEmpty { text += "." }
                let bare = !component.isEmpty && component.unicodeScalars.allSatisfy {
                    $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
                }
                text += bare ? component : "\"\(component)\""
            }
        }
        return text
    }

    /// The TOML type name used in messages ("string", "table", ...).
    public var typeName: String {
        switch value {
        case .table: "table"
        case .array: "array"
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .bool: "boolean"
        case .datetime: "date-time"
        }
    }

    public var string: String? { if case .string(let s) = value { s } else { nil } }
    public var bool: Bool? { if case .bool(let b) = value { b } else { nil } }
    public var entries: [(key: String, node: TOMLNode)]? { if case .table(let t) = value { t } else { nil } }
    public var elements: [TOMLNode]? { if case .array(let a) = value { a } else { nil } }

    /// The child named `key` of a table, or `nil`.
    public subscript(key: String) -> TOMLNode? {
        entries?.first { $0.key == key }?.node
    }
}

/// A parsed `slipway.toml` (or any TOML file) with locations.
public enum TOMLDocument {
    /// Parses TOML text.
    ///
    /// - Parameters:
    ///   - source: the document text.
    ///   - file: the name shown in locations, e.g. `slipway.toml`.
    /// - Returns: the root table.
    /// - Throws: ``Diagnostic`` of kind `.tooDeep` where the document nests deeper than
    ///   ``ManifestText/maximumDepth``, or `.syntax` at a table header without a key (both
    ///   checked before TOMLKit parses: toml++ asserts on the latter), else of kind `.syntax` at
    ///   the position TOMLKit reports.
    /// A toml++ error at the position it gives, or, when an array or inline table opened
    /// before that position is still open there, at its opening bracket (the real mistake: toml++
    /// stops at the next token it cannot take, often the next table's header), with where the
    /// parser stopped.
    static func syntaxDiagnostic(_ error: TOMLParseError, source: String, file: String) -> Diagnostic {
        let line = error.source.begin.line, column = error.source.begin.column
        let text = error.description
        let unclosed = text.contains("parsing array") || text.contains("parsing inline table")
        if unclosed, startsLine(source, line: line, column: column),
           let open = NestingScanner.unclosedBracket(source, before: line, column: column), open.line < line
        {
            let what = text.contains("parsing array") ? "array" : "inline table"
            return Diagnostic(
                .syntax("this \(what) is never closed (the parser stopped at \(line):\(column): \(text))"),
                at: SourceLocation(file: file, line: open.line, column: open.column))
        }
        return Diagnostic(.syntax(text), at: SourceLocation(file: file, line: line, column: column))
    }

    /// Whether only spaces come before `column` on `line` (1-based): a forgotten `]` shows as
    /// an error at the first token of a later line; an error inside a line stays where it is.
    private static func startsLine(_ source: String, line: Int, column: Int) -> Bool {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else { return false }
        return lines[line - 1].prefix(max(column - 1, 0)).allSatisfy { $0 == " " || $0 == "\t" }
    }

    public static func parse(_ source: String, file: String) throws(Diagnostic) -> TOMLNode {
        if let (line, column, problem) = NestingScanner.firstProblem(source, limit: ManifestText.maximumDepth) {
            let kind: Diagnostic.Kind = problem == .tooDeep
                ? .tooDeep(limit: ManifestText.maximumDepth) : .syntax("a table header needs a key, e.g. [services.web]")
            throw Diagnostic(kind, at: SourceLocation(file: file, line: line, column: column))
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: source)
        } catch let error as TOMLParseError {
            throw syntaxDiagnostic(error, source: source, file: file)
        } catch {
            throw Diagnostic(.syntax("\(error)"), at: SourceLocation(file: file, line: 1, column: 1))
        }
        let locator = TOMLLocator(source: source)
        let origin = SourceLocation(file: file, line: 1, column: 1)
        return convert(table, path: [], locator: locator, file: file, parentLocation: origin)
    }

    private static func location(
        _ position: TOMLLocator.Position?, file: String, fallback: SourceLocation
    ) -> SourceLocation {
        guard let position else { return fallback }
        return SourceLocation(file: file, line: position.line, column: position.column)
    }

    private static func convert(
        _ value: any TOMLValueConvertible, path: [String], locator: TOMLLocator, file: String,
        parentLocation: SourceLocation
    ) -> TOMLNode {
        let keyAt = location(locator.keyPosition(path), file: file, fallback: parentLocation)
        let valueAt = location(locator.valuePosition(path), file: file, fallback: keyAt)
        let converted: TOMLNode.Value
        if let table = value.table {
            var children: [(key: String, node: TOMLNode)] = []
            for key in table.keys {
                guard let child = table[key] else { continue }
                children.append((key, convert(child, path: path + [key], locator: locator, file: file, parentLocation: valueAt)))
            }
            children.sort { $0.node.keyLocation < $1.node.keyLocation }
            converted = .table(children)
        } else if let array = value.array {
            var elements: [TOMLNode] = []
            for (i, element) in array.enumerated() {
                elements.append(convert(element, path: path + ["[\(i)]"], locator: locator, file: file, parentLocation: valueAt))
            }
            converted = .array(elements)
        } else if let string = value.string {
            converted = .string(string)
        } else if let bool = value.bool {
            converted = .bool(bool)
        } else if let int = value.int {
            converted = .integer(int)
        } else if let double = value.double {
            converted = .float(double)
        } else {
            converted = .datetime(value.debugDescription)
        }
        return TOMLNode(value: converted, path: path, keyLocation: keyAt, valueLocation: valueAt)
    }
}
