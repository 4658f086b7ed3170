import Foundation
import SlipwayCore
import SlipwayEnvironment
import SlipwayManifest
import SlipwayNix
import SlipwayOCI

/// Turns `[images.NAME]` into an ``ImagePlan``: builds the profile, finds the contents' store
/// paths and closure, and generates the customisation and project layers.
///
/// The steps, in order: ``contents(of:cached:)``, ``closure(storePaths:artifactPaths:extraNames:resolved:environmentKey:)``,
/// ``ImageCustomisation`` (users, FHS links, CA and zoneinfo, `dirs`, artifact links),
/// ``ProjectLayer`` (the `copy` layer), ``ImageEnvironment`` (the config's `Env`).
public struct ImagePlanner: Sendable {
    public let layout: ProjectLayout
    public let manifest: Manifest
    /// Progress lines (`building artifact NAME`, environment builds).
    public let status: @Sendable (String) -> Void
    /// Build warnings, located (`slipway.toml:12:1: warning: …`, then `  hint: …`).
    public let warning: @Sendable (String) -> Void

    public init(
        layout: ProjectLayout, manifest: Manifest, status: @escaping @Sendable (String) -> Void = { _ in },
        warning: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.layout = layout
        self.manifest = manifest
        self.status = status
        self.warning = warning
    }

    /// - Throws: ``ManifestError`` (unknown contents, owners, copies), ``NixError``, ``ImageError``.
    public func plan(_ written: ImageSpec) async throws -> ImagePlan {
        let resolved = try manifest.resolve(profile: written.profile)
        let spec = try ServiceImage.apply(written, services: manifest.services(of: resolved))
        let cached = try await EnvironmentResolver(layout: layout, onBuild: status).environment(profile: spec.profile)
        let contents = try await contents(of: spec, cached: cached)
        let storePaths = contents.packages.flatMap(\.storePaths)
        let artifactPaths = contents.artifacts.flatMap { $0 }
        let packagePaths = storePaths.filter(Set(storePaths).subtracting(artifactPaths).contains)
        let (extras, nodes) = try await closure(
            storePaths: packagePaths, artifactPaths: artifactPaths, extraNames: Self.extraNames(spec), resolved: resolved,
            environmentKey: cached.key)
        let bins = Self.binFolders(storePaths)
        var customisation = ImageCustomisation(spec: spec)
        customisation.addUsers()
        if let missing = customisation.addFHSFixes(bins: bins) { warning(missing) }
        let extraEnv = customisation.addCertificatesAndZoneinfo(extras)
        try customisation.addDirs()
        let generated = customisation.entries
        let artifactLayers = contents.artifacts.map { paths in
            let before = customisation.entries.count
            if let first = paths.first { customisation.linkTree(first, "") }
            return LayerSpec(kind: .artifact, storePaths: paths.sorted(), entries: Array(customisation.entries[before...]))
        }
        let projectLayers = try ProjectLayer(spec: spec, root: layout.root).layers(generated: customisation.entries)
        let env = ImageEnvironment.variables(spec: spec, bins: bins, extra: extraEnv, profileEnv: cached.env)
        let date = ImageDate.resolve(root: layout.root)
        var plan = ImagePlan(
            name: spec.name, profile: spec.profile, closure: nodes, customisation: generated,
            projectLayers: projectLayers, config: ImageEnvironment.config(spec, env: env), maxLayers: spec.maxLayers,
            compression: try Self.compression(spec), mtime: ImageDate.fixedEpoch, architecture: Self.architecture(), tags: spec.tags)
        plan.artifactLayers = artifactLayers
        plan.repository = spec.repository
        plan.created = date.epoch
        plan.dateSummary = date.summary
        plan.sources = [layout.manifest, layout.root + "/slipway.lock"] + spec.copy.map(\.source) + contents.artifactSources
        return plan
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

    /// How `image load` and `--output` name the image: its repository (``ImageSpec/repository``),
    /// under `localhost/` unless it names a registry host, with its first tag (one without a
    /// `$VARIABLE`), else `latest`: `localhost/app:latest`.
    public func defaultReference(_ record: BuildRecord) -> String {
        let repository = record.repository ?? record.name
        let tag = record.tags.first { !$0.contains("$") } ?? "latest"
        return (ImageNames.split(repository).host == nil ? "localhost/" + repository : repository) + ":" + tag
    }
}
