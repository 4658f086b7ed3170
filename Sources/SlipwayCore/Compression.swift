/// Layer compression, chosen per image (`compression = "gzip" | "zstd" | "none"` in the
/// manifest). The compressors themselves live in SlipwayOCI.
public enum Compression: String, Sendable, Codable, CaseIterable {
    case gzip, zstd, none
}
