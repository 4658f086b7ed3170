/// The stages of `slipway ci`, in the order they run. The raw value is the name in
/// `summary.json` and in the closing report.
///
/// A new stage is one more case here and one more ``PipelineStage`` type in its own file, listed
/// in ``CIPipeline/stages(for:)``.
public enum StageName: String, Sendable, Codable, CaseIterable {
    case environment
    case tasks
    case artifacts
    case images
    case push
    case deploy
}
