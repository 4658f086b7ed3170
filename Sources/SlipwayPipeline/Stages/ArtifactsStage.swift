import SlipwayManifest

/// Stage 3: builds the artifacts `[ci] artifacts` selects, printing `NAME STORE-PATH...` for each.
public struct ArtifactsStage: PipelineStage {
    public let name = StageName.artifacts
    public var artifacts: [ArtifactSpec]

    public init(artifacts: [ArtifactSpec]) {
        self.artifacts = artifacts
    }

    public func skipReason(_ state: PipelineState) -> String? {
        artifacts.isEmpty ? "no artifacts" : nil
    }

    public func run(_ context: PipelineContext, _ state: inout PipelineState) async throws -> StageOutcome {
        for artifact in artifacts {
            let storePaths = try await context.artifactBuilder.build(artifact)
            state.summary.artifacts.append(.init(name: artifact.name, storePaths: storePaths))
            context.output.write("\(artifact.name) \(storePaths.joined(separator: " "))\n")
        }
        return .passed
    }
}
