import Foundation
import SlipwayCore
import SlipwayManifest

/// `slipway deploy NAME` and `--render` for a `mode = "kubernetes"` target, as a library value.
///
/// The images are taken from their build records (`.slipway/images/NAME.json`) as pushed to
/// `registry`: `<registry>/<image>@<manifest digest>`. Nothing is built or pushed here.
public struct KubernetesDeploy: Sendable {
    public let spec: DeploySpec
    public let source: ProjectReleaseSource
    public let context: DeployContext

    public init(spec: DeploySpec, source: ProjectReleaseSource, context: DeployContext) {
        self.spec = spec
        self.source = source
        self.context = context
    }

    /// - Throws: ``ImageError/notBuilt(_:)`` for an image without a build record.
    public func manifest() throws -> KubernetesManifest {
        KubernetesManifest(
            spec: spec, project: source.manifest.project.name ?? "slipway", images: try source.kubernetesImages(spec))
    }

    /// The YAML stream; with `secretValues` false every secret value is ``KubernetesManifest/redacted``
    /// and no secret is read.
    /// - Throws: image errors; ``DeployError/secret(name:reason:)`` when a secret cannot be read.
    public func render(secretValues: Bool) async throws -> String {
        try manifest().render(secrets: secretValues ? try await secrets() : nil)
    }

    /// Writes the stream with the real secret values to `path`, mode 0600 (made under a temporary
    /// name in the same folder, then renamed, so no reader sees a partial or wider file).
    /// - Throws: ``DeployError/release(_:)`` when the file cannot be written; render errors.
    public func writeRendered(to path: String) async throws {
        let text = try await render(secretValues: true)
        let staging = path + ".slipway-new"
        let fd = open(staging, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw DeployError.release("cannot write \(path): \(String(cString: strerror(errno)))") }
        fchmod(fd, 0o600)
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count, rename(staging, path) == 0 else {
            unlink(staging)
            throw DeployError.release("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Applies, waits, and rolls back on failure (``KubernetesRollout``).
    public func run() async throws -> DeployOutcome {
        let values = try await secrets()
        return try await KubernetesRollout(manifest: try manifest(), context: context).run(secrets: values)
    }

    func secrets() async throws -> [(String, String)] {
        try await SecretResolver(environment: context.environment, root: context.root, runner: context.runner)
            .resolve(spec.secrets)
    }
}

extension ProjectReleaseSource {
    /// The target's images as the cluster pulls them (`<registry>/<name>`, or the image's `name`
    /// itself when it has a registry host), by the digest of their build records.
    /// - Throws: ``ImageError/notBuilt(_:)``, ``ImageError/unknownImage(_:known:)``.
    public func kubernetesImages(_ spec: DeploySpec) throws -> [KubernetesImage] {
        let registry = spec.kubernetes.registry ?? ""
        return try catalog.select(spec.images).map { image in
            let record = try catalog.record(image.name)
            let (host, path) = ImageNames.split(image.repository)
            return KubernetesImage(
                name: image.name, repository: host.map { $0 + "/" + path } ?? registry + "/" + path, digest: record.manifestDigest,
                ports: image.ports.compactMap(KubernetesImage.DeploySpecPort.init(parsing:)))
        }
    }

    /// The NixOS module of a closure-mode target (its service's `user` included).
    /// - Throws: ``DeployError/release(_:)`` for another mode or a service the profile lacks.
    public func nixosModule(_ spec: DeploySpec) throws -> NixOSModule {
        guard spec.mode == .closure else { return try NixOSModule(spec: spec, user: nil, project: "") }
        let services = try manifest.services(of: try manifest.resolve(profile: spec.profile))
        guard let service = services.first(where: { $0.name == spec.service }) else {
            throw DeployError.release(
                "[deploy.\(spec.name)] service '\(spec.service ?? "")' is not an enabled service of profile "
                    + "'\(spec.profile)'")
        }
        return try NixOSModule(spec: spec, user: service.user, project: manifest.project.name ?? "slipway")
    }
}
