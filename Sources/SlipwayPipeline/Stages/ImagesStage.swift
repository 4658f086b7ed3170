import SlipwayManifest

/// Stage 4: builds the images `[ci] images` selects, printing `NAME MANIFEST-DIGEST` for each.
public struct ImagesStage: PipelineStage {
    public let name = StageName.images
    public var images: [ImageSpec]

    public init(images: [ImageSpec]) {
        self.images = images
    }

    public func skipReason(_ state: PipelineState) -> String? {
        images.isEmpty ? "no images" : nil
    }

    public func run(_ context: PipelineContext, _ state: inout PipelineState) async throws -> StageOutcome {
        for spec in images {
            let record = try await context.imageBuilder.build(spec)
            state.builtImages.append(.init(spec: spec, record: record))
            state.summary.images.append(.init(name: spec.name, digest: record.manifestDigest.description))
            context.output.write("\(spec.name) \(record.manifestDigest)\n")
        }
        return .passed
    }
}
