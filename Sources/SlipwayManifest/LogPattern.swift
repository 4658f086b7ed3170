/// The regular expression of a `ready = { log = "..." }` probe, compiled for a matcher whose
/// time is linear in the line's length: a Thompson NFA run as a Pike VM without captures
/// (Russ Cox, "Regular Expression Matching Can Be Simple And Fast", 2007). No pattern can make
/// one line cost more than `line length × program size` steps, so a probe can never backtrack
/// for minutes the way `(a+)+$` does in a backtracking engine (Swift Regex, ICU).
///
/// Supported syntax (the common subset of POSIX ERE and PCRE): literals; `.` (any character);
/// `[...]` and `[^...]` with ranges and the escapes below; `\d \D \w \W \s \S`; `\t \n \r \f \v`,
/// `\xHH`, `\uHHHH`, and `\` before any ASCII punctuation; anchors `^` (start of the line), `$`
/// (end of the line), `\b`, `\B`; groups `(...)` and `(?:...)`; alternation `|`; quantifiers
/// `* + ?`, `{n}`, `{n,}`, `{n,m}` (n, m ≤ 1000), each optionally lazy (`*?`: the same answer
/// here, since a probe only asks whether a line matches); a leading `(?i)` for case-insensitive
/// matching. Not supported, rejected when the manifest is checked: backreferences, lookaround,
/// named groups, possessive quantifiers, other inline options, POSIX classes (`[[:alpha:]]`).
/// Characters are Unicode scalars.
public struct LogPattern: Sendable, Hashable {
    /// The pattern as written in the manifest.
    public let source: String
    let program: [LogPatternInstruction]
    let caseInsensitive: Bool

    /// Most instructions a pattern may compile to (counted repetitions are expanded).
    public static let maxProgramSize = 5_000
    /// Steps one line may cost before matching gives up (about 50 ms of work at worst).
    public static let stepBudget = 4_000_000
    /// Characters of each line a probe reads (16 Ki); the rest of a longer line is not searched.
    public static let longestLine = 16 * 1024

    /// Compiles `source`.
    /// - Throws: ``LogPatternError`` naming the 1-based character position and what is wrong.
    public init(_ source: String) throws(LogPatternError) {
        var parser = LogPatternParser(Array(source.unicodeScalars))
        let (node, insensitive) = try parser.parse()
        var compiler = LogPatternCompiler(caseInsensitive: insensitive)
        try compiler.emit(node)
        compiler.append(.match)
        self.source = source
        self.program = compiler.program
        self.caseInsensitive = insensitive
    }

    /// What searching a line found.
    public enum Outcome: Sendable, Hashable {
        case matched
        case notMatched
        /// The line cost more than the budget (steps spent); nothing is known.
        case overBudget(steps: Int)
    }

    /// Whether some part of `line` matches (like `firstMatch(in:) != nil`).
    /// - Parameter budget: steps (NFA states visited) allowed for this line.
    public func search(_ line: String, budget: Int = LogPattern.stepBudget) -> Outcome {
        var machine = LogPatternMachine(program: program, caseInsensitive: caseInsensitive)
        return machine.search(Array(line.unicodeScalars), budget: budget)
    }

    public static func == (a: LogPattern, b: LogPattern) -> Bool { a.source == b.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}

/// Why a log pattern was rejected.
public struct LogPatternError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based position (in Unicode scalars) in the pattern where the problem starts.
    public var position: Int
    public var reason: String

    public var description: String { "\(reason) (at character \(position) of the pattern)" }
}

/// One step of the compiled program.
enum LogPatternInstruction: Sendable, Hashable {
    case scalar(Unicode.Scalar)
    case any
    case set(ScalarSet)
    /// Continue at both targets.
    case split(Int, Int)
    case jump(Int)
    case assert(LogPatternAssertion)
    case match
}

enum LogPatternAssertion: Sendable, Hashable {
    case lineStart, lineEnd, wordBoundary, notWordBoundary
}

/// A bracket expression or class escape: ranges and named classes, possibly negated.
struct ScalarSet: Sendable, Hashable {
    enum Item: Sendable, Hashable {
        case range(UInt32, UInt32)
        case digit, word, space
        case notDigit, notWord, notSpace
    }

    var items: [Item] = []
    var negated = false

    func contains(_ c: Unicode.Scalar) -> Bool {
        let found = items.contains { item in
            switch item {
            case .range(let low, let high): return (low...high).contains(c.value)
            case .digit: return Self.isDigit(c)
            case .word: return Self.isWord(c)
            case .space: return c.properties.isWhitespace
            case .notDigit: return !Self.isDigit(c)
            case .notWord: return !Self.isWord(c)
            case .notSpace: return !c.properties.isWhitespace
            }
        }
        return found != negated
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { c.properties.numericType == .decimal }
    static func isWord(_ c: Unicode.Scalar) -> Bool {
        c == "_" || c.properties.isAlphabetic || isDigit(c)
    }
}
