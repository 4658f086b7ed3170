import Yams

/// `.gitlab-ci.yml` for one Slipway project.
///
/// Shape (for a project `app` in `web/`, with images):
/// ```yaml
/// stages: [ci]
/// variables: {NIX_CONFIG: ..., SLIPWAY_VERSION: ..., SLIPWAY_SHA256: ..., SLIPWAY_RELEASE_URL: ..., SLIPWAY_FLAKE: ""}
/// workflow: {rules: [...]}            # branch or merge request pipelines, never both
/// app:ci:
///   stage: ci
///   image: nixos/nix:<pinned>
///   variables: {XDG_CACHE_HOME: ..., SLIPWAY_CI_ARGS: ""}
///   cache: {key: {files: [web/slipway.lock], prefix: slipway-app}, paths: [...]}
///   before_script: [<install Slipway unless the image has it>, export PATH=...]
///   script: [cd web, slipway ci $SLIPWAY_CI_ARGS]
///   rules: [{if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH, variables: {SLIPWAY_CI_ARGS: --push}}, {when: on_success}]
///   artifacts: {when: always, reports: {junit: web/.slipway/ci/**/*.xml}}
/// ```
/// Without images there is no `SLIPWAY_CI_ARGS`, no `rules` and no image caches. Registry
/// credentials are GitLab's predefined `CI_REGISTRY_USER`/`CI_REGISTRY_PASSWORD`, which Slipway
/// reads itself when it pushes to `$CI_REGISTRY`; `[ci] registry` defaults to `$CI_REGISTRY_IMAGE`.
struct GitLabPipeline {
    static let stage = "ci"
    static let defaultBranchRule = "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"
    /// Where Slipway's layer cache goes (`$XDG_CACHE_HOME/slipway/layers`), inside the project
    /// because GitLab caches only paths under `$CI_PROJECT_DIR`.
    static let xdgCacheFolder = ".slipway/xdg-cache"

    let context: GeneratorContext

    init(_ context: GeneratorContext) { self.context = context }

    var jobName: String {
        let name = String(context.projectName.drop { $0 == "." })
        return (name.isEmpty ? context.slug : name) + ":ci"
    }

    func document() -> YAMLDocument {
        var document = YAMLDocument(header: PipelineGenerator.header(.gitlab, context))
        document.append("stages", YAMLValue.sequence(context.deploy.isEmpty ? [Self.stage] : [Self.stage, Self.deployStage]))
        document.append("variables", YAMLValue.mapping([
            ("NIX_CONFIG", YAMLValue.string(PipelineGenerator.nixConfig)),
        ] + PipelineGenerator.pinVariables(context.pin)), comment: PipelineGenerator.pinComment(context.pin))
        document.append("workflow", YAMLValue.mapping([("rules", YAMLValue.sequence([
            YAMLValue.mapping([("if", YAMLValue.string("$CI_PIPELINE_SOURCE == \"merge_request_event\""))]),
            YAMLValue.mapping([
                ("if", YAMLValue.string("$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS")),
                ("when", YAMLValue.string("never")),
            ]),
            YAMLValue.mapping([("if", YAMLValue.string("$CI_COMMIT_BRANCH"))]),
        ]))]), comment: [
            "Merge request pipelines, and branch pipelines for branches without an open merge request: one pipeline per push, never both.",
        ])
        document.append(jobName, job(), comment: cacheComment + registryComment)
        for (index, target) in context.deploy.enumerated() {
            document.append(deployJobName(target), deployJob(target), comment: index == 0 ? deployComment : [])
        }
        return document
    }

    private func job() -> Node {
        let images = context.hasImages
        return YAMLValue.mapping([
            ("stage", YAMLValue.string(Self.stage)),
            ("image", YAMLValue.string(context.jobImage)),
            ("variables", YAMLValue.mapping(variables)),
            ("cache", cache()),
            ("before_script", YAMLValue.sequence(PipelineGenerator.gitLabInstallLines)),
            ("script", YAMLValue.sequence(
                (context.directory == "." ? [] : ["cd " + context.shellDirectory])
                    + [images ? context.ciCommand + " $SLIPWAY_CI_ARGS" : context.ciCommand, PipelineGenerator.exportCommand]
            )),
            ("rules", images ? YAMLValue.sequence([
                YAMLValue.mapping([
                    ("if", YAMLValue.string(Self.defaultBranchRule)),
                    ("variables", YAMLValue.mapping([("SLIPWAY_CI_ARGS", YAMLValue.string("--push"))])),
                ]),
                YAMLValue.mapping([("when", YAMLValue.string("on_success"))]),
            ]) : nil),
            ("artifacts", YAMLValue.mapping([
                ("when", YAMLValue.string("always")),
                ("reports", YAMLValue.mapping([("junit", YAMLValue.string(context.inProject(".slipway/ci/**/*.xml")))])),
            ])),
        ])
    }

    /// The build job's variables: the binary cache folder, and with images the layer cache and
    /// the `--push` switch.
    private var variables: [(String, Node?)] {
        var variables: [(String, Node?)] = [
            ("SLIPWAY_NIX_CACHE", YAMLValue.string("$CI_PROJECT_DIR/" + context.inProject(PipelineGenerator.nixCacheFolder))),
        ]
        if context.hasImages {
            variables += [
                ("XDG_CACHE_HOME", YAMLValue.string("$CI_PROJECT_DIR/" + context.inProject(Self.xdgCacheFolder))),
                ("SLIPWAY_CI_ARGS", YAMLValue.string("")),
            ]
        }
        return variables
    }

    func cache(policy: String? = nil) -> Node {
        var paths = [".slipway/cache/", PipelineGenerator.nixCacheFolder + "/"]
        if context.hasImages { paths += [".slipway/registry/", Self.xdgCacheFolder + "/slipway/"] }
        return YAMLValue.mapping([
            ("key", YAMLValue.mapping([
                ("files", YAMLValue.sequence([context.inProject("slipway.lock")])),
                ("prefix", YAMLValue.string("slipway-" + context.slug)),
            ])),
            ("paths", YAMLValue.sequence(paths.map(context.inProject))),
            ("policy", policy.map(YAMLValue.string)),
        ])
    }

    private var cacheComment: [String] {
        let reused = context.hasImages
            ? ".slipway/cache/ (closures of built environments), .slipway/registry/ (blobs the registry already has) and Slipway's layer cache ($XDG_CACHE_HOME/slipway/: digests of store layers), so an unchanged image layer is neither read again nor uploaded."
            : ".slipway/cache/ (closures of built environments)."
        return [
            "Cache, keyed on slipway.lock: " + reused,
            PipelineGenerator.nixCacheComment,
        ]
    }

    private var registryComment: [String] {
        guard context.hasImages else { return [] }
        var paragraphs = [""]
        if let registry = context.ci.registry, let host = context.registryHost, !host.hasPrefix("$CI_REGISTRY"), !host.hasPrefix("${CI_REGISTRY") {
            paragraphs.append("Images go to \(registry) ([ci] registry). Slipway uses GitLab's CI_REGISTRY_USER and CI_REGISTRY_PASSWORD only when that host is $CI_REGISTRY; otherwise add SLIPWAY_REGISTRY_USER and SLIPWAY_REGISTRY_PASSWORD as protected, masked CI/CD variables.")
        } else {
            let target = context.ci.registry.map { "\($0) ([ci] registry)" } ?? "$CI_REGISTRY_IMAGE (the default of [ci] registry)"
            paragraphs.append("Images go to \(target); Slipway logs in with GitLab's predefined CI_REGISTRY_USER and CI_REGISTRY_PASSWORD, as it pushes to $CI_REGISTRY.")
        }
        paragraphs.append("SLIPWAY_CI_ARGS is --push on the default branch only, so merge requests never push.")
        switch context.ci.push {
        case .never: break
        case .always:
            paragraphs.append("Note: [ci] push = true makes plain `slipway ci` push too, in every pipeline (merge requests included); set it to false to push from the default branch only.")
        case .branch(let glob):
            paragraphs.append("Note: [ci] push = \"\(glob)\" also makes plain `slipway ci` push on branches matching it.")
        }
        return paragraphs
    }
}
