import Crypto
import SlipwayCore
import SlipwayManifest

/// `Digest` is also the name of a swift-crypto protocol.
private typealias Digest = SlipwayCore.Digest

/// The cache key of a profile's environment: SHA-256 over the manifest bytes, the lock bytes
/// (empty when there is no lock), the profile name, the project root and the cache format.
public enum EnvironmentKey {
    /// `sha256:<hex>` of the inputs; any change to them gives another key.
    /// - Parameter overrides: ``ManifestOverrides/keyPart`` (the machine's `SLIPWAY_NIXPKGS`).
    public static func compute(
        manifest: [UInt8], lock: [UInt8]?, profile: String, root: String, overrides: [UInt8] = ManifestOverrides.keyPart
    ) -> String {
        var hasher = SHA256()
        let format = Array("slipway-env-v\(CachedEnvironment.formatVersion)".utf8)
        var parts = [format, manifest, lock ?? [], Array(profile.utf8), Array(root.utf8)]
        if !overrides.isEmpty { parts.append(overrides) }
        for part in parts {
            var length = UInt64(part.count).littleEndian
            withUnsafeBytes(of: &length) { hasher.update(bufferPointer: $0) }
            hasher.update(bytes: part)
        }
        return Digest(hasher.finalize()).description
    }
}
