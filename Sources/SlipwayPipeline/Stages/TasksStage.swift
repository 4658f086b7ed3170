import Foundation

/// Stage 2: runs the tasks `[ci] tasks` names (every task of the profile by default) with
/// their services, and copies their JUnit reports into `.slipway/ci/<task>/`.
public struct TasksStage: PipelineStage {
    public let name = StageName.tasks
    /// `[ci] tasks`; nil for all.
    public var requested: [String]?
    public var jobs: Int
    public var ciDirectory: String

    public init(requested: [String]?, jobs: Int, ciDirectory: String) {
        self.requested = requested
        self.jobs = jobs
        self.ciDirectory = ciDirectory
    }

    private func names(_ state: PipelineState) -> [String] {
        requested ?? (state.tasks ?? []).map(\.name)
    }

    public func skipReason(_ state: PipelineState) -> String? {
        names(state).isEmpty ? "no tasks" : nil
    }

    public func run(_ context: PipelineContext, _ state: inout PipelineState) async throws -> StageOutcome {
        let plan = try TaskPlan(state.tasks ?? [], requested: names(state))
        let (outcomes, interrupted) = try await context.taskRunner.run(plan, parallelism: jobs)
        state.summary.tasks = plan.tasks.compactMap { task in outcomes.first { $0.name == task.name } }
        state.summary.reports = Self.collectReports(state.summary.tasks, into: ciDirectory)
        if interrupted { return .interrupted }
        if let failed = outcomes.first(where: { $0.status == .failed }) {
            return .failed(code: failed.exitCode ?? 1, detail: "task '\(failed.name)' failed")
        }
        return .passed
    }

    /// Copies each task's reports to `<ciDir>/<task>/<name>` (a clash gets an `<i>-` prefix).
    /// A report that cannot be copied is left out.
    /// - Returns: the copies' paths relative to `ciDir`.
    static func collectReports(_ outcomes: [TaskOutcome], into ciDir: String) -> [String] {
        var copied: [String] = []
        let files = FileManager.default
        for outcome in outcomes {
            for (i, report) in outcome.reports.enumerated() {
                let folder = ciDir + "/" + outcome.name
                try? files.createDirectory(atPath: folder, withIntermediateDirectories: true)
                var name = (report as NSString).lastPathComponent
                if copied.contains(outcome.name + "/" + name) { name = "\(i)-" + name }
                try? files.removeItem(atPath: folder + "/" + name)
                if (try? files.copyItem(atPath: report, toPath: folder + "/" + name)) != nil {
                    copied.append(outcome.name + "/" + name)
                }
            }
        }
        return copied
    }
}
