/// A value written as one JSON string (its ``description``) and parsed back from it.
public protocol StringCodable: Codable, CustomStringConvertible {
    /// What the value is, for decoding errors ("sha256 digest").
    static var kind: String { get }
    /// Parses the written form; `nil` when it is not one.
    init?(_ text: String)
}

extension StringCodable {
    /// - Throws: `DecodingError.dataCorrupted` when the string is not of this kind.
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(text) else {
            let context = DecodingError.Context(
                codingPath: decoder.codingPath, debugDescription: "not a \(Self.kind): \(text)")
            throw DecodingError.dataCorrupted(context)
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
