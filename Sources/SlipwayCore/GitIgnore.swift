/// The rules of one `.gitignore` file (gitignore(5)), matched against paths relative to the
/// project root.
///
/// Supported: `#` comments, blank lines, trailing spaces (kept when escaped with `\`), `!`
/// negation, a trailing `/` (folders only), anchoring (a `/` at the start or in the middle
/// makes the pattern relative to the file's folder; without one it matches a name at any
/// depth), `*`, `?`, `[...]` and `**` (``FileGlob`` with hidden names matched, as Git does).
/// Within one file the last matching rule decides.
public struct GitIgnore: Sendable, Hashable {
    /// One pattern line.
    public struct Rule: Sendable, Hashable {
        public var glob: FileGlob
        /// `!pattern`: a match re-includes the path.
        public var negated: Bool
        /// `pattern/`: only folders match.
        public var directoryOnly: Bool
        /// Matched against the whole path below ``GitIgnore/base`` (else against the last name).
        public var anchored: Bool
    }

    /// The folder holding the file, relative to the root (`""` for the root).
    public let base: String
    public let rules: [Rule]

    /// Parses the text of a `.gitignore` in `base` (relative to the root, `""` for the root).
    public init(_ text: String, base: String) {
        self.base = base
        rules = text.split(separator: "\n", omittingEmptySubsequences: true).compactMap { Self.rule(String($0)) }
    }

    static func rule(_ raw: String) -> Rule? {
        var line = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
        while line.hasSuffix(" ") && !line.hasSuffix("\\ ") { line.removeLast() }
        if line.hasSuffix("\\ ") { line = String(line.dropLast(2)) + " " }
        guard !line.isEmpty, !line.hasPrefix("#") else { return nil }
        var negated = false
        if line.hasPrefix("!") {
            negated = true
            line.removeFirst()
        } else if line.hasPrefix("\\!") || line.hasPrefix("\\#") {
            line.removeFirst()
        }
        var directoryOnly = false
        while line.hasSuffix("/") {
            directoryOnly = true
            line.removeLast()
        }
        let anchored = line.contains("/")
        while line.hasPrefix("/") { line.removeFirst() }
        guard !line.isEmpty else { return nil }
        return Rule(glob: FileGlob(line, matchesHidden: true), negated: negated, directoryOnly: directoryOnly, anchored: anchored)
    }

    /// `true` when the last matching rule ignores `path` (relative to the root), `false` when
    /// it re-includes it (`!`), `nil` when no rule matches or `path` is not below ``base``.
    public func verdict(_ path: String, isDirectory: Bool) -> Bool? {
        let relative: Substring
        if base.isEmpty {
            relative = Substring(path)
        } else if path.hasPrefix(base + "/") {
            relative = path.dropFirst(base.count + 1)
        } else {
            return nil
        }
        let name = relative.split(separator: "/").last.map(String.init) ?? String(relative)
        for rule in rules.reversed() where !rule.directoryOnly || isDirectory {
            if rule.glob.matches(rule.anchored ? String(relative) : name) { return !rule.negated }
        }
        return nil
    }

    /// Whether the rules of `files` (root first, deeper ones later) ignore `path`: the deepest
    /// file with a matching rule decides.
    public static func ignores(_ path: String, isDirectory: Bool, by files: [GitIgnore]) -> Bool {
        for file in files.reversed() {
            if let verdict = file.verdict(path, isDirectory: isDirectory) { return verdict }
        }
        return false
    }
}
