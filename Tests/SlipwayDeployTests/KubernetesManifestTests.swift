import Foundation
import SlipwayCore
import SlipwayDeploy
import SlipwayManifest
import Testing

/// `--render` of a Kubernetes target: golden bytes, and `kubernetes-validate --strict` against
/// the schemas of Kubernetes 1.37 (bundled with the PyPI package; it runs offline).
@Suite("Kubernetes manifests")
struct KubernetesManifestTests {
    static let kubernetesVersion = "1.37.0"
    static let secretValue = "s3cret-value-never-printed"

    static var spec: DeploySpec {
        var spec = DeploySpec(name: "web", location: Fixtures.location)
        spec.mode = .kubernetes
        spec.images = ["app", "web"]
        spec.keep = 4
        spec.kubernetes.namespace = "guestbook"
        spec.kubernetes.replicas = 2
        spec.kubernetes.registry = "registry.example.com/guestbook"
        spec.kubernetes.ports = [.init(port: 80, targetPort: 8080)]
        spec.kubernetes.resources.requests = ["cpu": "250m", "memory": "128Mi"]
        spec.kubernetes.resources.limits = ["memory": "256Mi"]
        spec.health.check = .http("http://127.0.0.1:8080/health?full=1")
        spec.health.timeout = 45
        spec.env = [EnvEntry(name: "APP_ENV", value: "prod", location: Fixtures.location),
                    EnvEntry(name: "WORKERS", value: "4", location: Fixtures.location)]
        spec.secrets = [.init(name: "DATABASE_PASSWORD", source: .environment("PROD_DB"), location: Fixtures.location)]
        return spec
    }

    static var manifest: KubernetesManifest {
        KubernetesManifest(
            spec: spec, project: "guestbook",
            images: [
                KubernetesImage(name: "app", repository: "registry.example.com/guestbook/app",
                                digest: Fixtures.digest("app"), ports: [.init(port: 9000, protocol: "TCP")]),
                KubernetesImage(name: "web", repository: "registry.example.com/guestbook/web",
                                digest: Fixtures.digest("web"), ports: [.init(port: 8080, protocol: "TCP")]),
            ])
    }

    /// Runs kubernetes-validate on `yaml`; its exit status and output.
    static func validate(_ yaml: String) throws -> (Int32, String) {
        let file = try temporaryFile(yaml, suffix: ".yaml")
        let (status, out, err) = try runProgram(
            "kubernetes-validate", ["--strict", "-k", kubernetesVersion, file])
        return (status, out + err)
    }

    @Test func matchesGolden() throws {
        try GoldenFile.expectMatches(try Self.manifest.render(secrets: nil), "web.kubernetes.yaml")
    }

    @Test(arguments: [false, true])
    func validatesAgainstKubernetesSchemas(withSecretValues: Bool) throws {
        let yaml = try Self.manifest.render(secrets: withSecretValues ? [("DATABASE_PASSWORD", Self.secretValue)] : nil)
        let (status, output) = try Self.validate(yaml)
        #expect(status == 0, "kubernetes-validate: \(output)")
        for kind in ["deployment/web", "service/web", "secret/web-secrets"] {
            #expect(output.contains("passed for resource \(kind)"), "\(kind) not validated: \(output)")
        }
    }

    /// The validator catches a wrong field: the test above can fail.
    @Test func validatorRejectsAnUnknownField() throws {
        let yaml = try Self.manifest.render(secrets: nil).replacingOccurrences(
            of: "revisionHistoryLimit", with: "revisionHistoryLimits")
        let (status, output) = try Self.validate(yaml)
        #expect(status != 0, "an unknown field passed: \(output)")
    }

    @Test func imagesRunByDigestWithRecommendedLabels() throws {
        let yaml = try Self.manifest.render(secrets: nil)
        let images = yaml.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("image:") }
        #expect(images.count == 2)
        for line in images {
            #expect(line.contains("@sha256:"), "not by digest: \(line)")
        }
        #expect(yaml.contains("registry.example.com/guestbook/web@\(Fixtures.digest("web"))"))
        for label in ["app.kubernetes.io/name: web", "app.kubernetes.io/instance: web",
                      "app.kubernetes.io/managed-by: slipway", "app.kubernetes.io/part-of: guestbook",
                      "app.kubernetes.io/version: \(Self.manifest.versionLabel)"] {
            #expect(yaml.contains(label), "missing label \(label)")
        }
        #expect(yaml.contains("progressDeadlineSeconds: 75"))
        #expect(yaml.contains("path: /health?full=1"))
    }

    @Test func secretValuesOnlyInTheAppliedForm() throws {
        let redacted = try Self.manifest.render(secrets: nil)
        #expect(!redacted.contains(Self.secretValue))
        #expect(redacted.contains("DATABASE_PASSWORD: \(KubernetesManifest.redacted)"))
        let full = try Self.manifest.render(secrets: [("DATABASE_PASSWORD", Self.secretValue)])
        #expect(full.contains(Self.secretValue))
        #expect(full.contains("secretKeyRef"))
    }

    @Test func noServiceWithoutPortsAndNoSecretWithoutSecrets() throws {
        var spec = Self.spec
        spec.kubernetes.ports = []
        spec.secrets = []
        spec.health.check = .command(["/bin/check", "--ready"])
        let manifest = KubernetesManifest(spec: spec, project: "guestbook", images: Self.manifest.images)
        let yaml = try manifest.render(secrets: nil)
        #expect(!yaml.contains("kind: Service") && !yaml.contains("kind: Secret"))
        #expect(yaml.contains("exec:"))
        let (status, output) = try Self.validate(yaml)
        #expect(status == 0, "kubernetes-validate: \(output)")
    }
}
