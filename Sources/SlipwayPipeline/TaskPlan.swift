import SlipwayCore
import SlipwayManifest

/// The tasks one `slipway run` (or `slipway ci`) executes: the requested tasks and everything
/// they depend on, with the reverse edges the scheduler needs.
public struct TaskPlan: Sendable {
    /// Tasks in a valid order (dependencies first; ties in request order).
    public let tasks: [TaskSpec]
    /// Task name -> tasks that list it in `deps` (within the plan).
    public let dependents: [String: [String]]

    /// - Throws: ``TaskError/unknownTask(_:known:)`` when a requested name is not a task.
    public init(_ all: [TaskSpec], requested: [String]) throws(TaskError) {
        let byName = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for name in requested where byName[name] == nil {
            throw .unknownTask(name, known: all.map(\.name))
        }
        let order = DependencyOrder.closure(requested) { byName[$0]?.deps ?? [] }
        tasks = order.compactMap { byName[$0] }
        var dependents: [String: [String]] = [:]
        for task in tasks {
            for dep in task.deps { dependents[dep, default: []].append(task.name) }
        }
        self.dependents = dependents
    }

    public subscript(name: String) -> TaskSpec? { tasks.first { $0.name == name } }

    /// Every task that depends on `name`, directly or not.
    public func transitiveDependents(of name: String) -> [String] {
        var found: [String] = []
        var queue = dependents[name] ?? []
        while let next = queue.popLast() {
            guard !found.contains(next) else { continue }
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
        }
    }
}
