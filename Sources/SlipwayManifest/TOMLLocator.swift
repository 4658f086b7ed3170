/// Finds where each key and value of a TOML document starts.
///
/// TOMLKit (toml++) reports positions only for syntax errors, so after TOMLKit has accepted a
/// document this scanner walks the same text once and records, for every key path, the line and
/// column of the key and of its value. Paths are key names from the root; array elements are
/// `"[N]"` components (arrays of tables included). It assumes syntactically valid TOML (TOML
/// v1.0.0 grammar for keys, strings, inline tables and arrays) and never fails: on text it does
/// not understand it moves on one character at a time.
struct TOMLLocator {
    struct Position: Sendable, Hashable {
        var line: Int
        var column: Int
    }

    struct Entry: Sendable {
        var key: Position
        var value: Position?
    }

    private(set) var entries: [[String]: Entry] = [:]
    private var chars: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var column = 1
    private var arrayTableCounts: [[String]: Int] = [:]

    init(source: String) {
        chars = Array(source.unicodeScalars)
        scanDocument()
    }

    func keyPosition(_ path: [String]) -> Position? { entries[path]?.key }
    func valuePosition(_ path: [String]) -> Position? { entries[path]?.value ?? entries[path]?.key }

    // MARK: - Cursor

    private var atEnd: Bool { index >= chars.count }
    private var position: Position { Position(line: line, column: column) }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let i = index + offset
        return i < chars.count ? chars[i] : nil
    }

    private mutating func advance(_ count: Int = 1) {
        for _ in 0..<count where !atEnd {
            if chars[index] == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += 1
        }
    }

    private mutating func skipSpaces() {
        while let c = peek(), c == " " || c == "\t" { advance() }
    }

    /// Spaces, newlines and comments: what may sit between array elements.
    private mutating func skipTrivia() {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                advance()
            } else if c == "#" {
                skipToEndOfLine()
            } else {
                return
            }
        }
    }

    private mutating func skipToEndOfLine() {
        while let c = peek(), c != "\n" { advance() }
    }

    // MARK: - Grammar

    private mutating func scanDocument() {
        var table: [String] = []
        while !atEnd {
            let start = index
            skipTrivia()
            guard let c = peek() else { break }
            if c == "[" {
                table = scanHeader()
            } else {
                scanKeyValue(prefix: table)
            }
            if index == start { advance() }
        }
    }

    private mutating func scanHeader() -> [String] {
        let isArray = peek(1) == "["
        advance(isArray ? 2 : 1)
        let keys = scanKeyPath()
        var path: [String] = []
        for (name, at) in keys {
            path.append(name)
            if entries[path] == nil { entries[path] = Entry(key: at, value: at) }
        }
        skipSpaces()
        advance(isArray ? 2 : 1)
        if isArray {
            let next = (arrayTableCounts[path] ?? -1) + 1
            arrayTableCounts[path] = next
            let at = keys.last?.1 ?? position
            let element = path + ["[\(next)]"]
            entries[element] = Entry(key: at, value: at)
            return element
        }
        return path
    }

    private mutating func scanKeyValue(prefix: [String]) {
        let keys = scanKeyPath()
        guard !keys.isEmpty else { return }
        var path = prefix
        for (name, at) in keys {
            path.append(name)
            if entries[path] == nil { entries[path] = Entry(key: at, value: nil) }
        }
        skipSpaces()
        guard peek() == "=" else { return }
        advance()
        skipSpaces()
        scanValue(path: path)
    }

    private mutating func scanKeyPath() -> [(String, Position)] {
        var keys: [(String, Position)] = []
        while true {
            skipSpaces()
            let at = position
            guard let c = peek() else { break }
            if c == "\"" {
                keys.append((scanBasicString(), at))
            } else if c == "'" {
                keys.append((scanLiteralString(), at))
            } else {
                var name = ""
                while let c = peek(), c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || c == "-" {
                    name.unicodeScalars.append(c)
                    advance()
                }
                if name.isEmpty { break }
                keys.append((name, at))
            }
            skipSpaces()
            if peek() == "." { advance() } else { break }
        }
        return keys
    }

    private mutating func scanValue(path: [String]) {
        let at = position
        if entries[path] != nil { entries[path]?.value = at } else { entries[path] = Entry(key: at, value: at) }
        switch peek() {
        case "{":
            advance()
            while !atEnd {
                skipTrivia()
                if peek() == "}" { advance(); return }
                let start = index
                scanKeyValue(prefix: path)
                skipTrivia()
                if peek() == "," { advance() } else if peek() == "}" { advance(); return }
                if index == start { advance() }
            }
        case "[":
            advance()
            var element = 0
            while !atEnd {
                skipTrivia()
                if peek() == "]" { advance(); return }
                let start = index
                scanValue(path: path + ["[\(element)]"])
                element += 1
                skipTrivia()
                if peek() == "," { advance() } else if peek() == "]" { advance(); return }
                if index == start { advance() }
            }
        case "\"":
            _ = scanBasicString()
        case "'":
            _ = scanLiteralString()
        default:
            while let c = peek(), !",]}\n\r#".unicodeScalars.contains(c) { advance() }
        }
    }

    /// A `"..."` or `"""..."""` string; returns its text with the common escapes decoded.
    private mutating func scanBasicString() -> String {
        let multiline = peek(1) == "\"" && peek(2) == "\""
        advance(multiline ? 3 : 1)
        var text = ""
        while let c = peek() {
            if c == "\\" {
                advance()
                switch peek() {
                case "n": text += "\n"
                case "t": text += "\t"
                case "\"": text += "\""
                case "\\": text += "\\"
                case let other?: text.unicodeScalars.append(other)
                case nil: break
                }
                advance()
                continue
            }
            if c == "\"" {
                if !multiline { advance(); return text }
                if peek(1) == "\"" && peek(2) == "\"" {
                    advance(3)
                    while peek() == "\"" { advance() }
                    return text
                }
            }
            if !multiline && c == "\n" { return text }
            text.unicodeScalars.append(c)
            advance()
        }
        return text
    }

    /// A `'...'` or `'''...'''` string (no escapes).
    private mutating func scanLiteralString() -> String {
        let multiline = peek(1) == "'" && peek(2) == "'"
        advance(multiline ? 3 : 1)
        var text = ""
        while let c = peek() {
            if c == "'" {
                if !multiline { advance(); return text }
                if peek(1) == "'" && peek(2) == "'" {
                    advance(3)
                    while peek() == "'" { advance() }
                    return text
                }
            }
            if !multiline && c == "\n" { return text }
            text.unicodeScalars.append(c)
            advance()
        }
        return text
    }
}
