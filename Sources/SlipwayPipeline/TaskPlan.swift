import SlipwayCore
import SlipwayManifest

/// The tasks one `slipway run` (or `slipway ci`) executes: the requested tasks and everything
/// they depend on, with the reverse edges the scheduler needs.
public struct TaskPlan: Sendable {
    /// Tasks in a valid order (prerequisites first; ties in request order).
    public let tasks: [TaskSpec]
    /// Task name -> the tasks that must succeed (or be skipped) before it starts: its `deps`,
    /// plus, under a `sequential = true` task, the dep listed before the one it belongs to.
    public let prerequisites: [String: [String]]
    /// Task name -> tasks that wait for it (within the plan).
    public let dependents: [String: [String]]
    /// Task name -> its index in ``tasks``.
    private let positions: [String: Int]

    /// - Throws: ``TaskError/unknownTask(_:known:)`` when a requested name is not a task;
    ///   ``TaskError/sequentialCycle(_:)`` when `sequential` orders contradict each other or `deps`.
    public init(_ all: [TaskSpec], requested: [String]) throws(TaskError) {
        let byName = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for name in requested where byName[name] == nil {
            throw .unknownTask(name, known: all.map(\.name))
        }
        let members = DependencyOrder.closure(requested) { byName[$0]?.deps ?? [] }
        let prerequisites = Self.prerequisites(members.compactMap { byName[$0] }, byName: byName)
        if let cycle = DependencyOrder.cycle(members, edges: { prerequisites[$0] ?? [] }) {
            throw .sequentialCycle(cycle)
        }
        tasks = DependencyOrder.closure(requested) { prerequisites[$0] ?? [] }.compactMap { byName[$0] }
        self.prerequisites = prerequisites
        var dependents: [String: [String]] = [:]
        for task in tasks {
            for before in prerequisites[task.name] ?? [] { dependents[before, default: []].append(task.name) }
        }
        self.dependents = dependents
        positions = Dictionary(tasks.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Each task's `deps`, and for each `sequential` task with deps `d1, d2, ...`: every task
    /// `d2` needs that `d1` does not (`d2` included) waits for `d1`, and so on down the list, so
    /// the deps run one at a time, in order.
    static func prerequisites(_ members: [TaskSpec], byName: [String: TaskSpec]) -> [String: [String]] {
        var result = Dictionary(members.map { ($0.name, $0.deps) }, uniquingKeysWith: { a, _ in a })
        for task in members where task.sequential {
            var earlier: Set<String> = []
            var previous: String?
            for dep in task.deps {
                let needed = DependencyOrder.closure([dep]) { byName[$0]?.deps ?? [] }
                for name in needed where !earlier.contains(name) {
                    if let previous, result[name]?.contains(previous) == false { result[name]?.append(previous) }
                }
                earlier.formUnion(needed)
                previous = dep
            }
        }
        return result
    }

    public subscript(name: String) -> TaskSpec? { position(of: name).map { tasks[$0] } }

    /// The index of task `name` in ``tasks``.
    public func position(of name: String) -> Int? { positions[name] }

    /// Every task that waits for `name`, directly or not.
    public func transitiveDependents(of name: String) -> [String] {
        var found: [String] = []
        var seen: Set<String> = []
        var queue = dependents[name] ?? []
        while let next = queue.popLast() {
            guard seen.insert(next).inserted else { continue }
            found.append(next)
            queue += dependents[next] ?? []
        }
        return found
    }
}

/// Errors of task runs (the tasks' own failures are results, not errors).
public enum TaskError: Error, Sendable, Equatable {
    case unknownTask(String, known: [String])
    case noTasks
    /// `slipway run A B -- ARGS`: arguments go to one task; the tasks named.
    case argumentsNeedOneTask([String])
    /// `slipway run -i A B`: one task can have the terminal; the tasks named.
    case interactiveNeedsOneTask([String])
    /// The orders `sequential = true` adds make a cycle (with `deps` or with each other).
    case sequentialCycle([String])
}

extension TaskError: SlipwayError {
    public var message: String {
        switch self {
        case .unknownTask(let name, let known):
            let near = Spelling.closest(to: name, in: known).map { "; did you mean '\($0)'?" } ?? ""
            return "no task named '\(name)'\(near)"
                + (known.isEmpty ? " (the manifest has no [tasks])" : " (tasks: \(known.joined(separator: ", ")))")
        case .noTasks:
            return "the manifest has no [tasks]; add one, e.g. [tasks.test] run = \"...\""
        case .argumentsNeedOneTask(let names):
            return "arguments after -- go to one task, and \(Self.named(names)); "
                + "run the others separately: slipway run \(names.last ?? "TASK") -- ARGS"
        case .interactiveNeedsOneTask(let names):
            return "--interactive attaches one task to the terminal, and \(Self.named(names))"
        case .sequentialCycle(let cycle):
            return "the order of sequential deps makes tasks wait for each other in a cycle: "
                + cycle.joined(separator: " -> ")
        }
    }

    public var hint: String? {
        guard case .sequentialCycle = self else { return nil }
        return "list the deps of a `sequential = true` task in an order their own deps allow"
    }

    private static func named(_ names: [String]) -> String {
        names.isEmpty ? "none was named" : "\(names.count) were named (\(names.joined(separator: ", ")))"
    }
}
