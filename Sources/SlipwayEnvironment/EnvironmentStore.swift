import Foundation
import SlipwayCore

/// Reads and writes cached environments. The warm path: no Nix, no manifest parsing.
public struct EnvironmentStore: Sendable {
    public let layout: ProjectLayout

    public init(layout: ProjectLayout) {
        self.layout = layout
    }

    /// The key of the manifest and lock files as they are now on disk.
    /// - Throws: ``FileText/ReadError`` when the manifest cannot be read.
    public func currentKey(profile: String) throws(FileText.ReadError) -> String {
        let manifest = try FileText.readBytes(layout.manifest)
        let lock = try? FileText.readBytes(layout.lockFile)
        return EnvironmentKey.compute(manifest: manifest, lock: lock, profile: profile, root: layout.root)
    }

    /// The cached environment of `profile` if it is still valid: same key, same format, and
    /// every required store path present. `nil` otherwise (then the caller rebuilds).
    ///
    /// The key is not computed while the files' ``KeySignature`` is the one recorded; when it
    /// was computed and matched, the compact file records the files' signature once they have
    /// settled (a build right after an edit records none).
    /// - Parameter needsBuild: `false` when the caller only starts processes: then the compact
    ///   ``ExecEnvironmentFile`` is read when there is one (its ``CachedEnvironment/build`` is empty).
    public func validEnvironment(profile: String, needsBuild: Bool = true) -> CachedEnvironment? {
        guard let cached = load(profile: profile, needsBuild: needsBuild),
              cached.formatVersion == CachedEnvironment.formatVersion
        else { return nil }
        var settled: String?
        if cached.keySignature == nil || cached.keySignature != KeySignature.current(layout, profile: profile) {
            // Taken before the files are read for the key, as when the environment was saved.
            settled = needsBuild ? nil : KeySignature.recordable(layout, profile: profile)
            guard let key = try? currentKey(profile: profile), cached.key == key else { return nil }
        }
        for path in cached.requiredPaths where access(path, F_OK) != 0 { return nil }
        for (folder, fingerprint) in cached.localInputs where TreeFingerprint.of(folder) != fingerprint { return nil }
        if let source = cached.projectSource, ProjectSource.scan(layout.root).fingerprint != source { return nil }
        if let settled { recordSignature(settled, in: cached) }
        return cached
    }

    /// Rewrites the compact file of `cached` with `signature` (a failure only costs a key next time).
    private func recordSignature(_ signature: String, in cached: CachedEnvironment) {
        var signed = cached
        signed.keySignature = signature
        guard let bytes = ExecEnvironmentFile.render(signed) else { return }
        try? Data(bytes).write(to: URL(fileURLWithPath: layout.execEnvironmentCache(profile: cached.profile)), options: .atomic)
    }

    /// The saved environment of `profile`, not yet checked: the compact file when the build is
    /// not needed and it reads, else the JSON file.
    private func load(profile: String, needsBuild: Bool) -> CachedEnvironment? {
        if !needsBuild, let bytes = try? FileText.readBytes(layout.execEnvironmentCache(profile: profile)),
           let cached = ExecEnvironmentFile.parse(bytes) {
            return cached
        }
        guard let bytes = try? FileText.readBytes(layout.environmentCache(profile: profile)) else { return nil }
        return try? JSONDecoder().decode(CachedEnvironment.self, from: Data(bytes))
    }

    /// Saves `environment` atomically (write to a temporary file, then rename), as JSON and in
    /// the compact ``ExecEnvironmentFile`` form (removed when a value cannot be written in it).
    /// - Throws: Foundation's file errors.
    public func save(_ environment: CachedEnvironment) throws {
        let path = layout.environmentCache(profile: environment.profile)
        let compact = layout.execEnvironmentCache(profile: environment.profile)
        try FileManager.default.createDirectory(atPath: FilePaths.parent(path), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: compact)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(environment).write(to: URL(fileURLWithPath: path), options: .atomic)
        if let bytes = ExecEnvironmentFile.render(environment) {
            try Data(bytes).write(to: URL(fileURLWithPath: compact), options: .atomic)
        }
    }

    /// Removes every cached environment (after `slipway update`).
    public func invalidateAll() {
        let dir = layout.cacheDir
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where name.hasPrefix("env-") {
            try? FileManager.default.removeItem(atPath: dir + "/" + name)
        }
    }
}
