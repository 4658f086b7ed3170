/// How `slipway run` runs the one task it was asked for: the arguments after `--` (the
/// script's `"$@"`) and whether it runs attached to the terminal (``SlipwayProcess/AttachedProcess``:
/// standard input, the terminal and its Ctrl-C, no `name |` prefixes). The task's deps run as
/// usual, before it.
public struct TaskInvocation: Sendable, Equatable {
    public var task: String
    public var arguments: [String]
    public var attached: Bool

    public init(task: String, arguments: [String], attached: Bool) {
        self.task = task
        self.arguments = arguments
        self.attached = attached
    }

    /// The invocation of `requested`: attached when `interactive` (`-i`), or when the plan is
    /// that one task alone and Slipway's standard input and output are both terminals;
    /// `nil` when more than one task was named (and neither arguments nor `-i` were given).
    /// - Throws: ``TaskError/argumentsNeedOneTask(_:)``, ``TaskError/interactiveNeedsOneTask(_:)``.
    public static func make(
        requested: [String], arguments: [String], interactive: Bool, plan: TaskPlan, onTerminal: Bool
    ) throws(TaskError) -> TaskInvocation? {
        let named = requested.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        guard named.count == 1, let task = named.first else {
            if !arguments.isEmpty { throw .argumentsNeedOneTask(named) }
            if interactive { throw .interactiveNeedsOneTask(named) }
            return nil
        }
        let alone = plan.tasks.count == 1 && onTerminal
        return TaskInvocation(task: task, arguments: arguments, attached: interactive || alone)
    }
}
