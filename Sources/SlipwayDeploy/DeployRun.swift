import Foundation
import SlipwayManifest

/// A deploy of one target as a library value: a future CI `deploy` stage calls the same
/// ``run()`` the `slipway deploy` command does.
///
/// Hosts go one at a time; a host that does not end on the new release stops the rest.
public struct DeployRun: Sendable {
    public let spec: DeploySpec
    public let source: any ReleaseSource
    public let context: DeployContext
    /// Only these hosts (`--host`), or all when empty.
    public var hosts: [DeployHost] = []
    public var dryRun = false

    public init(spec: DeploySpec, source: any ReleaseSource, context: DeployContext) {
        self.spec = spec
        self.source = source
        self.context = context
    }

    /// - Returns: per host, how it ended; ``DeployOutcome/succeeded`` only if all are on the release.
    /// - Throws: ``DeployError`` before any host is touched (secrets, release), or the
    ///   release source's errors.
    public func run() async throws -> DeployOutcome {
        let env =
            spec.env.map { ($0.name, $0.value) }
            + (try await SecretResolver(environment: context.environment, root: context.root, runner: context.runner)
                .resolve(spec.secrets))
        context.progress("\(spec.name): making the release for profile \(spec.profile)")
        let release = try await source.release(for: spec)
        context.progress("\(spec.name): release \(release.id)")
        var outcome = DeployOutcome(target: spec.name, release: release.id)
        let targets = hosts.isEmpty ? spec.hosts : hosts
        for (index, host) in targets.enumerated() {
            let connection = SSHConnection(
                host: host, settings: spec.ssh, sudo: spec.sudo,
                controlDirectory: context.controlDirectory, runner: context.runner)
            let result = await one(
                HostDeploy(spec: spec, release: release, env: env, connection: connection, context: context))
            await connection.close()
            outcome.hosts.append(result)
            if ![.deployed, .unchanged, .planned].contains(result.state) {
                for rest in targets.dropFirst(index + 1) {
                    outcome.hosts.append(
                        .init(
                            host: rest.description, state: .skipped, release: nil, seconds: nil,
                            message: "not attempted: \(host) failed"))
                }
                break
            }
        }
        return outcome
    }

    private func one(_ deploy: HostDeploy) async -> DeployOutcome.Host {
        do {
            return try await deploy.run(dryRun: dryRun)
        } catch let error as DeployError {
            return .init(host: deploy.host, state: .failed, release: nil, seconds: nil, message: error.description)
        } catch {
            return .init(host: deploy.host, state: .failed, release: nil, seconds: nil, message: "\(error)")
        }
    }
}
