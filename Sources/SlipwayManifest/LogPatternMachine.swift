/// Turns a ``LogPatternNode`` into a Pike VM program.
struct LogPatternCompiler {
    let caseInsensitive: Bool
    private(set) var program: [LogPatternInstruction] = []

    init(caseInsensitive: Bool) { self.caseInsensitive = caseInsensitive }

    mutating func append(_ instruction: LogPatternInstruction) {
        program.append(instruction)
    }

    /// - Throws: when the program grows past ``LogPattern/maxProgramSize``.
    mutating func emit(_ node: LogPatternNode) throws(LogPatternError) {
        guard program.count <= LogPattern.maxProgramSize else {
            throw LogPatternError(
                position: 1,
                reason: "the pattern is too large (over \(LogPattern.maxProgramSize) steps once {n,m} are expanded)")
        }
        switch node {
        case .empty: break
        case .scalar(let c): append(.scalar(caseInsensitive ? LogPatternMachine.fold(c) : c))
        case .any: append(.any)
        case .set(let set): append(.set(set))
        case .assert(let kind): append(.assert(kind))
        case .concat(let items): for item in items { try emit(item) }
        case .alternate(let branches): try alternate(branches)
        case .repetition(let inner, let minimum, let maximum): try repeatNode(inner, minimum, maximum)
        }
    }

    private mutating func alternate(_ branches: [LogPatternNode]) throws(LogPatternError) {
        var exits: [Int] = []
        for (i, branch) in branches.enumerated() {
            if i == branches.count - 1 {
                try emit(branch)
                break
            }
            let split = program.count
            append(.split(split + 1, -1))
            try emit(branch)
            exits.append(program.count)
            append(.jump(-1))
            program[split] = .split(split + 1, program.count)
        }
        for exit in exits { program[exit] = .jump(program.count) }
    }

    private mutating func repeatNode(_ inner: LogPatternNode, _ minimum: Int, _ maximum: Int?) throws(LogPatternError) {
        for _ in 0..<minimum { try emit(inner) }
        guard let maximum else {
            // inner*: L: split(body, out); body; jump L
            let loop = program.count
            append(.split(loop + 1, -1))
            try emit(inner)
            append(.jump(loop))
            program[loop] = .split(loop + 1, program.count)
            return
        }
        var skips: [Int] = []
        for _ in minimum..<maximum {
            skips.append(program.count)
            append(.split(program.count + 1, -1))
            try emit(inner)
        }
        for skip in skips { program[skip] = .split(skip + 1, program.count) }
    }
}

/// Runs a program over one line: every thread advances in lock step, each program counter at
/// most once per position, so the work is at most `positions × program size`.
struct LogPatternMachine {
    let program: [LogPatternInstruction]
    let caseInsensitive: Bool
    /// The position each program counter was last added at: a thread list holds each counter
    /// once (the current list's entries carry this position, the next list's the one after).
    private var seenAt: [Int]
    private var stack: [Int] = []
    private var steps = 0

    init(program: [LogPatternInstruction], caseInsensitive: Bool) {
        self.program = program
        self.caseInsensitive = caseInsensitive
        self.seenAt = Array(repeating: -1, count: program.count)
    }

    mutating func search(_ line: [Unicode.Scalar], budget: Int) -> LogPattern.Outcome {
        var current: [Int] = []
        var next: [Int] = []
        for position in 0...line.count {
            // Unanchored search: a new thread starts at every position.
            if add(0, at: position, line, into: &current) { return .matched }
            guard position < line.count else { break }
            let c = caseInsensitive ? Self.fold(line[position]) : line[position]
            next.removeAll(keepingCapacity: true)
            for pc in current where consumes(program[pc], c, original: line[position]) {
                if add(pc + 1, at: position + 1, line, into: &next) { return .matched }
            }
            swap(&current, &next)
            steps += current.count + 1
            if steps > budget { return .overBudget(steps: steps) }
        }
        return .notMatched
    }

    private func consumes(_ instruction: LogPatternInstruction, _ c: Unicode.Scalar, original: Unicode.Scalar) -> Bool {
        switch instruction {
        case .scalar(let expected): return expected == c
        case .any: return true
        case .set(let set):
            return set.contains(original) || (caseInsensitive && (set.contains(c) || set.contains(Self.upper(c))))
        default: return false
        }
    }

    /// Follows jumps, splits and assertions from `start`; `true` when `match` is reached.
    private mutating func add(
        _ start: Int, at position: Int, _ line: [Unicode.Scalar], into list: inout [Int]
    ) -> Bool {
        stack.append(start)
        while let pc = stack.popLast() {
            guard seenAt[pc] != position else { continue }
            seenAt[pc] = position
            steps += 1
            switch program[pc] {
            case .match:
                stack.removeAll()
                return true
            case .jump(let target): stack.append(target)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .assert(let kind):
                if Self.holds(kind, at: position, line) { stack.append(pc + 1) }
            default: list.append(pc)
            }
        }
        return false
    }

    static func holds(_ kind: LogPatternAssertion, at position: Int, _ line: [Unicode.Scalar]) -> Bool {
        switch kind {
        case .lineStart: return position == 0
        case .lineEnd: return position == line.count
        case .wordBoundary, .notWordBoundary:
            let before = position > 0 && ScalarSet.isWord(line[position - 1])
            let after = position < line.count && ScalarSet.isWord(line[position])
            return (before != after) == (kind == .wordBoundary)
        }
    }

    static func fold(_ c: Unicode.Scalar) -> Unicode.Scalar {
        let lower = c.properties.lowercaseMapping.unicodeScalars
        return lower.count == 1 ? lower.first ?? c : c
    }

    static func upper(_ c: Unicode.Scalar) -> Unicode.Scalar {
        let upper = c.properties.uppercaseMapping.unicodeScalars
        return upper.count == 1 ? upper.first ?? c : c
    }
}
