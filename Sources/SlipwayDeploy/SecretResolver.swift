import Foundation
import SlipwayManifest

/// Resolves `[deploy.NAME.secrets]` on the deploying machine, at deploy time. Values are
/// returned to the caller only; nothing here prints, logs or stores them.
public struct SecretResolver: Sendable {
    public let environment: [String: String]
    /// Relative `file` sources are read from here (the project root).
    public let root: String
    let runner: any CommandRunner

    public init(environment: [String: String], root: String, runner: any CommandRunner) {
        self.environment = environment
        self.root = root
        self.runner = runner
    }

    /// Name → value, in manifest order.
    /// - Throws: ``DeployError/secret(name:reason:)`` naming the secret and its source, never the value.
    public func resolve(_ secrets: [DeploySpec.Secret]) async throws -> [(String, String)] {
        var values: [(String, String)] = []
        for secret in secrets { values.append((secret.name, try await value(secret))) }
        return values
    }

    func value(_ secret: DeploySpec.Secret) async throws -> String {
        switch secret.source {
        case .environment(let variable):
            guard let value = environment[variable] else {
                throw DeployError.secret(name: secret.name, reason: "the environment variable \(variable) is not set")
            }
            return value
        case .file(let path):
            let absolute = path.hasPrefix("/") ? path : root + "/" + path
            guard let data = FileManager.default.contents(atPath: absolute) else {
                throw DeployError.secret(name: secret.name, reason: "cannot read \(absolute)")
            }
            return Self.trimmingFinalNewline(String(decoding: data, as: UTF8.self))
        case .command(let command):
            let result = try await runner.run(["/bin/sh", "-c", command], timeout: 60)
            guard result.succeeded else {
                let status = result.status.map { "exit status \($0)" } ?? "no exit status"
                throw DeployError.secret(name: secret.name, reason: "`\(command)` failed (\(status))")
            }
            return Self.trimmingFinalNewline(result.stdout)
        }
    }

    static func trimmingFinalNewline(_ text: String) -> String {
        var text = text
        if text.hasSuffix("\n") { text.removeLast() }
        if text.hasSuffix("\r") { text.removeLast() }
        return text
    }
}
