import Crypto
import SlipwayCore
import SlipwayManifest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

/// A stand-in for ``EnvironmentKey`` that needs no hashing: the `stat` of the manifest and the
/// lock (device, inode, size, modification and change times in nanoseconds) with the other
/// inputs of the key, as git's index tells an unchanged file from its `stat` alone.
///
/// While the signature recorded with a cached environment equals the current one, the files
/// are the ones the key was computed from, and the warm start skips SHA-256 (whose first use
/// costs a protocol-conformance scan of the whole binary, about a tenth of a warm `exec`).
/// Any write changes the change time (`ctime`, which no tool can set back). A file changed in
/// the same clock tick as it was read could keep its times, so a signature is only recorded for
/// files last changed ``settledSeconds`` or more before the recording ("racily clean" files, in
/// git's words, are hashed at every start instead).
public enum KeySignature {
    /// How long before the recording the files must have last changed (above the 2 s
    /// timestamp granularity of the coarsest file systems).
    public static let settledSeconds = 3

    /// The signature of the files as they are now, or `nil` when one cannot be read (then the
    /// key is computed).
    public static func current(_ layout: ProjectLayout, profile: String, overrides: [UInt8] = ManifestOverrides.keyPart) -> String? {
        guard let manifest = stamp(layout.manifest), let lock = stamp(layout.lockFile) else { return nil }
        return text(manifest: manifest, lock: lock, profile: profile, root: layout.root, overrides: overrides)
    }

    /// The signature to record before reading the files for the key: `nil` when a file changed
    /// less than ``settledSeconds`` before `now` (seconds since 1970; the clock's by default),
    /// or cannot be read.
    public static func recordable(_ layout: ProjectLayout, profile: String, now: Int? = nil) -> String? {
        guard let manifest = stamp(layout.manifest), let lock = stamp(layout.lockFile) else { return nil }
        let now = now ?? Int(time(nil))
        let settled = [manifest, lock].allSatisfy { $0.changed.map { now - $0 >= settledSeconds } ?? true }
        return settled ? text(manifest: manifest, lock: lock, profile: profile, root: layout.root, overrides: ManifestOverrides.keyPart) : nil
    }

    private static func text(
        manifest: (text: String, changed: Int?), lock: (text: String, changed: Int?), profile: String, root: String, overrides: [UInt8]
    ) -> String {
        [manifest.text, lock.text, profile, root, String(decoding: overrides, as: UTF8.self)].joined(separator: "\u{1F}")
    }

    /// A file's `stat` as text, and its change time in whole seconds (`nil` when it does not exist).
    private static func stamp(_ path: String) -> (text: String, changed: Int?)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return errno == ENOENT ? ("-", nil) : nil }
        // Concatenated by hand: `joined(separator:)` costs a run-time conformance lookup on the
        // first call, on every warm `exec`.
        var text = String(UInt64(info.st_dev)) + ":" + String(UInt64(info.st_ino)) + ":" + String(UInt64(info.st_size))
        for time in [info.st_mtim, info.st_ctim] { text += ":" + String(time.tv_sec) + "." + String(time.tv_nsec) }
        return (text, info.st_ctim.tv_sec)
    }
}
