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
        hasher.update(bytes: Array(bytes))
        return Digest(hasher.finalize())
    }

    /// The digest a finished SHA-256 computation gives (`Digest(hasher.finalize())`).
    ///
    /// Written from the raw bytes, not with `map` and `String(_:radix:)`: their generic
    /// requirements cost protocol-conformance scans of the whole binary on first use, on every
    /// start (a warm `slipway exec` computes one digest).
    public init(_ digest: SHA256.Digest) {
        hex = digest.withUnsafeBytes { Self.lowercaseHex($0) }
    }

    /// `bytes` as lowercase hexadecimal, two digits per byte.
    public static func lowercaseHex(_ bytes: UnsafeRawBufferPointer) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: bytes.count * 2) { buffer in
            digits.withUTF8Buffer { digits in
                for (index, byte) in bytes.enumerated() {
                    buffer[2 * index] = digits[Int(byte >> 4)]
                    buffer[2 * index + 1] = digits[Int(byte & 0x0f)]
                }
            }
            return bytes.count * 2
        }
    }

    public var description: String { "sha256:" + hex }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.hex < rhs.hex }
}

extension SHA256 {
    /// Hashes `bytes` through `update(bufferPointer:)`: swift-crypto's `update(data:)` is generic
    /// over `DataProtocol`, whose witness tables are looked up at run time (a scan of every
    /// conformance record of the binary) the first time.
    public mutating func update(bytes: [UInt8]) {
        bytes.withUnsafeBytes { update(bufferPointer: $0) }
    }
}
