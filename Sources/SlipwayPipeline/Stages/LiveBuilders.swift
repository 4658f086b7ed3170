import SlipwayCore
import SlipwayDeploy
import SlipwayImage
import SlipwayManifest
import SlipwayNix
import SlipwayOCI

/// The artifacts stage over ``NixBackend``: `nix build` of each artifact, GC roots kept.
public struct NixArtifactBuilder: CIArtifactBuilding {
    public let layout: ProjectLayout
    public let manifest: Manifest

    public init(layout: ProjectLayout, manifest: Manifest) {
        self.layout = layout
        self.manifest = manifest
    }

    public func build(_ artifact: ArtifactSpec) async throws -> [String] {
        let backend = NixBackend(nix: try NixCommand.locate(), layout: layout, manifest: manifest)
        return try await backend.buildArtifact(artifact).storePaths
    }
}

/// The images stage over an ``ImageCatalog``: plan, build, write the build record.
public struct CatalogImageBuilder: CIImageBuilding {
    public let catalog: ImageCatalog

    public init(catalog: ImageCatalog) { self.catalog = catalog }

    public func build(_ image: ImageSpec) async throws -> BuildRecord {
        try await catalog.build(image).0
    }
}

/// The deploy stage over ``DeployRun``: image-mode targets get the images this run built
/// (``BuiltReleaseSource``), closure mode its release from ``ProjectReleaseSource``, and
/// Kubernetes targets go to ``KubernetesDeploy`` (the build records this run wrote, by digest).
public struct ProjectDeployer: CIDeploying {
    public let context: DeployContext
    public let fallback: ProjectReleaseSource

    public init(context: DeployContext, fallback: ProjectReleaseSource) {
        self.context = context
        self.fallback = fallback
    }

    public func deploy(_ target: DeploySpec, images: [String: BuiltReleaseSource.Image]) async throws -> DeployOutcome {
        if target.mode == .kubernetes {
            try Self.requireSameRegistry(target, images: images)
            return try await KubernetesDeploy(spec: target, source: fallback, context: context).run()
        }
        let source = BuiltReleaseSource(images: images, root: context.root, fallback: fallback)
        return try await DeployRun(spec: target, source: source, context: context).run()
    }

    /// A Kubernetes target runs `<registry>/<image>@<digest>`: the images this run pushed must
    /// have gone to that repository, or the cluster would pull what this run did not push.
    /// - Throws: ``DeployError/release(_:)`` naming both places.
    static func requireSameRegistry(_ target: DeploySpec, images: [String: BuiltReleaseSource.Image]) throws {
        let registry = target.kubernetes.registry ?? ""
        for name in target.images {
            guard let pushed = images[name]?.pull?.reference else { continue }
            let expected = registry + "/" + name + "@"
            if !pushed.hasPrefix(expected) {
                throw DeployError.release("[deploy.\(target.name)] runs \(expected)…, but this run pushed "
                    + "\(pushed); make [deploy.\(target.name)] registry the registry [ci] pushes to")
            }
        }
    }
}
