import Foundation
import Yams

/// A GitHub Actions workflow (`.github/workflows/slipway.yml`) for one Slipway project.
///
/// Shape (for a project `app` in `web/`, with images pushed to GHCR):
/// ```yaml
/// name: app (slipway ci)
/// on: [push, pull_request]
/// permissions: {contents: read, packages: write}
/// env: {SLIPWAY_VERSION: ..., SLIPWAY_SHA256: ..., SLIPWAY_RELEASE_URL: ..., SLIPWAY_FLAKE: ""}
/// jobs:
///   ci:
///     runs-on: ubuntu-latest
///     steps:
///     - uses: actions/checkout@v4
///     - uses: cachix/install-nix-action@v31      # with extra_nix_config: flakes
///     - uses: actions/cache@v4                   # key: hashFiles('web/slipway.lock')
///     - run: <install Slipway unless on PATH: pinned tarball, sha256sum -c>
///     - {if: <not a push to the default branch>, run: slipway ci, working-directory: web}
///     - {if: <a push to the default branch>, run: slipway ci --push, working-directory: web,
///        env: {SLIPWAY_REGISTRY_USER: ${{ github.actor }}, SLIPWAY_REGISTRY_PASSWORD: ${{ secrets.GITHUB_TOKEN }}}}
///     - {uses: actions/upload-artifact@v4, if: always(), with: {path: web/.slipway/ci/**/*.xml}}
/// ```
/// Without images: one `slipway ci` step, no credentials, `permissions: {contents: read}`.
/// `[ci] registry` defaults to `ghcr.io/<owner>/<repo>` (Slipway derives it from
/// `GITHUB_REPOSITORY`); when it names another host, the `GITHUB_TOKEN` (valid for GHCR only)
/// is not sent there: the credentials come from the secrets `SLIPWAY_REGISTRY_USER` and
/// `SLIPWAY_REGISTRY_PASSWORD` instead, and `packages: write` is not requested.
struct GitHubWorkflow {
    static let checkoutAction = "actions/checkout@v4"
    static let installNixAction = "cachix/install-nix-action@v31"
    static let cacheAction = "actions/cache@v4"
    static let uploadArtifactAction = "actions/upload-artifact@v4"
    static let defaultBranchPush =
        "github.event_name == 'push' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"
    static let notDefaultBranchPush =
        "github.event_name != 'push' || github.ref != format('refs/heads/{0}', github.event.repository.default_branch)"

    let context: GeneratorContext

    init(_ context: GeneratorContext) { self.context = context }

    /// Whether images go to GHCR, where the workflow's `GITHUB_TOKEN` can push.
    var pushesToGHCR: Bool { context.registryHost.map { $0.lowercased() == "ghcr.io" } ?? true }

    func document() -> YAMLDocument {
        var document = YAMLDocument(header: PipelineGenerator.header(.github, context))
        document.append("name", YAMLValue.string("\(context.projectName) (slipway ci)"))
        document.append("on", YAMLValue.flowSequence(["push", "pull_request"]))
        let grantsPackages = context.hasImages && pushesToGHCR
        document.append("permissions", YAMLValue.mapping([
            ("contents", YAMLValue.string("read")),
            ("packages", grantsPackages ? YAMLValue.string("write") : nil),
        ]), comment: grantsPackages ? ["packages: write lets GITHUB_TOKEN push images to GHCR (from the default branch only)."] : [])
        let cache = ("SLIPWAY_NIX_CACHE", YAMLValue.string("${{ github.workspace }}/" + context.inProject(PipelineGenerator.nixCacheFolder)))
        document.append("env", YAMLValue.mapping(PipelineGenerator.pinVariables(context.pin) + [cache]),
                        comment: PipelineGenerator.pinComment(context.pin))
        document.append(
            "jobs", YAMLValue.mapping([("ci", job())] + context.deploy.map { ("deploy-" + $0.name, deployJob($0)) }),
            comment: cacheComment + registryComment + deployComment)
        return document
    }

    private func job() -> Node {
        var steps = setupSteps()
        if context.hasImages {
            steps.append(slipwayStep(condition: Self.notDefaultBranchPush, push: false))
            steps.append(slipwayStep(condition: Self.defaultBranchPush, push: true))
        } else {
            steps.append(slipwayStep(condition: nil, push: false))
        }
        steps.append(YAMLValue.mapping([
            ("name", YAMLValue.string("Export the Nix store paths")),
            ("run", YAMLValue.string(PipelineGenerator.exportCommand)),
            ("working-directory", context.directory == "." ? nil : YAMLValue.string(context.directory)),
        ]))
        steps.append(YAMLValue.mapping([
            ("name", YAMLValue.string("Upload JUnit reports")),
            ("if", YAMLValue.string("always()")),
            ("uses", YAMLValue.string(Self.uploadArtifactAction)),
            ("with", YAMLValue.mapping([
                ("name", YAMLValue.string("junit-" + context.slug)),
                ("path", YAMLValue.string(context.inProject(".slipway/ci/**/*.xml"))),
            ])),
        ]))
        return YAMLValue.mapping([
            ("name", YAMLValue.string("slipway ci")),
            ("runs-on", YAMLValue.string("ubuntu-latest")),
            ("steps", YAMLValue.sequence(steps)),
        ])
    }

    /// Checkout, Nix, the Slipway cache, Slipway: the first steps of every job.
    func setupSteps() -> [Node] {
        [
            YAMLValue.mapping([("uses", YAMLValue.string(Self.checkoutAction))]),
            YAMLValue.mapping([
                ("uses", YAMLValue.string(Self.installNixAction)),
                ("with", YAMLValue.mapping([
                    ("extra_nix_config", YAMLValue.lines([PipelineGenerator.nixConfig])),
                    ("github_access_token", YAMLValue.string("${{ secrets.GITHUB_TOKEN }}")),
                ])),
            ]),
            cacheStep(),
            YAMLValue.mapping([
                ("name", YAMLValue.string("Install Slipway")),
                ("run", YAMLValue.lines([
                    PipelineGenerator.installSlipway(into: "$HOME/.local/bin"), "echo \"$HOME/.local/bin\" >> \"$GITHUB_PATH\"",
                ])),
            ]),
        ]
    }

    private func cacheStep() -> Node {
        var paths = [context.inProject(".slipway/cache"), context.inProject(PipelineGenerator.nixCacheFolder)]
        if context.hasImages { paths += [context.inProject(".slipway/registry"), "~/.cache/slipway"] }
        let lock = context.inProject("slipway.lock").replacingOccurrences(of: "'", with: "''")
        let prefix = "slipway-\(context.slug)-${{ runner.os }}-"
        return YAMLValue.mapping([
            ("name", YAMLValue.string("Cache Slipway")),
            ("uses", YAMLValue.string(Self.cacheAction)),
            ("with", YAMLValue.mapping([
                ("path", YAMLValue.lines(paths)),
                ("key", YAMLValue.string(prefix + "${{ hashFiles('\(lock)') }}")),
                ("restore-keys", YAMLValue.string(prefix)),
            ])),
        ])
    }

    /// `slipway ci` (with `--push` when `push`), in the manifest's folder. Registry credentials
    /// go to the push step, and to the plain one when `[ci] push` lets it push by itself.
    private func slipwayStep(condition: String?, push: Bool) -> Node {
        let command = context.ciCommand + (push ? " --push" : "")
        let credentials = context.hasImages && (push || context.pushesWithoutFlag)
        let (user, password) = pushesToGHCR
            ? ("${{ github.actor }}", "${{ secrets.GITHUB_TOKEN }}")
            : ("${{ secrets.SLIPWAY_REGISTRY_USER }}", "${{ secrets.SLIPWAY_REGISTRY_PASSWORD }}")
        return YAMLValue.mapping([
            ("name", YAMLValue.string(command)),
            ("if", condition.map(YAMLValue.string)),
            ("run", YAMLValue.string(command)),
            ("working-directory", context.directory == "." ? nil : YAMLValue.string(context.directory)),
            ("env", credentials ? YAMLValue.mapping([
                ("SLIPWAY_REGISTRY_USER", YAMLValue.string(user)),
                ("SLIPWAY_REGISTRY_PASSWORD", YAMLValue.string(password)),
            ]) : nil),
        ])
    }

    private var cacheComment: [String] {
        let reused = context.hasImages
            ? ".slipway/cache (closures of built environments), .slipway/registry (blobs the registry already has) and Slipway's layer cache (~/.cache/slipway: digests of store layers), so an unchanged image layer is neither read again nor uploaded."
            : ".slipway/cache (closures of built environments)."
        return [
            "Cache, keyed on slipway.lock: " + reused,
            PipelineGenerator.nixCacheComment,
        ]
    }

    private var registryComment: [String] {
        guard context.hasImages else { return [] }
        var paragraphs = [""]
        if pushesToGHCR {
            let target = context.ci.registry.map { "\($0) ([ci] registry)" }
                ?? "ghcr.io/<owner>/<repo> (the default of [ci] registry, from GITHUB_REPOSITORY)"
            paragraphs.append("Images go to \(target) with the workflow's GITHUB_TOKEN; only pushes to the default branch run `slipway ci --push`.")
        } else {
            paragraphs.append("Images go to \(context.ci.registry ?? "") ([ci] registry), not GHCR, so GITHUB_TOKEN is not sent there: add the repository secrets SLIPWAY_REGISTRY_USER and SLIPWAY_REGISTRY_PASSWORD. Only pushes to the default branch run `slipway ci --push`.")
        }
        switch context.ci.push {
        case .never: break
        case .always:
            paragraphs.append("Note: [ci] push = true makes plain `slipway ci` push too, on every event (pull requests included), so it gets the credentials; set it to false to push from the default branch only.")
        case .branch(let glob):
            paragraphs.append("Note: [ci] push = \"\(glob)\" also makes plain `slipway ci` push on branches matching it, so it gets the credentials too.")
        }
        return paragraphs
    }
}
