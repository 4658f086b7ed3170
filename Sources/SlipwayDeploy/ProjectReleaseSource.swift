import Foundation
import SlipwayCore
import SlipwayEnvironment
import SlipwayImage
import SlipwayManifest
import SlipwayNix
import SlipwayOCI

/// ``ReleaseSource`` of a project: image mode builds the target's images (``ImageCatalog``),
/// closure mode builds the profile's environment and a ``RunScript`` for the service, added to
/// the store with its packages as references.
public struct ProjectReleaseSource: ReleaseSource {
    public let catalog: ImageCatalog
    public let manifest: Manifest
    public let layout: ProjectLayout

    public init(catalog: ImageCatalog, manifest: Manifest, layout: ProjectLayout) {
        self.catalog = catalog
        self.manifest = manifest
        self.layout = layout
    }

    public func release(for spec: DeploySpec) async throws -> Release {
        let commit = GitCommit.read(root: layout.root)
        switch spec.mode {
        case .image: return Release(content: .images(try await images(spec)), commit: commit)
        case .closure: return Release(content: .closure(try await closure(spec)), commit: commit)
        case .kubernetes:
            throw DeployError.release(
                "[deploy.\(spec.name)] is mode \"kubernetes\": kubectl applies it (KubernetesDeploy)")
        }
    }

    private func images(_ spec: DeploySpec) async throws -> [ReleaseImage] {
        var result: [ReleaseImage] = []
        for imageSpec in try catalog.select(spec.images) {
            let (record, _) = try await catalog.build(imageSpec)
            result.append(ReleaseImage(target: spec.name, name: imageSpec.name, record: record))
        }
        return result
    }

    /// The closure release of `spec` (its service's run script over the profile's packages).
    /// - Throws: ``DeployError/release(_:)`` for a service the profile lacks; Nix errors.
    func closure(_ spec: DeploySpec) async throws -> ReleaseClosure {
        let resolver = EnvironmentResolver(layout: layout)
        let environment = try await resolver.environment(profile: spec.profile)
        let services = try manifest.services(of: try manifest.resolve(profile: spec.profile))
        guard let name = spec.service, let service = services.first(where: { $0.name == name }) else {
            throw DeployError.release(
                "[deploy.\(spec.name)] service '\(spec.service ?? "")' is not an enabled service "
                    + "of profile '\(spec.profile)' (services: \(services.map(\.name).joined(separator: ", ")))")
        }
        let script = RunScript(target: spec.name, service: service, environment: environment, port: spec.port).render()
        let paths = environment.build.packages.flatMap(\.storePaths)
        let storePath = try await StoreText(nix: try NixCommand.locate())
            .add(script, name: "slipway-\(spec.name)", references: paths)
        return ReleaseClosure(storePath: storePath.description, user: service.user)
    }
}

extension ReleaseImage {
    /// The image of `record` for target `target`, tagged on the host
    /// `localhost/slipway/<target>-<name>:<config hex12>`, its archive written from the record.
    public init(target: String, name: String, record: BuildRecord) {
        let reference = "localhost/slipway/\(target)-\(name):\(record.configDigest.hex.prefix(12))"
        let size = record.layers.reduce(Int64(0)) { $0 + $1.size }
        self.init(name: name, id: record.configDigest, reference: reference, size: size) { fd in
            try ImageWriter.writeDockerArchive(record, reference: reference, to: FileSink(fd: fd, path: "ssh … load"))
        }
    }
}

/// The project's git commit, read from `.git` (no `git` program needed; see ``GitRepository``).
enum GitCommit {
    /// The commit `HEAD` names, or `nil` outside a git checkout.
    static func read(root: String) -> String? {
        GitRepository(containing: root)?.headName()
    }
}
