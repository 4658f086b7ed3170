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
        /// `src` (the project folder, without `.slipway/`, `.git/`, `result*`, special files,
        /// what `.gitignore` files ignore and ``ArtifactSpec/exclude``), `packages` (the
        /// profile's packages by key), `artifacts` (the profile's other artifacts by name),
        /// `build_packages` (``ArtifactSpec/buildPackages``, a list) and `inputs` in scope.
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
    /// Globs (``FileGlob``, relative to the project) left out of `src` besides what `.gitignore`
    /// ignores; a glob naming a folder leaves out all of it.
    public var exclude: [String] = []
    /// Attributes of the package set (`nodejs`, `php82Packages.composer`) in scope of the
    /// expression as the list `build_packages`: tools for the build, in the image only when
    /// the artifact's output refers to them.
    public var buildPackages: [String] = []
    /// Other artifacts of the same profile the expression uses (`artifacts.NAME`).
    public var uses: [String] = []
    public var location: SourceLocation

    public init(name: String, source: Source, location: SourceLocation) {
        self.name = name
        self.source = source
        self.location = location
    }

    /// The names `text` selects from `artifacts` (`artifacts.web`, `artifacts."web"`), in order
    /// of first use.
    public static func artifactReferences(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let range = rest.range(of: "artifacts.") {
            let before = rest[..<range.lowerBound].last
            rest = rest[range.upperBound...]
            if let before, before.isLetter || before.isNumber || "_'-.".contains(before) { continue }
            let quoted = rest.first == "\""
            let body = quoted ? rest.dropFirst() : rest
            let name = String(body.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
            if !name.isEmpty, !names.contains(name) { names.append(name) }
        }
        return names
    }
}

/// `artifact:NAME` or `artifact:NAME:SUB` in an image's `contents`: an artifact, or one
/// sub-path of it (`artifact:web:public`: only `$out/public` goes into the image, at `/public`).
public struct ArtifactPart: Sendable, Hashable {
    public var artifact: String
    /// A relative path inside the artifact's output, without `.`/`..` segments; `nil`: all of it.
    public var subPath: String?

    /// `nil` when `key` does not start with `artifact:`.
    public init?(contentsKey key: String) {
        guard key.hasPrefix("artifact:") else { return nil }
        let rest = key.dropFirst("artifact:".count)
        if let colon = rest.firstIndex(of: ":") {
            artifact = String(rest[..<colon])
            var sub = String(rest[rest.index(after: colon)...])
            while sub.hasSuffix("/") { sub.removeLast() }
            subPath = sub
        } else {
            artifact = String(rest)
            subPath = nil
        }
    }

    /// Whether ``subPath`` is a usable sub-path: letters, digits, `.`, `_`, `-` and `/`, no
    /// empty, `.` or `..` segment.
    public var hasValidSubPath: Bool {
        guard let subPath else { return true }
        let segments = subPath.split(separator: "/", omittingEmptySubsequences: false)
        return !subPath.isEmpty && !subPath.hasPrefix("/")
            && segments.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." && $0.allSatisfy { $0.isLetter || $0.isNumber || "._-".contains($0) } }
    }

    /// The distinct sub-paths of `artifact` that `images` take, sorted.
    public static func parts(of artifact: String, in images: [ImageSpec]) -> [String] {
        let keys = images.flatMap { $0.contents?.map(\.key) ?? [] }
        let subs = keys.compactMap(ArtifactPart.init(contentsKey:)).filter { $0.artifact == artifact && $0.hasValidSubPath }.compactMap(\.subPath)
        return Array(Set(subs)).sorted()
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
