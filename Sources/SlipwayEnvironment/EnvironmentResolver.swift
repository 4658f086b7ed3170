import Foundation
import SlipwayCore
import SlipwayManifest
import SlipwayNix

/// Gets a profile's environment: from the cache when valid, else by building it with Nix.
public struct EnvironmentResolver: Sendable {
    public let layout: ProjectLayout
    /// Called with a one-line status before a (slow) Nix build starts.
    public var onBuild: @Sendable (String) -> Void

    public init(layout: ProjectLayout, onBuild: @escaping @Sendable (String) -> Void = { _ in }) {
        self.layout = layout
        self.onBuild = onBuild
    }

    /// The environment of `profile`, built if the cache is stale or missing.
    ///
    /// - Parameters:
    ///   - forceBuild: ignore a valid cache.
    ///   - needsBuild: `false` when only processes are started (`exec`): a valid compact cache
    ///     (``ExecEnvironmentFile``) is enough, and its `build` is empty.
    /// - Throws: ``ManifestError`` for an invalid manifest or unknown profile (nothing is
    ///   written then), ``NixError`` when Nix is missing or a package fails.
    public func environment(profile: String, forceBuild: Bool = false, needsBuild: Bool = true) async throws -> CachedEnvironment {
        let store = EnvironmentStore(layout: layout)
        if !forceBuild, let cached = store.validEnvironment(profile: profile, needsBuild: needsBuild) { return cached }
        let manifest = try ManifestLoader.load(path: layout.manifest, displayName: displayName)
        // One build per profile at a time: parallel cold starts wait, then use its result.
        try FileManager.default.createDirectory(atPath: layout.cacheDir, withIntermediateDirectories: true)
        let lock = try FileLock(path: layout.buildLock(profile: profile))
        defer { lock.release() }
        if !forceBuild, let cached = store.validEnvironment(profile: profile) { return cached }
        let resolved = try manifest.resolve(profile: profile)
        let nix = try NixCommand.locate()
        // Scanned before the build: a file changed during it makes the next start build again.
        let source = FlakeGenerator.packagesUseSource(resolved) ? ProjectSource.scan(layout.root).fingerprint : nil
        onBuild("building profile '\(profile)' (\(resolved.packages.count) package\(resolved.packages.count == 1 ? "" : "s")) with Nix")
        let build = try await NixBackend(nix: nix, layout: layout, manifest: manifest).build(resolved)
        var binPaths: [String] = []
        for package in build.packages {
            for path in package.storePaths {
                for sub in ["bin", "sbin"] where isDirectory(path + "/" + sub) { binPaths.append(path + "/" + sub) }
            }
        }
        // Ports are part of every process's environment (`<NAME>_PORT`); a broken service graph
        // is reported by `slipway up`, not here.
        let services = (try? manifest.services(of: resolved)) ?? []
        let ports = ServicePorts.resolve(services, stateDir: layout.stateDir(profile: profile))
        // Before the files are read for the key: a change after it then shows in their stat.
        let signature = KeySignature.recordable(layout, profile: profile)
        let key = try store.currentKey(profile: profile)
        var cached = CachedEnvironment(
            key: key, profile: profile, root: layout.root, binPaths: binPaths,
            env: resolved.env.map { .init(name: $0.name, value: $0.value) },
            requiredPaths: build.packages.flatMap(\.storePaths), build: build, ports: ports)
        cached.serviceEnv = Self.serviceExports(services)
        cached.localInputs = NixBackend.localInputs(of: manifest)
        cached.projectSource = source
        cached.pure = resolved.pure
        cached.keepEnv = resolved.settings.keepEnv ?? []
        cached.envFiles = resolved.settings.envFiles ?? []
        cached.onEnter = resolved.settings.onEnter
        cached.keySignature = signature
        try FileManager.default.createDirectory(atPath: layout.stateDir(profile: profile), withIntermediateDirectories: true)
        try store.save(cached)
        return cached
    }

    /// The manifest's name as diagnostics show it: relative to the working directory when inside it.
    public var displayName: String {
        let cwd = FilePaths.currentDirectory()
        if layout.manifest.hasPrefix(cwd + "/") { return String(layout.manifest.dropFirst(cwd.count + 1)) }
        return layout.manifest
    }

    /// The enabled services' exports, in order; a name more than one service exports (two
    /// PostgreSQL servers) is ambiguous and left out.
    static func serviceExports(_ services: [ServiceSpec]) -> [CachedEnvironment.Entry] {
        let entries = services.filter { !$0.disabled }.flatMap(\.exports)
        let counts = Dictionary(entries.map { ($0.name, 1) }, uniquingKeysWith: +)
        return entries.filter { counts[$0.name] == 1 }.map { .init(name: $0.name, value: $0.value) }
    }

    private func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }
}

