import SlipwayManifest

/// Whether `slipway ci` deploys `[ci] deploy` after the push, settled before any stage runs.
///
/// The deploy stage runs only when the push does (`--push`, or `[ci] push` matching), `[ci]
/// deploy_when` matches the branch, and the pipeline is not a merge or pull request pipeline
/// (the same rule as the push, ``CIBranch/pushRuleMatches(_:branch:environment:)``).
public struct CIDeployDecision: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// Deploys these targets, in order.
        case deploy([DeploySpec])
        case skip(reason: String)
    }

    public var action: Action

    public init(action: Action) {
        self.action = action
    }

    /// The targets deployed; empty when the stage is skipped.
    public var targets: [DeploySpec] {
        if case .deploy(let targets) = action { return targets }
        return []
    }

    /// Applies the deploy rules to `ci.deploy` (names already checked against `targets` at load).
    /// - Parameters:
    ///   - pushWanted: the push decision's ``CIPushDecision/wanted``.
    ///   - noDeploy: `--no-deploy`.
    public static func decide(
        ci: CISpec, targets: [DeploySpec], pushWanted: Bool, noDeploy: Bool, branch: String?,
        environment: [String: String]
    ) -> CIDeployDecision {
        let chosen = ci.deploy.compactMap { name in targets.first { $0.name == name } }
        let reason: String? =
            if chosen.isEmpty { "no [ci] deploy targets" }
            else if noDeploy { "--no-deploy" }
            else if !CIBranch.pushRuleMatches(.always, branch: nil, environment: environment) {
                "a merge or pull request pipeline never deploys"
            } else if !pushWanted { "nothing pushed (the deploy follows the push: --push or [ci] push)" }
            else if !CIBranch.pushRuleMatches(ci.deployWhen, branch: branch, environment: environment) {
                "[ci] deploy_when does not match branch \(branch ?? "(unknown: no CI variables, no .git)")"
            } else { nil }
        return CIDeployDecision(action: reason.map { .skip(reason: $0) } ?? .deploy(chosen))
    }
}
