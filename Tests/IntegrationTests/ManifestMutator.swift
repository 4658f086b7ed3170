/// A small, seeded generator of broken manifests for the fuzz tests: byte flips, deleted and
/// duplicated lines, duplicated tables, swapped lines, stray TOML tokens, odd values,
/// truncation, and nesting thousands deep. The same seed gives the same mutations.
struct ManifestMutator {
    /// SplitMix64 (Steele, Lea, Flood 2014): small, fast and good enough to pick mutations.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The seed of case `index` of a run seeded with `seed`.
    static func caseSeed(_ seed: UInt64, _ index: Int) -> UInt64 {
        var mixer = Generator(state: seed ^ (UInt64(index) &* 0xD6E8_FEB8_6659_FD93))
        return mixer.next()
    }

    private static let tokens = [
        "\"", "'", "'''", "\"\"\"", "[", "]", "[[", "]]", "{", "}", "=", ".", ",", "#", "\\", "\\u", "\n",
        " = [", " = {", "extends = \"dev\"", "extends = \"nope\"", "disabled = true", "port = 8080", "\u{FEFF}",
        "\r", "\t", "é", "🚀", "0x", "1e999", "nan", "-inf",
    ]
    private static let values = [
        "[]", "{}", "true", "false", "-1", "0", "65536", "\"\"", "\"x\"", "1.5", "1979-05-27T07:32:00Z",
        "99999999999999999999", "[1, \"a\"]", "{ a = 1 }", "\"$UNDEFINED\"", "\"../../..\"", "\"auto\"",
        "[\"a\", \"a\"]", "{ nix = \"\" }", "\"a b c\"",
    ]

    /// `source` with one to three mutations chosen by `generator`.
    static func mutate(_ source: [UInt8], using generator: inout Generator) -> [UInt8] {
        var bytes = source
        for _ in 0..<Int.random(in: 1...3, using: &generator) {
            bytes = mutateOnce(bytes, using: &generator)
        }
        return bytes
    }

    private static func mutateOnce(_ bytes: [UInt8], using g: inout Generator) -> [UInt8] {
        var lines = split(bytes)
        guard !lines.isEmpty else { return Array("[".utf8) }
        let pick = Int.random(in: 0..<lines.count, using: &g)
        switch Int.random(in: 0..<11, using: &g) {
        case 0, 1:  // flip a byte (often into invalid UTF-8)
            var copy = bytes
            if !copy.isEmpty { copy[Int.random(in: 0..<copy.count, using: &g)] = UInt8.random(in: 0...255, using: &g) }
            return copy
        case 2:
            lines.remove(at: pick)
        case 3:
            lines.insert(lines[pick], at: pick)
        case 4:
            lines = duplicateTable(lines, using: &g)
        case 5:
            lines.swapAt(pick, Int.random(in: 0..<lines.count, using: &g))
        case 6:
            var line = lines[pick]
            let at = Int.random(in: 0...line.count, using: &g)
            line.insert(contentsOf: Array(tokens.randomElement(using: &g)!.utf8), at: at)
            lines[pick] = line
        case 7:
            guard let equals = lines[pick].firstIndex(of: UInt8(ascii: "=")) else { return bytes }
            lines[pick] = Array(lines[pick][...equals]) + Array((" " + values.randomElement(using: &g)!).utf8)
        case 8:
            return Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &g)))
        default:
            lines.insert(Array(deepNesting(using: &g).utf8), at: pick)
        }
        return lines.flatMap { $0 + [UInt8(ascii: "\n")] }
    }

    private static func split(_ bytes: [UInt8]) -> [[UInt8]] {
        bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
    }

    /// A `[table]` and its lines, inserted again before another table.
    private static func duplicateTable(_ lines: [[UInt8]], using g: inout Generator) -> [[UInt8]] {
        let headers = lines.indices.filter { lines[$0].first == UInt8(ascii: "[") }
        guard let start = headers.randomElement(using: &g), let target = headers.randomElement(using: &g) else { return lines }
        let end = headers.first { $0 > start } ?? lines.count
        var result = lines
        result.insert(contentsOf: lines[start..<end], at: target)
        return result
    }

    /// Tables, dotted keys, inline tables or arrays nested up to 20,000 deep.
    private static func deepNesting(using g: inout Generator) -> String {
        let depth = [50, 127, 128, 129, 200, 1_000, 20_000].randomElement(using: &g)!
        let keys = Array(repeating: "a", count: depth).joined(separator: ".")
        switch Int.random(in: 0..<6, using: &g) {
        case 0: return "[" + keys + "]"
        case 1: return keys + " = 1"
        case 2: return "[deploy." + keys + "]"
        case 3: return "x = " + String(repeating: "{a = ", count: depth) + "1" + String(repeating: "}", count: depth)
        case 4: return "x = " + String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
        default: return "[[" + keys + "]]"
        }
    }
}
