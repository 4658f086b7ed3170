/// An error a user can act on.
///
/// Every error that reaches the command line conforms: the CLI prints ``message`` (which already
/// says what went wrong and where), then ``hint`` on its own line when there is one, and exits
/// with ``exitCode``. Module errors are nested enums that conform, so tests can match cases.
public protocol SlipwayError: Error, CustomStringConvertible {
    /// What went wrong and where, on one or more lines. Never contains a secret.
    var message: String { get }
    /// What to do next, or `nil`.
    var hint: String? { get }
    /// The process exit status to use; 1 unless a subtype has a reason to differ.
    var exitCode: Int32 { get }
}

extension SlipwayError {
    public var hint: String? { nil }
    public var exitCode: Int32 { 1 }
    public var description: String {
        if let hint { return "\(message)\nhint: \(hint)" }
        return message
    }
}

/// A position in a source file: 1-based line and column (columns count Unicode scalars).
public struct SourceLocation: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the form compilers and editors understand.
    public var description: String { "\(file):\(line):\(column)" }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}
