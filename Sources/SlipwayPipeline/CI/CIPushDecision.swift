import SlipwayManifest

/// Whether and where `slipway ci` pushes, settled before any stage runs (so a missing registry
/// is reported before the tests, not after them).
public struct CIPushDecision: Sendable, Equatable {
    /// What the command line says about pushing.
    public struct Flags: Sendable, Equatable {
        public var push: Bool
        public var noPush: Bool
        /// `--registry`.
        public var registry: String?
        /// `--tag`s (they replace `[ci] tags`).
        public var tags: [String]

        public init(push: Bool = false, noPush: Bool = false, registry: String? = nil, tags: [String] = []) {
            self.push = push
            self.noPush = noPush
            self.registry = registry
            self.tags = tags
        }
    }

    /// `--push`, or `[ci] push` matching the branch (and not `--no-push`): `push` in the summary.
    public var wanted: Bool
    /// Where the images go (`HOST[:PORT]/PATH`), with which tags; nil when the push stage is skipped.
    public var target: (registry: String, tags: [String])? {
        if case .push(let registry, let tags) = action { return (registry, tags) }
        return nil
    }

    public enum Action: Sendable, Equatable {
        case push(registry: String, tags: [String])
        case skip(reason: String)
    }

    public var action: Action
    /// The tags came from `--tag`: they replace the images' own `tags` too.
    public var tagsFromFlag = false
    /// `--tag`s or `[ci] tags`, as written, that expanded to nothing (``CIRegistry/emptyTags(_:environment:)``).
    public var droppedTags: [String] = []

    public init(wanted: Bool, action: Action, tagsFromFlag: Bool = false) {
        self.wanted = wanted
        self.action = action
        self.tagsFromFlag = tagsFromFlag
    }

    /// Applies the push rules: `--no-push` wins, then `--push`, then `[ci] push` against `branch`
    /// (never in a merge or pull request pipeline, see ``CIBranch/pushRuleMatches(_:branch:environment:)``).
    /// The registry and tags are resolved only when something will be pushed.
    /// - Throws: ``CIError`` (no registry, an invalid tag, no tag left).
    public static func decide(
        _ flags: Flags, ci: CISpec, hasImages: Bool, branch: String?, environment: [String: String]
    ) throws -> CIPushDecision {
        let wanted = !flags.noPush && (flags.push || CIBranch.pushRuleMatches(ci.push, branch: branch, environment: environment))
        guard wanted, hasImages else {
            return CIPushDecision(wanted: wanted, action: .skip(reason: skipReason(
                flags, ci: ci, hasImages: hasImages, branch: branch, environment: environment)))
        }
        let registry = try CIRegistry.destination(flag: flags.registry, ci: ci, environment: environment)
        let tags = try CIRegistry.tags(flag: flags.tags, ci: ci, environment: environment)
        var decision = CIPushDecision(wanted: true, action: .push(registry: registry, tags: tags), tagsFromFlag: !flags.tags.isEmpty)
        decision.droppedTags = CIRegistry.emptyTags(flags.tags.isEmpty ? ci.tags : flags.tags, environment: environment)
        return decision
    }

    private static func skipReason(
        _ flags: Flags, ci: CISpec, hasImages: Bool, branch: String?, environment: [String: String]
    ) -> String {
        if !hasImages { return "no images" }
        if flags.noPush { return "--no-push" }
        if case .never = ci.push { return "not asked (--push)" }
        if !CIBranch.pushRuleMatches(.always, branch: nil, environment: environment) {
            return "a merge or pull request pipeline never pushes by [ci] push"
        }
        return "not asked (--push), and [ci] push does not match branch \(branch ?? "(unknown: no CI variables, no .git)")"
    }
}
