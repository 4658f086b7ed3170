import SlipwayEnvironment
import SlipwayManifest

/// The scripts of a task plan whose first program is checked against the profile
/// (``ProfilePrograms``): it works here and fails on a CI machine, or in the image, without it.
enum HostTools {
    /// Each task's `run`.
    static func scripts(_ plan: TaskPlan) -> [ProfilePrograms.Script] {
        plan.tasks.map { ProfilePrograms.Script(kind: "task", name: $0.name, text: $0.run) }
    }

    /// The first word of the first command line, when it names a program looked up on PATH.
    static func firstProgram(_ script: String) -> String? { ProfilePrograms.firstProgram(script) }
}
