import Yams

/// A generated YAML file: a top-level mapping built as a Yams `Node` tree (keys in the order
/// given), emitted by `Yams.serialize(node:)`, with comment lines above the document and above
/// chosen top-level keys.
///
/// Yams' node model has no comments, so they are the one thing added to the emitted text: whole
/// `#` lines, each before the line where a top-level entry starts. In block style that line is
/// the only one of the entry at column 0 that is neither a sequence item (`- `), nor a comment,
/// nor the value half (`: `) of a long key written as `? key`.
struct YAMLDocument {
    struct Entry {
        var key: String
        var value: Node
        /// Comment paragraphs above the key, without the `# ` (see ``YAMLDocument/wrap(_:width:)``).
        var comment: [String]
    }

    /// Comment paragraphs at the top of the file, without the `# `.
    var header: [String]
    var entries: [Entry] = []

    init(header: [String]) { self.header = header }

    /// Appends `key: value`, with `comment` paragraphs (and a blank line) above it.
    mutating func append(_ key: String, _ value: Node, comment: [String] = []) {
        entries.append(Entry(key: key, value: value, comment: comment))
    }

    /// The file's text: header comments, then the emitted mapping, a blank line between entries.
    ///
    /// - Throws: `YamlError` from the emitter, or ``CIGenerationError/emitter(_:)`` when the
    ///   emitted text does not have one column-0 line per entry (a Yams change would do that).
    func render() throws -> String {
        let root = Node(entries.map { (Node($0.key), $0.value) })
        let emitted = try Yams.serialize(node: root, width: -1, allowUnicode: true)
        var lines = emitted.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let starts = lines.indices.filter { Self.startsEntry(lines[$0]) }
        guard starts.count == entries.count else {
            throw CIGenerationError.emitter("expected \(entries.count) top-level keys, found \(starts.count)")
        }
        var out = Self.wrap(header).map(Self.commentLine)
        for (index, entry) in entries.enumerated() {
            let end = index + 1 < starts.count ? starts[index + 1] : lines.count
            if !out.isEmpty { out.append("") }
            out += Self.wrap(entry.comment).map(Self.commentLine)
            out += lines[starts[index]..<end]
        }
        return out.joined(separator: "\n") + "\n"
    }

    private static func commentLine(_ text: String) -> String { text.isEmpty ? "#" : "# " + text }

    /// `paragraphs` as comment lines of at most `width` characters after the `# ` (longer only
    /// for one long word), words and `code spans` kept whole; an empty paragraph gives a bare
    /// `#` line between the others.
    static func wrap(_ paragraphs: [String], width: Int = 90) -> [String] {
        var lines: [String] = []
        for paragraph in paragraphs {
            var words: [String] = []
            var inCode = false
            for word in paragraph.split(separator: " ") {
                if inCode, let last = words.popLast() { words.append(last + " " + word) } else { words.append(String(word)) }
                if word.filter({ $0 == "`" }).count % 2 == 1 { inCode.toggle() }
            }
            var line = ""
            for word in words {
                if !line.isEmpty, line.count + 1 + word.count > width {
                    lines.append(line)
                    line = ""
                }
                line += (line.isEmpty ? "" : " ") + word
            }
            lines.append(line)
        }
        return lines
    }

    private static func startsEntry(_ line: String) -> Bool {
        guard let first = line.first, first != " ", first != "#" else { return false }
        // `- item` and `: value` are indicators; `-x:` or `:x` would be (quoted or plain) keys.
        return !(["-", ":"].contains(first) && (line.count == 1 || line.dropFirst().first == " "))
    }
}

/// Node constructors for generated files.
enum YAMLValue {
    /// A string scalar, quoted when a plain scalar would read as something else (`on`, `true`,
    /// `1.0`, `null`, `~`): YAML 1.1 resolvers (PyYAML, GitLab's Psych) would change it.
    static func string(_ text: String) -> Node {
        let plain = Node(text)
        return Resolver.default.resolveTag(of: plain) == .str ? plain : Node(text, .implicit, .doubleQuoted)
    }

    /// A multi-line string as a literal block (`|`), each line ending in a newline.
    static func lines(_ lines: [String]) -> Node {
        Node(lines.map { $0 + "\n" }.joined(), .implicit, .literal)
    }

    /// An ordered mapping of string keys; `nil` values are left out.
    static func mapping(_ pairs: [(String, Node?)]) -> Node {
        Node(pairs.compactMap { key, value in value.map { (Node(key), $0) } })
    }

    /// A block sequence of strings.
    static func sequence(_ items: [String]) -> Node { Node(items.map(string)) }

    /// A block sequence of nodes.
    static func sequence(_ items: [Node]) -> Node { Node(items) }

    /// A flow sequence of strings (`[a, b]`), for short lists read as one value.
    static func flowSequence(_ items: [String]) -> Node { Node(items.map(string), .implicit, .flow) }
}
