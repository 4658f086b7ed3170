import SlipwayCore

/// The checks a manifest's bytes pass before TOMLKit sees them, so that no input can crash or
/// stall the parser: a size limit, strict UTF-8, no NUL byte, and a nesting-depth limit.
///
/// Each check is one linear pass and fails with the location of the first offending byte.
public enum ManifestText {
    /// The largest manifest accepted, in bytes (16 MiB; real manifests are a few KiB).
    public static let maximumSize = 16 * 1024 * 1024
    /// The deepest nesting accepted: key components from the document root plus enclosing
    /// arrays (`[profiles.dev.services.web.ready]` is 5, `a = [[1]]` is 3).
    public static let maximumDepth = 128

    /// The manifest's bytes as text.
    ///
    /// - Parameters:
    ///   - bytes: the file's contents.
    ///   - file: the name shown in locations.
    /// - Throws: ``ManifestError/invalid(_:)`` with one ``Diagnostic`` of kind `.notText` at the
    ///   first byte that is not UTF-8 (or is NUL), or `.tooLarge` when `bytes` is over ``maximumSize``.
    public static func decode(_ bytes: [UInt8], file: String) throws(ManifestError) -> String {
        if bytes.count > maximumSize {
            let kind = Diagnostic.Kind.tooLarge(limit: maximumSize)
            throw .invalid([Diagnostic(kind, at: SourceLocation(file: file, line: 1, column: 1))])
        }
        if let (offset, reason) = firstInvalidByte(bytes) {
            throw .invalid([Diagnostic(.notText(reason), at: location(of: offset, in: bytes, file: file))])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The offset of the first NUL byte or byte that does not belong to well-formed UTF-8
    /// (Unicode 15 §3.9, table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF).
    static func firstInvalidByte(_ bytes: [UInt8]) -> (Int, String)? {
        var i = 0
        let count = bytes.count
        while i < count {
            let lead = bytes[i]
            if lead == 0 { return (i, "it contains a NUL byte") }
            if lead < 0x80 { i += 1; continue }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return (i, invalidMessage(lead))
            }
            for k in 1..<length {
                guard i + k < count else { return (i, "it ends inside a UTF-8 sequence") }
                let byte = bytes[i + k]
                let (lo, hi) = k == 1 ? (low, high) : (0x80, 0xBF)
                if byte < lo || byte > hi { return (i, invalidMessage(lead)) }
            }
            i += length
        }
        return nil
    }

    private static func invalidMessage(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x\(hex.count == 1 ? "0" : "")\(hex) is not valid UTF-8"
    }

    /// Line and column (in characters, counting a broken sequence as one) of byte `offset`.
    static func location(of offset: Int, in bytes: [UInt8], file: String) -> SourceLocation {
        var line = 1, column = 1
        for byte in bytes[..<offset] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return SourceLocation(file: file, line: line, column: column)
    }
}
