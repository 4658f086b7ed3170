import SlipwayCore

/// One problem found in a manifest, at a source location.
///
/// Printed as `slipway.toml:LINE:COLUMN: error: MESSAGE`, followed by `  hint: HINT` when a hint
/// helps. Validation collects every diagnostic before failing (see ``ManifestError/invalid(_:)``).
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem; tests match on it.
    public enum Kind: Sendable, Hashable {
        /// TOML syntax, with TOMLKit's (toml++) message.
        case syntax(String)
        /// The file is not UTF-8 text (an invalid byte, a NUL byte): why, at the first such byte.
        case notText(String)
        /// The file is over the size limit (bytes).
        case tooLarge(limit: Int)
        /// Tables, keys and arrays nest deeper than `limit` here.
        case tooDeep(limit: Int)
        /// `key` is not allowed in `table`; `suggestion` is the closest allowed key, if near.
        case unknownKey(key: String, table: String, suggestion: String?, allowed: [String])
        /// `key` has a value of the wrong TOML type.
        case wrongType(key: String, expected: String, found: String)
        /// A value of the right type that Slipway cannot use.
        case invalidValue(key: String, reason: String)
        /// `profiles.NAME.extends` names no profile.
        case unknownProfile(profile: String, extends: String, known: [String])
        /// `extends` chains loop back: the cycle, starting and ending with the same profile.
        case extendsCycle([String])
        /// Services depend on each other in a cycle: names, first repeated at the end.
        case dependencyCycle([String])
        /// Tasks depend on each other in a cycle (`deps`): names, first repeated at the end.
        case taskCycle([String])
        /// Artifacts that use each other (`artifacts.NAME` in their expressions), first repeated at the end.
        case artifactCycle([String])
        /// Nix has no attribute for this package: the package set searched (a flake ref) and the
        /// closest of its own attribute names, if any is close.
        case missingAttribute(package: String, attribute: String, set: String? = nil, suggestion: String? = nil)
        /// Nix failed to evaluate or build this package.
        case packageFailed(package: String, detail: String)
        /// Nix could not fetch or read the package set (`[nix] nixpkgs`): its ref and Nix's words.
        case packageSetUnreadable(ref: String, detail: String)
    }

    public var kind: Kind
    public var location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    public var message: String {
        switch kind {
        case .syntax(let text):
            return "TOML syntax error: \(text)"
        case .notText(let reason):
            return "the manifest is not UTF-8 text: \(reason)"
        case .tooLarge(let limit):
            return "the manifest is larger than \(limit >> 20) MiB (\(limit) bytes), the most Slipway reads"
        case .tooDeep(let limit):
            return "the manifest nests deeper than \(limit) levels here (tables, dotted keys, inline tables and arrays)"
        case .unknownKey(let key, let table, _, _):
            return table.isEmpty ? "unknown key '\(key)'" : "unknown key '\(key)' in [\(table)]"
        case .wrongType(let key, let expected, let found):
            return "'\(key)' must be \(expected), found \(found)"
        case .invalidValue(let key, let reason):
            return "invalid value for '\(key)': \(reason)"
        case .unknownProfile(let profile, let extends, _):
            return "profile '\(profile)' extends unknown profile '\(extends)'"
        case .extendsCycle(let cycle):
            return "profiles extend each other in a cycle: \(cycle.joined(separator: " -> "))"
        case .dependencyCycle(let cycle):
            return "services depend on each other in a cycle: \(cycle.joined(separator: " -> "))"
        case .taskCycle(let cycle):
            return "tasks depend on each other in a cycle: \(cycle.joined(separator: " -> "))"
        case .artifactCycle(let cycle):
            return "artifacts use each other in a cycle: \(cycle.joined(separator: " -> "))"
        case .missingAttribute(let package, let attribute, _, _):
            return "package '\(package)': the package set has no attribute '\(attribute)'"
        case .packageFailed(let package, let detail):
            return "package '\(package)' failed to build:\n\(detail)"
        case .packageSetUnreadable(let ref, let detail):
            return "the package set \(ref) cannot be read:\n\(detail)"
        }
    }

    public var hint: String? {
        switch kind {
        case .syntax(let text) where text.hasPrefix("this array is never closed"):
            return "end the array with ']' after its last element"
        case .syntax(let text) where text.hasPrefix("this inline table is never closed"):
            return "end the inline table with '}' on the same line (TOML 1.0 inline tables are one line)"
        case .syntax:
            return nil
        case .notText:
            return "save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)"
        case .tooLarge:
            return "is this the right file? Move large data out of slipway.toml"
        case .tooDeep:
            return "flatten the tables; a manifest needs only a few levels"
        case .unknownKey(_, _, let suggestion?, _):
            return "did you mean '\(suggestion)'?"
        case .unknownKey(_, _, nil, let allowed):
            return allowed.isEmpty ? nil : "allowed here: \(allowed.joined(separator: ", "))"
        case .wrongType:
            return nil
        case .invalidValue:
            return nil
        case .unknownProfile(_, let extends, let known):
            if let near = Spelling.closest(to: extends, in: known) { return "did you mean '\(near)'?" }
            return "known profiles: \(known.joined(separator: ", "))"
        case .extendsCycle:
            return "remove 'extends' from one of these profiles"
        case .dependencyCycle:
            return "remove one of these depends_on entries"
        case .taskCycle:
            return "remove one of these deps entries"
        case .artifactCycle:
            return "an artifact cannot be built from itself: remove one of these `artifacts.NAME` uses"
        case .missingAttribute(_, _, let set, let suggestion?):
            return "did you mean '\(suggestion)'? (searched the attribute names of \(set ?? "the package set"))"
        case .missingAttribute(_, let attribute, let set, nil):
            let search = set.map { "`nix --extra-experimental-features \"nix-command flakes\" search \($0) \(attribute)`" } ?? "`nix search`"
            return "no close name in \(set ?? "the package set"); check the attribute name (e.g. \(search)), "
                + "or use { nix = \"<expression>\" }"
        case .packageFailed:
            return nil
        case .packageSetUnreadable(let ref, _) where ref.hasPrefix("path:"):
            return "a relative nixpkgs path is read from the manifest's folder; point [nix] nixpkgs at an existing "
                + "folder (an absolute path, or `slipway init --nixpkgs REF`)"
        case .packageSetUnreadable:
            return "check the network and the ref in [nix] nixpkgs; offline, point it at a local package set (`path:/...`), or set SLIPWAY_NIXPKGS=path:/... for this machine only"
        }
    }

    /// `file:line:column: error: message` and, if any, an indented hint line.
    public var description: String {
        var text = "\(location): error: \(message)"
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }
}

/// Why a manifest could not be used.
public enum ManifestError: SlipwayError, Sendable {
    /// The manifest file does not exist or cannot be read.
    case unreadable(path: String, reason: String)
    /// One or more problems, in source order.
    case invalid([Diagnostic])
    /// A command asked for a profile the manifest does not define.
    case unknownProfile(String, known: [String])

    public var message: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read manifest \(path): \(reason)"
        case .invalid(let diagnostics):
            let count = diagnostics.count
            return diagnostics.map(\.description).joined(separator: "\n")
                + "\n\(count) error\(count == 1 ? "" : "s") in manifest"
        case .unknownProfile(let name, _):
            return "unknown profile '\(name)'"
        }
    }

    public var hint: String? {
        switch self {
        case .unreadable:
            return "run `slipway init` to create a slipway.toml, or pass --manifest PATH"
        case .invalid:
            return nil
        case .unknownProfile(let name, let known):
            if let near = Spelling.closest(to: name, in: known) { return "did you mean '\(near)'?" }
            return "profiles: \(known.joined(separator: ", "))"
        }
    }

    /// The diagnostics, for tests and `--json` output.
    public var diagnostics: [Diagnostic] {
        if case .invalid(let list) = self { return list }
        return []
    }
}

/// "Did you mean" suggestions by edit distance.
public enum Spelling {
    /// The candidate closest to `word` by Levenshtein distance, if within about a third of its length
    /// and sharing at least one character with it (`d` suggests nothing, not `a`).
    /// Words over 64 characters, and lists of over 500 candidates, get no suggestion, and
    /// candidates whose length differs by more than the limit are skipped before any distance is
    /// computed: a hostile manifest's long names or thousands of misspelt references cannot make
    /// a load quadratic.
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let lowered = Array(word.lowercased().unicodeScalars)
        let length = lowered.count
        guard length <= 64, candidates.count <= 500 else { return nil }
        let limit = max(1, length / 3 + 1)
        var best: (String, Int)?
        for candidate in candidates {
            // A UTF-8 length (O(1)) outside these bounds means a scalar length outside the limit.
            let bytes = candidate.utf8.count
            guard bytes >= length - limit, bytes <= 4 * (length + limit) else { continue }
            let other = Array(candidate.lowercased().unicodeScalars)
            guard abs(other.count - length) <= limit else { continue }
            let d = distance(lowered, other)
            if d <= limit, d < length, d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        return best?.0
    }

    static func distance(_ a: String, _ b: String) -> Int {
        distance(Array(a.unicodeScalars), Array(b.unicodeScalars))
    }

    /// Levenshtein distance with two reused rows.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
