/// Stage 1: builds (or loads) the CI profile's environment and lists its tasks.
public struct EnvironmentStage: PipelineStage {
    public let name = StageName.environment
    public var profile: String

    public init(profile: String) {
        self.profile = profile
    }

    public func skipReason(_ state: PipelineState) -> String? { nil }

    public func run(_ context: PipelineContext, _ state: inout PipelineState) async throws -> StageOutcome {
        state.tasks = try await context.environment.prepare(profile: profile)
        return .passed
    }
}
