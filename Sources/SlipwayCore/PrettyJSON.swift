import Foundation

/// The JSON Slipway prints and keeps for people to read: pretty-printed, keys sorted, `/` not
/// escaped, so the same value always gives the same bytes.
public enum PrettyJSON {
    /// `value` as JSON text, without a trailing newline.
    /// - Throws: `EncodingError` when a value cannot be encoded.
    public static func text<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try data(value), as: UTF8.self)
    }

    /// `value` as JSON bytes.
    /// - Throws: `EncodingError` when a value cannot be encoded.
    public static func data<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
