import SlipwayCore

/// Measures how deep a TOML document nests, in one pass and without recursion, so that a
/// document nested thousands deep is refused before TOMLKit (and every recursive walk after it)
/// sees it.
///
/// The depth of a key is the number of key components from the root (`[a.b]` then `c.d = 1`
/// puts `d` at depth 4); an array adds one for its elements (`[[a]]` elements of `a` are at 2).
/// Strings and comments are skipped; on text that is not TOML the scanner moves on one byte at
/// a time and never fails (TOMLKit reports the syntax error afterwards).
struct NestingScanner {
    private enum Frame { case inlineTable(Int), array(Int) }
    /// Where each open frame of ``stack`` began (line, column), innermost last.
    private var openedAt: [(line: Int, column: Int)] = []

    private let bytes: [UInt8]
    private let limit: Int
    private var index = 0
    private var line = 1
    private var lineStart = 0
    private var tableDepth = 0
    private var stack: [Frame] = []
    private var headerWithoutKey = false

    /// What the scan found first.
    enum Problem: Equatable {
        /// A key or value deeper than the limit.
        case tooDeep
        /// A table header with no key (`[` then a newline, `[.a]`).
        case headerWithoutKey
    }

    /// The position (line, column in characters) of the first key or value deeper than `limit`,
    /// or of the first table header without a key.
    static func firstProblem(_ source: String, limit: Int) -> (line: Int, column: Int, problem: Problem)? {
        var scanner = NestingScanner(bytes: Array(source.utf8), limit: limit)
        guard let at = scanner.scan() else { return nil }
        return (at.line, at.column, scanner.headerWithoutKey ? .headerWithoutKey : .tooDeep)
    }

    /// The opening `[` or `{` (line, column) of the innermost array or inline table still open
    /// where the text reaches `line`:`column`, or `nil` when none is: where a value that is
    /// never closed began, for a syntax error reported further down (toml++ reports the first
    /// token it could not take, often the next table's header).
    static func unclosedBracket(_ source: String, before line: Int, column: Int) -> (line: Int, column: Int)? {
        var scanner = NestingScanner(bytes: Array(source.utf8), limit: Int.max)
        scanner.stopAt = (line, column)
        _ = scanner.scan()
        return scanner.openedAt.last
    }

    /// Where ``scan()`` stops early (for ``unclosedBracket(_:before:column:)``).
    private var stopAt: (line: Int, column: Int)?

    private var reachedStop: Bool {
        guard let stopAt else { return false }
        let here = position
        return here.line > stopAt.line || (here.line == stopAt.line && here.column >= stopAt.column)
    }

    private init(bytes: [UInt8], limit: Int) {
        self.bytes = bytes
        self.limit = limit
    }

    private var position: (line: Int, column: Int) {
        let column = bytes[lineStart..<index].reduce(1) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
        return (line, column)
    }

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private mutating func advance(_ count: Int = 1) {
        for _ in 0..<count where index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
    }

    private mutating func scan() -> (line: Int, column: Int)? {
        while index < bytes.count {
            let start = index
            skipTrivia()
            guard let c = peek(), !reachedStop else { break }
            let problem: (line: Int, column: Int)?
            switch stack.last {
            case nil where c == UInt8(ascii: "["): problem = header()
            case nil: problem = keyValue(base: tableDepth)
            case .inlineTable(let depth)?:
                if c == UInt8(ascii: "}") { close(); continue }
                if c == UInt8(ascii: ",") { advance(); continue }
                problem = keyValue(base: depth)
            case .array(let depth)?:
                if c == UInt8(ascii: "]") { close(); continue }
                if c == UInt8(ascii: ",") { advance(); continue }
                problem = value(depth: depth + 1)
            }
            if let problem { return problem }
            if index == start { advance() }
        }
        return nil
    }

    private mutating func open(_ frame: Frame) {
        stack.append(frame)
        openedAt.append(position)
        advance()
    }

    private mutating func close() {
        stack.removeLast()
        openedAt.removeLast()
        advance()
    }

    /// `[a.b]` or `[[a.b]]`: sets the depth of the key/value lines that follow.
    private mutating func header() -> (line: Int, column: Int)? {
        let isArray = peek(1) == UInt8(ascii: "[")
        advance(isArray ? 2 : 1)
        skipSpaces()
        // toml++ asserts (a crash in a debug build) on a header whose key starts with anything
        // but an ASCII key character, a quote or `]`, e.g. `[` alone on its line or `[.a]`.
        // Bare keys are ASCII (TOML v1.0.0 §Keys): `[énix]` is one of these too.
        if let c = peek(), c >= 0x80 || !Self.isBareKey(c), c != UInt8(ascii: "\""), c != UInt8(ascii: "'"),
           c != UInt8(ascii: "]")
        {
            headerWithoutKey = true
            return position
        }
        guard let count = keyPath(base: 0) else { return position }
        tableDepth = count + (isArray ? 1 : 0)
        if tableDepth > limit { return position }
        return nil
    }

    private mutating func keyValue(base: Int) -> (line: Int, column: Int)? {
        let start = index
        guard let count = keyPath(base: base) else { return position }
        skipSpaces()
        guard peek() == UInt8(ascii: "=") else {
            if index == start { advance() }
            return nil
        }
        advance()
        skipSpaces()
        return value(depth: base + count)
    }

    /// Key components separated by dots; `nil` (the cursor at the offending component) when
    /// one of them is deeper than the limit.
    private mutating func keyPath(base: Int) -> Int? {
        var count = 0
        while true {
            skipSpaces()
            guard let c = peek() else { break }
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                if base + count + 1 > limit { return nil }
                skipString()
            } else {
                let start = index
                while let c = peek(), Self.isBareKey(c) { advance() }
                if index == start { break }
                if base + count + 1 > limit { index = start; return nil }
            }
            count += 1
            skipSpaces()
            if peek() == UInt8(ascii: ".") { advance() } else { break }
        }
        return count
    }

    private mutating func value(depth: Int) -> (line: Int, column: Int)? {
        if depth > limit { return position }
        switch peek() {
        case UInt8(ascii: "{"): open(.inlineTable(depth))
        case UInt8(ascii: "["): open(.array(depth))
        case UInt8(ascii: "\""), UInt8(ascii: "'"): skipString()
        default:
            while let c = peek(), !Self.endsScalar(c) { advance() }
        }
        return nil
    }

    // MARK: - Lexing

    private static func isBareKey(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
            || c >= 0x80
    }

    private static func endsScalar(_ c: UInt8) -> Bool {
        c == UInt8(ascii: ",") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") || c == UInt8(ascii: "\n")
            || c == UInt8(ascii: "\r") || c == UInt8(ascii: "#") || c == UInt8(ascii: "[") || c == UInt8(ascii: "{")
    }

    private mutating func skipSpaces() {
        while let c = peek(), c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") { advance() }
    }

    /// Spaces, newlines and comments.
    private mutating func skipTrivia() {
        while let c = peek() {
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") {
                advance()
            } else if c == UInt8(ascii: "#") {
                while let c = peek(), c != UInt8(ascii: "\n") { advance() }
            } else {
                return
            }
        }
    }

    /// A basic or literal string, single- or multi-line; escapes only in basic strings.
    private mutating func skipString() {
        guard let quote = peek() else { return }
        let multiline = peek(1) == quote && peek(2) == quote
        advance(multiline ? 3 : 1)
        while let c = peek() {
            if c == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") {
                advance(2)
                continue
            }
            if c == quote {
                if !multiline { advance(); return }
                if peek(1) == quote && peek(2) == quote {
                    advance(3)
                    while peek() == quote { advance() }
                    return
                }
            }
            if !multiline && c == UInt8(ascii: "\n") { return }
            advance()
        }
    }
}
