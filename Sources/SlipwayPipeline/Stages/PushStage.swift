import SlipwayCore
import SlipwayManifest

/// Stage 5: pushes every built image to `<registry>/<name>` (its `name` itself when that has a
/// registry host) with `[ci] tags` or the image's own `tags`, when ``CIPushDecision`` says so.
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
        for built in state.builtImages {
            let name = built.spec.name
            let (host, path) = ImageNames.split(built.spec.repository)
            let target = host ?? registry
            let imageTags = try self.tags(of: built.spec, default: tags, environment: context.variables)
            let ownTags = !built.spec.tags.isEmpty && !decision.tagsFromFlag
            let dropped = ownTags ? CIRegistry.emptyTags(built.spec.tags, environment: context.variables) : decision.droppedTags
            if let note = CIRegistry.droppedTagsNote(dropped, image: name, environment: context.variables) { context.output.status(note) }
            let tagList = imageTags.joined(separator: ",")
            context.output.status("pushing \(name) to \(target)/\(path):\(tagList)")
            let results = try await context.registryPusher.push(built.record, registry: target, repository: path, tags: imageTags)
            state.pushed[name] = results.first
            for result in results {
                context.output.write(
                    "pushed \(result.repository):\(tagList) \(result.manifestDigest) (\(result.uploaded) of \(result.blobs) "
                        + "blobs uploaded, \(ByteCount.format(result.bytesSent)))\n")
            }
            if let i = state.summary.images.firstIndex(where: { $0.name == name }) {
                state.summary.images[i].pushed = imageTags.map { "\(target)/\(path):\($0)" }
            }
        }
        return .passed
    }

    /// The image's own `tags` (expanded like `[ci] tags`), unless `--tag` was given; else `tags`.
    /// - Throws: ``CIError`` for an invalid tag or tags that all expand to nothing.
    func tags(of spec: ImageSpec, default tags: [String], environment: [String: String]) throws -> [String] {
        guard !spec.tags.isEmpty, !decision.tagsFromFlag else { return tags }
        return try CIRegistry.tags(flag: spec.tags, ci: CISpec(location: spec.location), environment: environment)
    }
}
