import SlipwayCore

/// Stage 5: pushes every built image to `<registry>/<image>` with each tag, when
/// ``CIPushDecision`` says so.
public struct PushStage: PipelineStage {
    public let name = StageName.push
    public var decision: CIPushDecision

    public init(decision: CIPushDecision) {
        self.decision = decision
    }

    public func skipReason(_ state: PipelineState) -> String? {
        if case .skip(let reason) = decision.action { return reason }
        return nil
    }

    public func run(_ context: PipelineContext, _ state: inout PipelineState) async throws -> StageOutcome {
        guard let (registry, tags) = decision.target else { return .passed }
        let tagList = tags.joined(separator: ",")
        for built in state.builtImages {
            let name = built.spec.name
            context.output.status("pushing \(name) to \(registry)/\(name):\(tagList)")
            let results = try await context.registryPusher.push(built.record, registry: registry, repository: name, tags: tags)
            state.pushed[name] = results.first
            for result in results {
                context.output.write(
                    "pushed \(result.repository):\(tagList) \(result.manifestDigest) (\(result.uploaded) of \(result.blobs) "
                        + "blobs uploaded, \(ByteCount.format(result.bytesSent)))\n")
            }
            if let i = state.summary.images.firstIndex(where: { $0.name == name }) {
                state.summary.images[i].pushed = tags.map { "\(registry)/\(name):\($0)" }
            }
        }
        return .passed
    }
}
