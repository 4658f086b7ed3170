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
/// (``BuiltReleaseSource``), other modes their release from ``ProjectReleaseSource``.
public struct ProjectDeployer: CIDeploying {
    public let context: DeployContext
    public let fallback: ProjectReleaseSource

    public init(context: DeployContext, fallback: ProjectReleaseSource) {
        self.context = context
        self.fallback = fallback
    }

    public func deploy(_ target: DeploySpec, images: [String: BuiltReleaseSource.Image]) async throws -> DeployOutcome {
        let source = BuiltReleaseSource(images: images, root: context.root, fallback: fallback)
        return try await DeployRun(spec: target, source: source, context: context).run()
    }
}
