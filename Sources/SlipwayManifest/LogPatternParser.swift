/// A parsed log pattern, before compilation.
indirect enum LogPatternNode: Sendable, Hashable {
    case empty
    case scalar(Unicode.Scalar)
    case any
    case set(ScalarSet)
    case assert(LogPatternAssertion)
    case concat([LogPatternNode])
    case alternate([LogPatternNode])
    /// `maximum` nil: unbounded.
    case repetition(LogPatternNode, minimum: Int, maximum: Int?)
}

/// Recursive descent over the syntax ``LogPattern`` documents; everything else is an error.
struct LogPatternParser {
    private let text: [Unicode.Scalar]
    private var index = 0
    private var depth = 0

    /// Deepest group nesting accepted (the parser recurses once per group).
    static let maxDepth = 100
    /// Largest count in `{n,m}`.
    static let maxCount = 1000

    init(_ text: [Unicode.Scalar]) { self.text = text }

    /// - Returns: the tree and whether a leading `(?i)` asked for case-insensitive matching.
    mutating func parse() throws(LogPatternError) -> (LogPatternNode, Bool) {
        var insensitive = false
        if text.starts(with: Array("(?i)".unicodeScalars)) {
            insensitive = true
            index = 4
        }
        let node = try alternation()
        if index < text.count {
            // Only an unmatched `)` stops the top level early.
            throw fail("unmatched ')'")
        }
        return (node, insensitive)
    }

    private var peek: Unicode.Scalar? { index < text.count ? text[index] : nil }

    private func fail(_ reason: String, at position: Int? = nil) -> LogPatternError {
        LogPatternError(position: (position ?? index) + 1, reason: reason)
    }

    private mutating func alternation() throws(LogPatternError) -> LogPatternNode {
        var branches = [try concatenation()]
        while peek == "|" {
            index += 1
            branches.append(try concatenation())
        }
        return branches.count == 1 ? branches[0] : .alternate(branches)
    }

    private mutating func concatenation() throws(LogPatternError) -> LogPatternNode {
        var items: [LogPatternNode] = []
        while let c = peek, c != "|", c != ")" {
            let atom = try self.atom()
            items.append(try quantified(atom))
        }
        return items.isEmpty ? .empty : (items.count == 1 ? items[0] : .concat(items))
    }

    private mutating func quantified(_ atom: LogPatternNode) throws(LogPatternError) -> LogPatternNode {
        guard let c = peek, "*+?{".unicodeScalars.contains(c) else { return atom }
        let at = index
        let (minimum, maximum) = try quantifier()
        if case .assert = atom { throw fail("an anchor cannot be repeated", at: at) }
        if peek == "?" {
            index += 1  // lazy: the same answer for "does the line match"
        } else if peek == "+" {
            throw fail("possessive quantifiers are not supported")
        }
        if let next = peek, "*+?{".unicodeScalars.contains(next) {
            throw fail("a quantifier cannot follow another quantifier; group the first: (a+)+")
        }
        return .repetition(atom, minimum: minimum, maximum: maximum)
    }

    private mutating func quantifier() throws(LogPatternError) -> (Int, Int?) {
        let c = text[index]
        index += 1
        switch c {
        case "*": return (0, nil)
        case "+": return (1, nil)
        case "?": return (0, 1)
        default: break
        }
        let start = index - 1
        let minimum = number()
        var maximum: Int? = minimum
        if peek == "," {
            index += 1
            maximum = number()
        }
        guard peek == "}", let minimum else {
            throw fail("a counted repetition is {n}, {n,} or {n,m}; write \\{ for a literal brace", at: start)
        }
        index += 1
        if minimum > Self.maxCount || (maximum ?? 0) > Self.maxCount {
            throw fail("a repetition count is at most \(Self.maxCount)", at: start)
        }
        if let maximum, maximum < minimum {
            throw fail("{\(minimum),\(maximum)}: the maximum is below the minimum", at: start)
        }
        return (minimum, maximum)
    }

    private mutating func number() -> Int? {
        var value: Int?
        while let c = peek, ("0"..."9").contains(c) {
            value = min((value ?? 0) * 10 + Int(c.value - 48), 1_000_000)
            index += 1
        }
        return value
    }

    private mutating func atom() throws(LogPatternError) -> LogPatternNode {
        let c = text[index]
        switch c {
        case "(": return try group()
        case "[":
            index += 1
            return .set(try bracket())
        case ".":
            index += 1
            return .any
        case "^":
            index += 1
            return .assert(.lineStart)
        case "$":
            index += 1
            return .assert(.lineEnd)
        case "\\": return try escape()
        case "*", "+", "?": throw fail("nothing to repeat before '\(c)'; write \\\(c) for the character")
        case "{":
            throw fail("nothing to repeat before '{'; write \\{ for the character")
        default:
            index += 1
            return .scalar(c)
        }
    }

    private mutating func group() throws(LogPatternError) -> LogPatternNode {
        let open = index
        index += 1
        if peek == "?" {
            if text[index...].starts(with: Array("?:".unicodeScalars)) {
                index += 2
            } else {
                throw fail(
                    "lookaround, named groups and inline options are not supported (only (?:...) and a leading (?i))",
                    at: open)
            }
        }
        depth += 1
        if depth > Self.maxDepth { throw fail("groups are nested more than \(Self.maxDepth) deep", at: open) }
        let inner = try alternation()
        depth -= 1
        guard peek == ")" else { throw fail("'(' is never closed", at: open) }
        index += 1
        return inner
    }

    private mutating func escape() throws(LogPatternError) -> LogPatternNode {
        let start = index
        index += 1
        guard let c = peek else { throw fail("the pattern ends with a lone '\\'", at: start) }
        switch c {
        case "b":
            index += 1
            return .assert(.wordBoundary)
        case "B":
            index += 1
            return .assert(.notWordBoundary)
        case "d", "D", "w", "W", "s", "S":
            index += 1
            return .set(ScalarSet(items: [Self.classItem(c)]))
        default:
            return .scalar(try escapedScalar(start: start))
        }
    }

    static func classItem(_ c: Unicode.Scalar) -> ScalarSet.Item {
        switch c {
        case "d": return .digit
        case "D": return .notDigit
        case "w": return .word
        case "W": return .notWord
        case "s": return .space
        default: return .notSpace
        }
    }

    /// After a `\` (at `start`): one character escape. `index` is on the character after `\`.
    private mutating func escapedScalar(start: Int) throws(LogPatternError) -> Unicode.Scalar {
        let c = text[index]
        index += 1
        switch c {
        case "t": return "\t"
        case "n": return "\n"
        case "r": return "\r"
        case "f": return "\u{0C}"
        case "v": return "\u{0B}"
        case "x": return try hex(digits: 2, start: start)
        case "u": return try hex(digits: 4, start: start)
        case "1"..."9": throw fail("backreferences are not supported", at: start)
        default:
            if c.isASCII && !c.properties.isAlphabetic && !("0"..."9").contains(c) { return c }
            throw fail("unknown escape '\\\(c)'", at: start)
        }
    }

    private mutating func hex(digits: Int, start: Int) throws(LogPatternError) -> Unicode.Scalar {
        guard index + digits <= text.count,
            let value = UInt32(String(String.UnicodeScalarView(text[index..<index + digits])), radix: 16),
            let scalar = Unicode.Scalar(value)
        else { throw fail("\\x takes 2 and \\u 4 hexadecimal digits", at: start) }
        index += digits
        return scalar
    }

    /// After `[`: items up to the closing `]`.
    private mutating func bracket() throws(LogPatternError) -> ScalarSet {
        let open = index - 1
        var set = ScalarSet()
        if peek == "^" {
            set.negated = true
            index += 1
        }
        var first = true
        while true {
            guard let c = peek else { throw fail("'[' is never closed", at: open) }
            if c == "]" && !first { break }
            first = false
            if c == "[" { throw fail("write \\[ for a '[' inside brackets (POSIX classes are not supported)") }
            let low = try bracketScalar(&set)
            guard let low else { continue }
            if peek == "-", index + 1 < text.count, text[index + 1] != "]" {
                index += 1
                let rangeStart = index
                guard let high = try bracketScalar(&set), high.value >= low.value else {
                    throw fail("a range in brackets goes from a lower to a higher character", at: rangeStart)
                }
                set.items.append(.range(low.value, high.value))
            } else {
                set.items.append(.range(low.value, low.value))
            }
        }
        index += 1
        return set
    }

    /// One character of a bracket expression; `nil` when it was a class escape (added to `set`).
    private mutating func bracketScalar(_ set: inout ScalarSet) throws(LogPatternError) -> Unicode.Scalar? {
        let c = text[index]
        guard c == "\\" else {
            index += 1
            return c
        }
        let start = index
        index += 1
        guard let next = peek else { throw fail("the pattern ends with a lone '\\'", at: start) }
        if "dDwWsS".unicodeScalars.contains(next) {
            index += 1
            set.items.append(Self.classItem(next))
            return nil
        }
        if next == "b" {
            index += 1
            return "\u{08}"
        }
        return try escapedScalar(start: start)
    }
}
