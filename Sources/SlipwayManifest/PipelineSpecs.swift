import SlipwayCore

/// One `[tasks.NAME]` entry after profiles are applied: a command of the project's workflow
/// (test, lint, build...) that runs in the profile's environment.
///
/// `run` is a shell command (`sh -c`). Globs in `inputs`, `outputs` and `reports` are relative to
/// the project root and use `*`, `?` and `**` (any number of folders).
public struct TaskSpec: Sendable, Hashable, Codable {
    public var name: String
    public var run: String
    public var description: String?
    /// Tasks that must succeed first.
    public var deps: [String] = []
    /// `sequential = true`: `deps` run one after another in the order listed (each with what
    /// it needs), a failure stopping the rest, instead of in parallel.
    public var sequential = false
    /// Working directory, relative to the project root; default the root.
    public var cwd: String?
    public var env: [EnvEntry] = []
    /// Services started (with readiness) before the task and stopped after it, unless already up.
    public var services: [String] = []
    /// Globs whose content, with the outputs', decides whether the task can be skipped.
    public var inputs: [String] = []
    public var outputs: [String] = []
    /// Globs of JUnit XML files the task writes (`$SLIPWAY_OUT/...` is allowed).
    public var reports: [String] = []
    public var location: SourceLocation

    public init(name: String, run: String, location: SourceLocation) {
        self.name = name
        self.run = run
        self.location = location
    }
}

/// One `[artifacts.NAME]` entry: a Nix build of the project itself.
public struct ArtifactSpec: Sendable, Hashable, Codable {
    public enum Source: Sendable, Hashable, Codable {
        /// A Nix expression with the package set (`pkgs`, and its attributes through `with`),
        /// `src` (the project folder, without `.slipway/`, `.git/` and `result*`), `packages`
        /// (the profile's packages by key) and `inputs` in scope.
        case expression(String)
        /// `<flakeref>#<attr>`, built as `nix build` would from the project folder (so `.#app` is the
        /// project's own flake, with Nix's own rules for Git repositories).
        case flake(ref: String, attribute: String)
    }

    public var name: String
    public var source: Source
    /// The profile whose package set and packages the expression sees; default `prod`.
    public var profile: String = "prod"
    public var description: String?
    /// Paths (files or folders, relative to the project) that make up `src`; `nil`: the whole
    /// project folder. A narrow `src` keeps the artifact (and the images using it) unchanged
    /// when unrelated files change (a test cache, docs).
    public var include: [String]?
    public var location: SourceLocation

    public init(name: String, source: Source, location: SourceLocation) {
        self.name = name
        self.source = source
        self.location = location
    }
}

/// `[ci]`: what `slipway ci` runs, and when it pushes.
public struct CISpec: Sendable, Hashable, Codable {
    /// When images are pushed without `--push`.
    public enum PushRule: Sendable, Hashable, Codable {
        case never
        case always
        /// A glob on the branch name (`main`, `release/*`).
        case branch(String)
    }

    /// The profile of the environment and the tasks; default `ci`.
    public var profile: String = "ci"
    /// Tasks to run (with their dependencies); default every task.
    public var tasks: [String]?
    /// Artifacts to build; default every artifact.
    public var artifacts: [String]?
    /// Images to build (and push); default every image.
    public var images: [String]?
    public var push: PushRule = .never
    /// Where images go: `HOST[:PORT]/PATH`, each image as `<registry>/<image>`; `$VAR`s expand.
    /// Default: `$CI_REGISTRY_IMAGE` (GitLab) or `ghcr.io/$GITHUB_REPOSITORY` (GitHub).
    public var registry: String?
    /// Tags pushed; `$VAR`s expand, empty results are dropped. Default `["latest"]`.
    public var tags: [String] = ["latest"]
    /// `[deploy.NAME]` targets the deploy stage deploys after the push, in this order.
    public var deploy: [String] = []
    /// When the deploy stage runs (besides the push running): `.always` (the default) or a
    /// branch glob; never in a merge or pull request pipeline.
    public var deployWhen: PushRule = .always
    /// The `[ci]` table's location, or line 1 when it is absent.
    public var location: SourceLocation

    public init(location: SourceLocation) { self.location = location }
}
