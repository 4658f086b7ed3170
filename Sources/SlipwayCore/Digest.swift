import Crypto

/// A content digest, `sha256:<64 lowercase hex>` (OCI image-spec v1.1 §descriptor "digests").
public struct Digest: Sendable, Hashable, StringCodable, Comparable {
    public static let kind = "sha256 digest"

    public let hex: String

    public init(hex: String) {
        self.hex = hex
    }

    /// Parses `sha256:<hex>`; `nil` for any other algorithm or shape.
    public init?(_ text: String) {
        guard text.hasPrefix("sha256:") else { return nil }
        let hex = String(text.dropFirst(7))
        guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        self.hex = hex
    }

    /// The digest of `bytes`.
    public static func of<Bytes: Sequence>(_ bytes: Bytes) -> Digest where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        return Digest(hasher.finalize())
    }

    /// The digest a finished SHA-256 computation gives (`Digest(hasher.finalize())`).
    public init(_ digest: SHA256.Digest) {
        hex = digest.map { byte in
            let h = String(byte, radix: 16)
            return byte < 16 ? "0" + h : h
        }.joined()
    }

    public var description: String { "sha256:" + hex }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.hex < rhs.hex }
}
