import Foundation
import SlipwayCore
import SlipwayDeploy
import SlipwayManifest
import Testing

@Suite("Secrets")
struct SecretResolverTests {
    func secret(_ name: String, _ source: DeploySpec.SecretSource) -> DeploySpec.Secret {
        .init(name: name, source: source, location: SourceLocation(file: "slipway.toml", line: 1, column: 1))
    }

    @Test func resolvesEnvFileAndCommandOnTheDeployingMachine() async throws {
        let root = NSTemporaryDirectory() + "slipway-secrets-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "from-file\n".write(toFile: root + "/token", atomically: true, encoding: .utf8)
        let resolver = SecretResolver(environment: ["PROD_PW": "from-env"], root: root, runner: ProcessRunner())
        let values = try await resolver.resolve([
            secret("PW", .environment("PROD_PW")), secret("TOKEN", .file("token")),
            secret("KEY", .command("printf 'from-cmd\\n'")),
        ])
        #expect(values.map(\.0) == ["PW", "TOKEN", "KEY"])
        #expect(values.map(\.1) == ["from-env", "from-file", "from-cmd"])
    }

    @Test func errorsNameTheSecretNeverAValue() async {
        let resolver = SecretResolver(environment: [:], root: "/nonexistent", runner: ProcessRunner())
        for source in [
            DeploySpec.SecretSource.environment("MISSING"), .file("nope"), .command("echo topsecret; exit 3"),
        ] {
            do {
                _ = try await resolver.resolve([secret("PW", source)])
                Issue.record("expected an error for \(source)")
            } catch {
                let text = "\(error)"
                #expect(text.contains("secret PW"))
                #expect(
                    !text.contains("topsecret") || text.contains("echo topsecret"),
                    "the command is named, its output is not")
            }
        }
    }
}
