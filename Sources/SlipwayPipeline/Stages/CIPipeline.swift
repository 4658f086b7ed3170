import Foundation
import SlipwayCore

/// `slipway ci`: runs its stages in order, stopping at the first failure or signal, and
/// records every stage in one ``CISummary`` (those not reached as `not-run`).
public struct CIPipeline: Sendable {
    public var request: CIRequest
    public var stages: [any PipelineStage]

    /// The standard stages for `request` (see ``stages(for:)``).
    public init(_ request: CIRequest) {
        self.init(request, stages: Self.stages(for: request))
    }

    public init(_ request: CIRequest, stages: [any PipelineStage]) {
        self.request = request
        self.stages = stages
    }

    /// environment → tasks → artifacts → images → push → deploy.
    public static func stages(for request: CIRequest) -> [any PipelineStage] {
        [
            EnvironmentStage(profile: request.profile),
            TasksStage(requested: request.tasks, jobs: request.jobs, ciDirectory: request.ciDirectory),
            ArtifactsStage(artifacts: request.artifacts),
            ImagesStage(images: request.images),
            PushStage(decision: request.push),
            DeployStage(decision: request.deploy),
        ]
    }

    /// Checks the push destination, empties the CI folder, runs the stages.
    /// - Returns: the summary; its `exitCode` is what `slipway ci` exits with.
    /// - Throws: before any stage, the destination check's error, or the CI folder's I/O error.
    public func run(_ context: PipelineContext) async throws -> CISummary {
        let started = context.clock.now()
        if let (registry, tags) = request.push.target {
            try context.registryPusher.checkDestination(registry: registry, tags: tags)
        }
        // Only now, with nothing left to refuse, the previous run's report goes.
        try? FileManager.default.removeItem(atPath: request.ciDirectory)
        try FileManager.default.createDirectory(atPath: request.ciDirectory, withIntermediateDirectories: true)
        var run = Run(state: PipelineState(summary: CISummary(project: request.project, profile: request.profile)))
        run.state.summary.branch = request.branch
        run.state.summary.push = request.push.wanted
        for stage in stages { await run.step(stage, context) }
        // A signal during the last stage that ran (a runner cancelling the job) still counts.
        if context.isInterrupted() { run.interrupt() }
        var summary = run.state.summary
        summary.seconds = Self.seconds(context.clock.now() - started)
        if let code = run.failure {
            summary.exitCode = code
            if summary.result != .interrupted { summary.result = .failed }
        }
        return summary
    }

    /// `duration` in seconds, as the summary records times.
    public static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The state of one run: what the stages produced, and the first failure's exit status.
    private struct Run {
        var state: PipelineState
        var failure: Int32?

        /// Marks the run interrupted (exit status 130) unless it already failed.
        mutating func interrupt() {
            guard failure == nil else { return }
            state.summary.result = .interrupted
            failure = 130
        }

        mutating func step(_ stage: any PipelineStage, _ context: PipelineContext) async {
            if context.isInterrupted() { interrupt() }
            if failure != nil {
                let why = state.summary.result == .interrupted ? "interrupted" : "an earlier stage failed"
                record(stage.name, .notRun, seconds: 0, detail: why)
                return
            }
            if let reason = stage.skipReason(state) {
                record(stage.name, .skipped, seconds: 0, detail: reason)
                return
            }
            context.output.writeError("==> \(stage.name.rawValue)\n")
            let start = context.clock.now()
            let outcome: StageOutcome
            do {
                outcome = try await stage.run(context, &state)
            } catch {
                context.output.report(error)
                let slipwayError = error as? any SlipwayError
                outcome = .failed(code: slipwayError?.exitCode ?? 1, detail: slipwayError?.message ?? String(describing: error))
            }
            let seconds = CIPipeline.seconds(context.clock.now() - start)
            finish(stage.name, outcome, seconds: seconds, interrupted: context.isInterrupted())
        }

        private mutating func finish(_ name: StageName, _ outcome: StageOutcome, seconds: Double, interrupted: Bool) {
            switch outcome {
            case .passed:
                record(name, .passed, seconds: seconds)
            case .skipped(let reason):
                record(name, .skipped, seconds: seconds, detail: reason)
            case .failed(let code, let detail):
                record(name, .failed, seconds: seconds, detail: detail)
                failure = code
                // A failure that a signal caused (a Nix build killed by Ctrl-C) is an interruption.
                if interrupted { state.summary.result = .interrupted; failure = 130 }
            case .interrupted:
                record(name, .failed, seconds: seconds, detail: "interrupted")
                state.summary.result = .interrupted
                failure = 130
            }
        }

        private mutating func record(_ name: StageName, _ status: CISummary.Stage.Status, seconds: Double, detail: String? = nil) {
            state.summary.stages.append(.init(name: name, status: status, seconds: seconds, detail: detail))
        }
    }
}
