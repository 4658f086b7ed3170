import SlipwayManifest

/// What one run of a plan knows: outcomes, the order tasks finished in, the tasks started, and
/// how many unfinished tasks still need each service.
///
/// Scheduling is O(N + E) over the run (N tasks, E prerequisite edges): each task counts the
/// prerequisites it still waits for, and a finished task lowers its dependents' counts; a task
/// whose count reaches 0 joins the ready list (kept in plan order).
struct RunBook {
    let plan: TaskPlan
    private(set) var outcomes: [String: TaskOutcome] = [:]
    private var finished: [String] = []
    private(set) var started: Set<String> = []
    private var serviceUsers: [String: Int] = [:]
    /// Task name → prerequisites that have not succeeded or been skipped yet.
    private var waitingOn: [String: Int] = [:]
    /// Plan positions of tasks that wait for nothing and have not started, ascending.
    private var readyPositions: [Int] = []

    init(plan: TaskPlan) {
        self.plan = plan
        for (position, task) in plan.tasks.enumerated() {
            for service in task.services { serviceUsers[service, default: 0] += 1 }
            let waiting = (plan.prerequisites[task.name] ?? task.deps).count
            waitingOn[task.name] = waiting
            if waiting == 0 { readyPositions.append(position) }
        }
    }

    var isComplete: Bool { outcomes.count >= plan.tasks.count }
    var inFinishingOrder: [TaskOutcome] { finished.compactMap { outcomes[$0] } }
    /// Tasks neither started nor finished.
    var pending: [TaskSpec] { plan.tasks.filter { !started.contains($0.name) && outcomes[$0.name] == nil } }
    /// Pending tasks whose prerequisites all succeeded or were skipped, in plan order.
    var ready: [TaskSpec] { readyPositions.map { plan.tasks[$0] } }

    /// Marks `task` started: it leaves the ready list.
    mutating func start(_ task: TaskSpec) {
        started.insert(task.name)
        leaveReady(task.name)
    }

    /// Records `outcome`. A task that failed, was cancelled or did not run makes every dependent
    /// not yet started "not run" (recorded here too, depth first).
    /// - Returns: services no task still needs, and the dependents marked not run.
    mutating func record(_ outcome: TaskOutcome) -> (released: [String], blocked: [TaskOutcome]) {
        outcomes[outcome.name] = outcome
        finished.append(outcome.name)
        leaveReady(outcome.name)
        var released: [String] = []
        for service in plan[outcome.name]?.services ?? [] {
            serviceUsers[service, default: 1] -= 1
            if serviceUsers[service] == 0 { released.append(service) }
        }
        guard [.failed, .cancelled, .notRun].contains(outcome.status) else {
            release(dependentsOf: outcome.name)
            return (released, [])
        }
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

    /// A prerequisite succeeded or was skipped: its dependents wait for one task less.
    private mutating func release(dependentsOf name: String) {
        for dependent in plan.dependents[name] ?? [] {
            guard let waiting = waitingOn[dependent] else { continue }
            waitingOn[dependent] = waiting - 1
            guard waiting == 1, outcomes[dependent] == nil, !started.contains(dependent),
                  let position = plan.position(of: dependent) else { continue }
            readyPositions.insert(position, at: insertionIndex(of: position))
        }
    }

    private mutating func leaveReady(_ name: String) {
        guard let position = plan.position(of: name) else { return }
        let index = insertionIndex(of: position)
        if index < readyPositions.count, readyPositions[index] == position { readyPositions.remove(at: index) }
    }

    /// Where `position` is, or would go, in the ascending ready list (binary search).
    private func insertionIndex(of position: Int) -> Int {
        var low = 0, high = readyPositions.count
        while low < high {
            let middle = (low + high) / 2
            if readyPositions[middle] < position { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
