import SlipwayManifest
import SlipwayOCI

/// One stage of ``CIPipeline``: a value holding its inputs, run once with the side effects of a
/// ``PipelineContext``.
public protocol PipelineStage: Sendable {
    var name: StageName { get }

    /// Why the stage has nothing to do (it is recorded as skipped without running), or nil.
    /// Asked only when every earlier stage passed or was skipped.
    func skipReason(_ state: PipelineState) -> String?

    /// Does the stage's work; adds what it produced to `state` (for the summary and later stages).
    /// - Returns: `.passed`, `.failed` or `.interrupted` (a thrown error counts as failed).
    func run(_ context: PipelineContext, _ state: inout PipelineState) async throws -> StageOutcome
}

/// What one `slipway ci` has produced so far: the summary being written, and what later
/// stages take from earlier ones.
public struct PipelineState: Sendable {
    /// An image the images stage built, for the push stage.
    public struct BuiltImage: Sendable {
        public var spec: ImageSpec
        public var record: BuildRecord
    }

    public var summary: CISummary
    /// The tasks of the CI profile; set by the environment stage.
    public var tasks: [TaskSpec]?
    public var builtImages: [BuiltImage] = []
    /// What the push stage pushed, by `[images]` key (the first repository of each).
    public var pushed: [String: CIPushResult] = [:]

    public init(summary: CISummary) {
        self.summary = summary
    }
}
