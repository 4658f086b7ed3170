import Foundation
import SlipwayCore
import SlipwayEnvironment
import SlipwayManifest
import SlipwayNix
import SlipwayOCI

/// Turns `[images.NAME]` into an ``ImagePlan``: builds the profile, finds the contents' store
/// paths and closure, and generates the customisation and project layers.
///
/// The steps, in order: ``contents(of:cached:)``, ``closure(storePaths:extraNames:resolved:environmentKey:)``,
/// ``ImageCustomisation`` (users, FHS links, CA and zoneinfo, `dirs`, artifact links),
/// ``ProjectLayer`` (the `copy` layer), ``ImageEnvironment`` (the config's `Env`).
public struct ImagePlanner: Sendable {
    public let layout: ProjectLayout
    public let manifest: Manifest
    /// Progress lines (`building artifact NAME`, environment builds).
    public let status: @Sendable (String) -> Void

    public init(layout: ProjectLayout, manifest: Manifest, status: @escaping @Sendable (String) -> Void = { _ in }) {
        self.layout = layout
        self.manifest = manifest
        self.status = status
    }

    /// - Throws: ``ManifestError`` (unknown contents, owners, copies), ``NixError``, ``ImageError``.
    public func plan(_ spec: ImageSpec) async throws -> ImagePlan {
        let cached = try await EnvironmentResolver(layout: layout, onBuild: status).environment(profile: spec.profile)
        let resolved = try manifest.resolve(profile: spec.profile)
        let contents = try await contents(of: spec, cached: cached)
        let storePaths = contents.packages.flatMap(\.storePaths)
        let (extras, nodes) = try await closure(
            storePaths: storePaths, extraNames: Self.extraNames(spec), resolved: resolved, environmentKey: cached.key)
        let bins = Self.binFolders(storePaths)
        var customisation = ImageCustomisation(spec: spec)
        customisation.addUsers()
        customisation.addFHSFixes(bins: bins)
        let extraEnv = customisation.addCertificatesAndZoneinfo(extras)
        try customisation.addDirs()
        for path in contents.artifactPaths { customisation.linkTree(path, "") }
        let projectLayers = try ProjectLayer(spec: spec, root: layout.root).layers(generated: customisation.entries)
        let env = ImageEnvironment.variables(spec: spec, bins: bins, extra: extraEnv, profileEnv: cached.env)
        return ImagePlan(
            name: spec.name, profile: spec.profile, closure: nodes, customisation: customisation.entries,
            projectLayers: projectLayers, config: ImageEnvironment.config(spec, env: env), maxLayers: spec.maxLayers,
            compression: try Self.compression(spec), mtime: Self.epoch(), architecture: Self.architecture(), tags: spec.tags)
    }

    /// The layer compression the manifest names.
    /// - Throws: ``ManifestError`` for a value the decoder should already have refused.
    static func compression(_ spec: ImageSpec) throws -> Compression {
        guard let compression = Compression(rawValue: spec.compression) else {
            throw ManifestError.invalid([Diagnostic(.invalidValue(
                key: "images.\(spec.name).compression", reason: "'\(spec.compression)' is not gzip, zstd or none"), at: spec.location)])
        }
        return compression
    }

    /// `SOURCE_DATE_EPOCH`, else 1.
    static func epoch() -> Int {
        ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap(Int.init) ?? 1
    }

    /// The OCI architecture of this machine's Nix system.
    static func architecture() -> String {
        NixBackend.currentSystem().hasPrefix("aarch64") ? "arm64" : "amd64"
    }

    /// The extra packages the FHS fixes need: `cacert`, `tzdata`.
    static func extraNames(_ spec: ImageSpec) -> [String] {
        var names: [String] = []
        if spec.caCertificates { names.append("cacert") }
        if spec.zoneinfo { names.append("tzdata") }
        return names
    }

    /// `bin` and `sbin` of each store path, where they exist.
    static func binFolders(_ storePaths: [String]) -> [String] {
        storePaths.flatMap { path in
            ["bin", "sbin"].compactMap { sub in FileManager.default.fileExists(atPath: path + "/" + sub) ? path + "/" + sub : nil }
        }
    }

    /// `localhost/<project>-<image>:latest`, or the image's first tag.
    public func defaultReference(_ record: BuildRecord) -> String {
        if let first = record.tags.first { return first.contains(":") ? first : first + ":latest" }
        let project = (manifest.project.name ?? (layout.root as NSString).lastPathComponent).lowercased()
        return "localhost/\(project)-\(record.name):latest"
    }
}
