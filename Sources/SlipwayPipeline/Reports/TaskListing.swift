import Foundation
import SlipwayCore
import SlipwayManifest

/// `slipway run --list`: a profile's tasks as text or JSON.
public enum TaskListing {
    struct Row: Encodable {
        var name: String, description: String?, run: String, deps: [String], sequential: Bool, services: [String]
        var inputs: [String], outputs: [String], reports: [String]
    }

    /// `[{name, description, run, deps, sequential, services, inputs, outputs, reports}]`, keys sorted.
    public static func json(_ specs: [TaskSpec]) throws -> String {
        let rows = specs.map {
            Row(name: $0.name, description: $0.description, run: $0.run, deps: $0.deps, sequential: $0.sequential,
                services: $0.services, inputs: $0.inputs, outputs: $0.outputs, reports: $0.reports)
        }
        return try PrettyJSON.text(rows)
    }

    /// One line per task (its description, or the first line of `run`; deps and services noted).
    /// - Parameter hint: end with how to run one.
    public static func text(_ specs: [TaskSpec], profile: String, file: String, hint: Bool) -> String {
        guard !specs.isEmpty else {
            return "no tasks in \(file) (profile \(profile)); add one, e.g. [tasks.test] run = \"...\"\n"
        }
        let width = specs.map(\.name.count).max() ?? 0
        var text = "Tasks (profile \(profile)):\n"
        for spec in specs {
            var line = "  " + spec.name.padding(toLength: width, withPad: " ", startingAt: 0)
            line += "  " + (spec.description ?? spec.run.split(separator: "\n").first.map(String.init) ?? "")
            var notes: [String] = []
            let separator = spec.sequential ? " then " : ", "
            if !spec.deps.isEmpty { notes.append("after " + spec.deps.joined(separator: separator)) }
            if !spec.services.isEmpty { notes.append("with " + spec.services.joined(separator: ", ")) }
            if !notes.isEmpty { line += " (" + notes.joined(separator: "; ") + ")" }
            text += line + "\n"
        }
        if hint { text += "Run one with: slipway run TASK\n" }
        return text
    }
}
