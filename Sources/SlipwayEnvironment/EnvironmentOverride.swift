import SlipwayCore

/// A variable the caller sets for one command (`slipway exec -e NAME=VALUE`, `slipway run -e ...`):
/// it wins over the profile's `[env]`, its dotenv files and a task's `env`, and the entries that
/// name it (`$NAME`) expand to it. The value is taken as it is (the caller's shell has already
/// expanded it).
public struct EnvironmentOverride: Sendable, Hashable, Codable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// Errors of `-e` words.
    public enum ParseError: SlipwayError, Equatable {
        /// The part before `=` is not a variable name (`[A-Za-z_][A-Za-z0-9_]*`).
        case invalidName(String)
        /// `-e NAME` without `=`, and the caller's environment has no `NAME`.
        case unset(String)

        public var message: String {
            switch self {
            case .invalidName(let word):
                return "-e \(word): expected NAME=VALUE (or NAME, to pass your own value), with NAME made of "
                    + "letters, digits and '_', not starting with a digit"
            case .unset(let name):
                return "-e \(name): \(name) is not set in your environment; give a value with -e \(name)=VALUE"
            }
        }
    }

    /// Parses `NAME=VALUE`, or `NAME` alone for the caller's own value of `NAME`.
    /// - Throws: ``ParseError``.
    public init(parsing word: String, inherited: [String: String]) throws(ParseError) {
        let name = String(word.prefix { $0 != "=" })
        guard Self.isName(name) else { throw .invalidName(word) }
        if name.count < word.count {
            self.init(name: name, value: String(word.dropFirst(name.count + 1)))
        } else if let value = inherited[name] {
            self.init(name: name, value: value)
        } else {
            throw .unset(name)
        }
    }

    /// Whether `text` is a portable environment variable name.
    public static func isName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0)
            || ("0"..."9").contains($0) }
    }
}
