import SlipwayManifest
import Yams

/// The deploy jobs of `.gitlab-ci.yml`: one per `[ci] deploy` target, in stage `deploy`.
///
/// Shape (target `web`, `manual = true`, `url` set):
/// ```yaml
/// app:deploy:web:
///   stage: deploy
///   image: nixos/nix:<pinned>
///   needs: [app:ci]
///   environment: {name: web, url: https://...}
///   resource_group: web                # one deploy at a time per environment
///   cache: {..., policy: pull}
///   before_script: [<install Slipway unless the image has it>, export PATH=..., <ssh key and known hosts from file variables>]
///   script: [cd web, slipway deploy web]
///   rules: [{if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH, when: manual}]
/// ```
/// The ssh key and known hosts come from the CI/CD variables of type File
/// ``sshKeyVariable`` and ``knownHostsVariable``; a target's `{ env = "X" }` secrets from
/// CI/CD variables `X` (GitLab exports every variable to the job).
extension GitLabPipeline {
    static let deployStage = "deploy"
    static let sshKeyVariable = "SLIPWAY_SSH_PRIVATE_KEY"
    static let knownHostsVariable = "SLIPWAY_SSH_KNOWN_HOSTS"

    func deployJobName(_ target: DeploySpec) -> String {
        String(jobName.dropLast(":ci".count)) + ":deploy:" + target.name
    }

    func deployJob(_ target: DeploySpec) -> Node {
        YAMLValue.mapping([
            ("stage", YAMLValue.string(Self.deployStage)),
            ("image", YAMLValue.string(context.jobImage)),
            ("needs", YAMLValue.sequence([jobName])),
            ("environment", YAMLValue.mapping([
                ("name", YAMLValue.string(target.name)), ("url", target.url.map(YAMLValue.string)),
            ])),
            ("resource_group", YAMLValue.string(target.name)),
            ("variables", context.hasImages ? YAMLValue.mapping([
                ("XDG_CACHE_HOME", YAMLValue.string("$CI_PROJECT_DIR/" + context.inProject(Self.xdgCacheFolder))),
            ]) : nil),
            ("cache", cache(policy: "pull")),
            ("before_script", YAMLValue.sequence(
                PipelineGenerator.gitLabInstallLines
                    + GeneratorContext.sshSetup(key: Self.sshKeyVariable, knownHosts: Self.knownHostsVariable, files: true))),
            ("script", YAMLValue.sequence(
                (context.directory == "." ? [] : ["cd " + context.shellDirectory]) + ["slipway deploy " + target.name])),
            ("rules", YAMLValue.sequence([
                YAMLValue.mapping([
                    ("if", YAMLValue.string(Self.defaultBranchRule)),
                    ("when", YAMLValue.string(target.manual ? "manual" : "on_success")),
                ]),
            ])),
        ])
    }

    var deployComment: [String] {
        let secrets = context.deploySecretVariables
        var paragraphs = [
            "Deploy jobs, one per [ci] deploy target, after the build job and only on the default branch: `slipway deploy NAME` builds the same images from the same commit and slipway.lock (the same digests the build job pushed), sends or the host pulls them, switches under systemd on each host, checks health and rolls back by itself. The build job runs `slipway ci --no-deploy`. resource_group runs one deploy at a time per environment; a target with manual = true waits for a person.",
            "Add two CI/CD variables of type File (protected): \(Self.sshKeyVariable), the private key the hosts accept, and \(Self.knownHostsVariable), their `ssh-keyscan` lines.",
        ]
        if !secrets.isEmpty {
            paragraphs.append("The targets' secrets are read from the CI/CD variables " + secrets.joined(separator: ", ") + " (protected, masked).")
        }
        return paragraphs
    }
}
