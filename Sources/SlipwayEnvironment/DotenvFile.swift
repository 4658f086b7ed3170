import SlipwayCore

/// A dotenv file (`[env] files = [".env", ".env.local"]`), as Symfony and Django projects keep
/// them: one `NAME=value` per line, an optional `export ` in front, `#` comments and blank lines.
///
/// Values: `'single quoted'` is literal; `"double quoted"` knows `\n`, `\t`, `\"`, `\\` and keeps
/// `\$`; both may span lines. An unquoted value ends at the end of the line or at ` #`, and is
/// trimmed. Double-quoted and unquoted values expand `$VAR`, `${VAR}`, `${VAR:-default}` later,
/// exactly as `[env]` values do (``EnvironmentExpansion``).
public enum DotenvFile {
    /// One assignment: the value as written (escapes resolved), and whether it expands.
    public struct Entry: Sendable, Hashable {
        public var name: String
        public var value: String
        public var expands: Bool
    }

    /// A syntax error at `file:line:column`.
    public struct SyntaxError: SlipwayError, Equatable {
        public var location: SourceLocation
        public var reason: String

        public var message: String { "\(location): error: \(reason)" }
        public var hint: String? { "each line of a dotenv file is NAME=value, NAME='value' or NAME=\"value\"" }
    }

    /// The assignments of `text` in order (a later one of the same name wins when applied).
    /// - Parameter file: the name locations use (e.g. `.env`).
    /// - Throws: ``SyntaxError`` at the first problem.
    public static func parse(_ text: String, file: String) throws(SyntaxError) -> [Entry] {
        var scanner = Scanner(scalars: Array(text.unicodeScalars), file: file)
        var entries: [Entry] = []
        while let entry = try scanner.next() { entries.append(entry) }
        return entries
    }

    struct Scanner {
        let scalars: [Unicode.Scalar]
        let file: String
        var i = 0
        var line = 1
        var lineStart = 0

        init(scalars: [Unicode.Scalar], file: String) {
            self.scalars = scalars
            self.file = file
        }

        var peek: Unicode.Scalar? { i < scalars.count ? scalars[i] : nil }
        var location: SourceLocation { SourceLocation(file: file, line: line, column: i - lineStart + 1) }

        func error(_ reason: String, at location: SourceLocation? = nil) -> SyntaxError {
            SyntaxError(location: location ?? self.location, reason: reason)
        }

        mutating func advance() {
            if scalars[i] == "\n" {
                line += 1
                lineStart = i + 1
            }
            i += 1
        }

        mutating func skipBlanks() { while let c = peek, c == " " || c == "\t" || c == "\r" { advance() } }

        mutating func skipLine() { while let c = peek, c != "\n" { advance() } }

        /// The next assignment, or `nil` at the end of the text.
        mutating func next() throws(SyntaxError) -> Entry? {
            while true {
                skipBlanks()
                guard let c = peek else { return nil }
                if c == "\n" { advance(); continue }
                if c == "#" { skipLine(); continue }
                break
            }
            var name = readName()
            if name == "export", peek == " " || peek == "\t" {
                skipBlanks()
                name = readName()
            }
            guard !name.isEmpty else {
                throw error("expected a variable name, found " + (peek.map { "'\(Character($0))'" } ?? "end of file"))
            }
            skipBlanks()
            guard peek == "=" else {
                let found = peek.map { $0 == "\n" ? "end of line" : "'\($0)'" } ?? "end of file"
                throw error("expected '=' after \(name), found \(found)")
            }
            advance()
            skipBlanks()
            let (value, expands) = try readValue()
            try endOfLine()
            return Entry(name: name, value: value, expands: expands)
        }

        mutating func readName() -> String {
            var name = ""
            while let c = peek, c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c)
                || (!name.isEmpty && ("0"..."9").contains(c)) {
                name.unicodeScalars.append(c)
                advance()
            }
            return name
        }

        mutating func readValue() throws(SyntaxError) -> (String, Bool) {
            switch peek {
            case "'": return (try quoted("'"), false)
            case "\"": return (try quoted("\""), true)
            default:
                var value = ""
                while let c = peek, c != "\n" {
                    let last = value.unicodeScalars.last
                    if c == "#", last == nil || last == " " || last == "\t" {
                        break
                    }
                    value.unicodeScalars.append(c)
                    advance()
                }
                return (Self.trimmed(value), true)
            }
        }

        mutating func quoted(_ quote: Unicode.Scalar) throws(SyntaxError) -> String {
            let opening = location
            advance()
            var value = ""
            while let c = peek {
                advance()
                if c == quote { return value }
                guard quote == "\"", c == "\\", let escaped = peek else {
                    value.unicodeScalars.append(c)
                    continue
                }
                advance()
                switch escaped {
                case "n": value += "\n"
                case "t": value += "\t"
                case "\"", "\\": value.unicodeScalars.append(escaped)
                case "$": value += "\\$"
                default: value += "\\" + String(Character(escaped))
                }
            }
            let kind = quote == "'" ? "single" : "double"
            throw error("unterminated \(kind)-quoted value (the quote opens here)", at: opening)
        }

        static func trimmed(_ text: String) -> String {
            var scalars = Array(text.unicodeScalars)
            while let last = scalars.last, last == " " || last == "\t" || last == "\r" { scalars.removeLast() }
            return String(String.UnicodeScalarView(scalars))
        }

        /// After a quoted value only blanks or a comment may follow on its line.
        mutating func endOfLine() throws(SyntaxError) {
            skipBlanks()
            guard let c = peek, c != "\n" else { return }
            if c == "#" { skipLine(); return }
            throw error("unexpected '\(c)' after the closing quote")
        }
    }
}
