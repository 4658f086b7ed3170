import Crypto
import Foundation
import SlipwayCore
import SlipwayManifest

/// What `slipway ci generate` needs to write a CI configuration for one Slipway project.
///
/// The generated file only sets up the machine (Nix, Slipway, caches, registry credentials) and
/// runs `slipway ci` in ``manifestDirectory``; the profile, tasks, artifacts, images and tags
/// in ``ci`` are read again from the manifest at run time, so changing them needs no
/// regeneration. What the generator does read from ``ci``: ``CISpec/registry`` (which
/// credentials to use) and ``CISpec/push`` (whether plain `slipway ci` may push by itself).
public struct PipelineRequest: Sendable, Hashable {
    /// `[project] name`, used in job, workflow, cache and artifact names.
    public var projectName: String
    /// The folder of `slipway.toml` relative to the repository root: `"."` or a path like
    /// `"examples/guestbook"` (a leading `./` and a trailing `/` are ignored). Absolute paths
    /// and `..` are refused: CI checks out the repository and runs from its root.
    public var manifestDirectory: String
    /// `[ci]` from the manifest.
    public var ci: CISpec
    /// Whether `slipway ci` builds images (the manifest has `[images]`, or `ci.images` names
    /// some): registry credentials, the `--push` step and the image caches exist only then.
    public var hasImages: Bool
    /// The `[ci] deploy` targets: each gets a deploy job after the build job (`slipway deploy
    /// NAME`), and the build job runs `slipway ci --no-deploy`. Read from them: the name,
    /// ``DeploySpec/manual``, ``DeploySpec/url`` and the environment variables of `secrets`.
    public var deploy: [DeploySpec]
    /// The GitLab jobs' `image:` (`--image`): an image reference such as
    /// `registry.example.com/ci/nix:2.28`; `nil` means ``PipelineGenerator/gitLabNixImage``.
    /// The image must run as root with Nix on `PATH` (as the official `nixos/nix` image does).
    public var jobImage: String?
    /// The Slipway the jobs install when their image has none: this release's version and the
    /// SHA-256 of its `bin/slipway` (``SlipwayPin/current()`` in `slipway ci generate`).
    public var pin: SlipwayPin

    public init(
        projectName: String, manifestDirectory: String, ci: CISpec, hasImages: Bool, deploy: [DeploySpec] = [],
        jobImage: String? = nil, pin: SlipwayPin = .unhashed
    ) {
        self.projectName = projectName
        self.manifestDirectory = manifestDirectory
        self.ci = ci
        self.hasImages = hasImages
        self.deploy = deploy
        self.jobImage = jobImage
        self.pin = pin
    }
}

/// The Slipway release a generated job installs: `slipway-VERSION-x86_64-linux.tar.gz` from
/// `$SLIPWAY_RELEASE_URL`, its `bin/slipway` checked with `sha256sum -c` against ``binarySHA256``.
///
/// The binary cannot know the hash of the tarball it came in, but it can hash itself: the pin
/// is the executable's own SHA-256, so a job installs exactly the binary that generated its file.
public struct SlipwayPin: Sendable, Hashable {
    /// `MAJOR.MINOR.PATCH`, the version in the tarball's name.
    public var version: String
    /// SHA-256 of `bin/slipway`: 64 lowercase hex digits.
    public var binarySHA256: String

    public init(version: String, binarySHA256: String) {
        self.version = version
        self.binarySHA256 = binarySHA256
    }

    /// This version with an all-zero hash, which `sha256sum -c` always refuses (for tests and
    /// callers that do not install from the tarball).
    public static let unhashed = SlipwayPin(version: SlipwayVersion.number, binarySHA256: String(repeating: "0", count: 64))

    /// The running executable's pin: ``SlipwayVersion/number`` and the SHA-256 of `/proc/self/exe`.
    /// - Throws: Foundation's file-reading error when `/proc/self/exe` cannot be read.
    public static func current() throws -> SlipwayPin {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: "/proc/self/exe"), options: .mappedIfSafe)
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        return SlipwayPin(version: SlipwayVersion.number, binarySHA256: digest)
    }

    /// The tarball's folder name: `slipway-VERSION-x86_64-linux`.
    public var folder: String { "slipway-\(version)-x86_64-linux" }

    /// Where releases are downloaded from unless `SLIPWAY_RELEASE_URL` says otherwise.
    public var defaultReleaseURL: String { "https://github.com/slipway-dev/slipway/releases/download/v\(version)" }
}

/// A CI service `slipway ci generate` writes configuration for.
public enum CIProvider: String, CaseIterable, Sendable {
    /// GitLab CI/CD: `.gitlab-ci.yml`.
    case gitlab
    /// GitHub Actions: a workflow under `.github/workflows/`.
    case github

    /// Where the file conventionally goes, relative to the repository root:
    /// `.gitlab-ci.yml` or `.github/workflows/slipway.yml`.
    public var defaultPath: String {
        switch self {
        case .gitlab: ".gitlab-ci.yml"
        case .github: ".github/workflows/slipway.yml"
        }
    }
}

/// A request checked and turned into the strings both generators use.
struct GeneratorContext {
    let request: PipelineRequest
    /// The manifest directory without `./` or a trailing `/`; `"."` for the repository root.
    let directory: String
    /// The project name made safe for cache keys and artifact names: `[A-Za-z0-9._-]`.
    let slug: String

    init(_ request: PipelineRequest) throws(CIGenerationError) {
        self.request = request
        let name = request.projectName.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw .emptyProjectName }
        directory = try Self.normalize(request.manifestDirectory)
        if let target = request.deploy.first(where: { $0.mode == .kubernetes }) {
            throw .kubernetesDeployJob(target.name)
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        let mapped = String(name.map { allowed.contains($0) ? $0 : "-" })
        slug = mapped.allSatisfy({ $0 == "." }) ? "project" : mapped
    }

    var projectName: String { request.projectName.trimmingCharacters(in: .whitespaces) }
    var ci: CISpec { request.ci }
    var hasImages: Bool { request.hasImages }
    var deploy: [DeploySpec] { request.deploy }
    /// The GitLab jobs' image: `--image`, else the pinned official Nix image.
    var jobImage: String { request.jobImage ?? PipelineGenerator.gitLabNixImage }
    var pin: SlipwayPin { request.pin }

    /// The build job's `slipway ci` command: `--no-deploy` when deploy jobs do the deploying.
    var ciCommand: String { deploy.isEmpty ? "slipway ci" : "slipway ci --no-deploy" }

    /// Every variable the deploy targets' secrets read, sorted, each once.
    var deploySecretVariables: [String] { Set(deploy.flatMap(Self.secretVariables)).sorted() }

    /// The deploying machine's environment variables `target`'s secrets read (`{ env = "X" }`).
    static func secretVariables(_ target: DeploySpec) -> [String] {
        target.secrets.compactMap { if case .environment(let name) = $0.source { name } else { nil } }
    }

    /// Shell lines that install the ssh key and known hosts from `key` and `knownHosts` (paths
    /// when `files`, else the texts) and make ssh use the key for every host.
    static func sshSetup(key: String, knownHosts: String, files: Bool) -> [String] {
        let (write, append) = files
            ? ("install -m 600 \"$\(key)\" ~/.ssh/id_slipway", "cat \"$\(knownHosts)\" >> ~/.ssh/known_hosts")
            : ("(umask 077; printf '%s\\n' \"$\(key)\" > ~/.ssh/id_slipway)",
               "printf '%s\\n' \"$\(knownHosts)\" >> ~/.ssh/known_hosts")
        return [
            "command -v ssh > /dev/null || nix profile install nixpkgs#openssh",
            "install -d -m 700 ~/.ssh", write, append,
            "printf 'IdentityFile ~/.ssh/id_slipway\\n' >> ~/.ssh/config",
        ]
    }

    /// `path` inside the project, relative to the repository root.
    func inProject(_ path: String) -> String { directory == "." ? path : directory + "/" + path }

    /// The manifest, relative to the repository root, for comments.
    var manifestPath: String { inProject("slipway.toml") }

    /// The host of `[ci] registry` (before its first `/`), or `nil` when it is unset.
    var registryHost: String? {
        guard let registry = ci.registry else { return nil }
        return String(registry.prefix { $0 != "/" })
    }

    /// Whether plain `slipway ci` may push by itself (`[ci] push` is `always` or a branch glob).
    var pushesWithoutFlag: Bool { ci.push != .never }

    /// The manifest directory as a shell word.
    var shellDirectory: String { Self.shellQuote(directory) }

    static func normalize(_ raw: String) throws(CIGenerationError) -> String {
        var parts = raw.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !raw.hasPrefix("/") else { throw .invalidManifestDirectory(raw) }
        parts.removeAll { $0 == "." }
        guard !parts.contains("..") else { throw .invalidManifestDirectory(raw) }
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// `text` as one POSIX shell word: unchanged when it has only safe characters, else in
    /// single quotes (a `'` written as `'\''`).
    static func shellQuote(_ text: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/+@%=:,")
        if !text.isEmpty, text.allSatisfy(safe.contains) { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
