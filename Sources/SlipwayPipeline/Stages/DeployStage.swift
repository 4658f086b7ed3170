import SlipwayDeploy
import SlipwayManifest

/// Stage 6: deploys the `[ci] deploy` targets, one after the other, when ``CIDeployDecision``
/// says so. Image-mode targets get the images this run built; a host pulls each by the digest
/// just pushed when it can reach the registry, else it is sent over ssh (as `slipway deploy`).
/// The first target that does not end on its release on every host stops the stage.
public struct DeployStage: PipelineStage {
    public let name = StageName.deploy
    public var decision: CIDeployDecision

    public init(decision: CIDeployDecision) {
        self.decision = decision
    }

    public func skipReason(_ state: PipelineState) -> String? {
        if case .skip(let reason) = decision.action { return reason }
        return nil
    }

    public func run(_ context: PipelineContext, _ state: inout PipelineState) async throws -> StageOutcome {
        let images = Self.images(state)
        for target in decision.targets {
            if context.isInterrupted() { return .interrupted }
            context.output.status("deploying \(target.name) to \(target.hosts.map(\.description).joined(separator: ", "))")
            let outcome: DeployOutcome
            do {
                outcome = try await context.deployer.deploy(target, images: images)
            } catch {
                // Nothing was touched; the summary still names every host.
                let message = (error as? DeployError)?.message ?? "\(error)"
                state.summary.deployments.append(
                    DeployOutcome(
                        target: target.name, release: "",
                        hosts: target.hosts.map {
                            .init(host: $0.description, state: .failed, release: nil, seconds: nil, message: message)
                        }))
                throw error
            }
            state.summary.deployments.append(outcome)
            for host in outcome.hosts {
                context.output.write("\(target.name) on \(host.host): \(host.state.rawValue)\n")
            }
            guard outcome.succeeded else {
                let bad = outcome.hosts.filter { ![.deployed, .unchanged].contains($0.state) }
                let hosts = bad.map { "\($0.host) \($0.state.rawValue)" }.joined(separator: ", ")
                return .failed(code: 1, detail: "target '\(target.name)': \(hosts)")
            }
        }
        return .passed
    }

    /// The built images by `[images]` key, each with the digest reference it was pushed as.
    static func images(_ state: PipelineState) -> [String: BuiltReleaseSource.Image] {
        var result: [String: BuiltReleaseSource.Image] = [:]
        for built in state.builtImages {
            result[built.spec.name] = .init(record: built.record, pull: state.pushed[built.spec.name]?.pull)
        }
        return result
    }
}
