import SlipwayManifest
import Yams

/// The deploy jobs of the GitHub workflow: `deploy-<target>` per `[ci] deploy` target.
///
/// Shape (target `web`):
/// ```yaml
/// deploy-web:
///   name: deploy web
///   needs: ci
///   if: <a push to the default branch>
///   runs-on: ubuntu-latest
///   environment: {name: web, url: https://...}
///   concurrency: {group: deploy-web, cancel-in-progress: false}
///   steps: [<checkout, Nix, cache, Slipway>, <ssh key and known hosts from secrets>, slipway deploy web]
/// ```
/// The ssh key and known hosts come from the repository (or environment) secrets
/// `SLIPWAY_SSH_PRIVATE_KEY` and `SLIPWAY_SSH_KNOWN_HOSTS`; a target's `{ env = "X" }` secrets
/// from secrets `X`. `manual = true` has no workflow keyword: GitHub asks for approval through
/// the environment's required reviewers (repository settings).
extension GitHubWorkflow {
    func deployJob(_ target: DeploySpec) -> Node {
        let key = GitLabPipeline.sshKeyVariable
        let known = GitLabPipeline.knownHostsVariable
        let sshStep = YAMLValue.mapping([
            ("name", YAMLValue.string("SSH key and known hosts")),
            ("run", YAMLValue.lines(GeneratorContext.sshSetup(key: key, knownHosts: known, files: false))),
            ("env", YAMLValue.mapping([
                (key, YAMLValue.string("${{ secrets.\(key) }}")), (known, YAMLValue.string("${{ secrets.\(known) }}")),
            ])),
        ])
        let secrets = GeneratorContext.secretVariables(target)
        let deployStep = YAMLValue.mapping([
            ("name", YAMLValue.string("slipway deploy " + target.name)),
            ("run", YAMLValue.string("slipway deploy " + target.name)),
            ("working-directory", context.directory == "." ? nil : YAMLValue.string(context.directory)),
            ("env", secrets.isEmpty ? nil : YAMLValue.mapping(secrets.map { ($0, YAMLValue.string("${{ secrets.\($0) }}")) })),
        ])
        return YAMLValue.mapping([
            ("name", YAMLValue.string("deploy " + target.name)),
            ("needs", YAMLValue.string("ci")),
            ("if", YAMLValue.string(Self.defaultBranchPush)),
            ("runs-on", YAMLValue.string("ubuntu-latest")),
            ("environment", YAMLValue.mapping([
                ("name", YAMLValue.string(target.name)), ("url", target.url.map(YAMLValue.string)),
            ])),
            ("concurrency", YAMLValue.mapping([
                ("group", YAMLValue.string("deploy-" + target.name)),
                ("cancel-in-progress", Node("false")),
            ])),
            ("steps", YAMLValue.sequence(setupSteps() + [sshStep, deployStep])),
        ])
    }

    var deployComment: [String] {
        guard !context.deploy.isEmpty else { return [] }
        let secrets = context.deploySecretVariables
        var paragraphs = [
            "",
            "Deploy jobs, one per [ci] deploy target, after `ci` and only on pushes to the default branch: `slipway deploy NAME` builds the same images from the same commit and slipway.lock (the digests `ci` pushed), sends or the host pulls them, switches under systemd, checks health and rolls back by itself; `ci` runs `slipway ci --no-deploy`. concurrency runs one deploy at a time per environment. Add the repository secrets \(GitLabPipeline.sshKeyVariable) (the private key the hosts accept) and \(GitLabPipeline.knownHostsVariable) (their `ssh-keyscan` lines).",
        ]
        if !secrets.isEmpty {
            paragraphs.append("The targets' secrets come from the repository secrets " + secrets.joined(separator: ", ") + ".")
        }
        if context.deploy.contains(where: \.manual) {
            paragraphs.append("manual = true: add required reviewers to those environments (Settings > Environments) so a person approves each deploy.")
        }
        return paragraphs
    }
}
