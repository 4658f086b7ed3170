import SlipwayManifest

/// What one run of a plan knows: outcomes, the order tasks finished in, the tasks started, and
/// how many unfinished tasks still need each service.
struct RunBook {
    let plan: TaskPlan
    private(set) var outcomes: [String: TaskOutcome] = [:]
    private var finished: [String] = []
    var started: Set<String> = []
    private var serviceUsers: [String: Int] = [:]

    init(plan: TaskPlan) {
        self.plan = plan
        for task in plan.tasks { for service in task.services { serviceUsers[service, default: 0] += 1 } }
    }

    var isComplete: Bool { outcomes.count >= plan.tasks.count }
    var inFinishingOrder: [TaskOutcome] { finished.compactMap { outcomes[$0] } }
    /// Tasks neither started nor finished.
    var pending: [TaskSpec] { plan.tasks.filter { !started.contains($0.name) && outcomes[$0.name] == nil } }
    /// Pending tasks whose prerequisites all succeeded or were skipped.
    var ready: [TaskSpec] {
        pending.filter { task in
            (plan.prerequisites[task.name] ?? task.deps).allSatisfy {
                outcomes[$0]?.status == .succeeded || outcomes[$0]?.status == .skipped
            }
        }
    }

    /// Records `outcome`. A task that failed, was cancelled or did not run makes every dependent
    /// not yet started "not run" (recorded here too, depth first).
    /// - Returns: services no task still needs, and the dependents marked not run.
    mutating func record(_ outcome: TaskOutcome) -> (released: [String], blocked: [TaskOutcome]) {
        outcomes[outcome.name] = outcome
        finished.append(outcome.name)
        var released: [String] = []
        for service in plan[outcome.name]?.services ?? [] {
            serviceUsers[service, default: 1] -= 1
            if serviceUsers[service] == 0 { released.append(service) }
        }
        guard [.failed, .cancelled, .notRun].contains(outcome.status) else { return (released, []) }
        var blocked: [TaskOutcome] = []
        let reason = outcome.status == .notRun
            ? "'\(outcome.name)' did not run"
            : "'\(outcome.name)' \(outcome.status == .failed ? "failed" : "was cancelled")"
        for dependent in plan.transitiveDependents(of: outcome.name)
        where outcomes[dependent] == nil && !started.contains(dependent) {
            let notRun = TaskOutcome(name: dependent, status: .notRun, seconds: 0, reason: reason)
            let (more, nested) = record(notRun)
            released += more
            blocked += [notRun] + nested
        }
        return (released, blocked)
    }
}
