import Foundation
import SlipwayCore

/// The end-of-run summary of `slipway run`: one line per task, failing tests named.
public enum TaskReport {
    /// One line per planned task that ran, or `nil` when a single task succeeded (its own output
    /// said enough).
    public static func summary(_ outcomes: [TaskOutcome], plan: TaskPlan) -> String? {
        guard plan.tasks.count > 1 || outcomes.contains(where: { $0.status != .succeeded }) else { return nil }
        var text = ""
        for task in plan.tasks {
            guard let outcome = outcomes.first(where: { $0.name == task.name }) else { continue }
            text += line(outcome) + "\n"
        }
        return text
    }

    /// `NAME: STATUS in 1.2s (reason); tests: …`, then up to ten failing tests, one per line.
    public static func line(_ outcome: TaskOutcome) -> String {
        var line = "\(outcome.name): \(outcome.status.rawValue)"
        switch outcome.status {
        case .succeeded, .failed, .cancelled: line += " in \(oneDecimal(outcome.seconds))s"
        default: break
        }
        if let reason = outcome.reason, outcome.status != .succeeded { line += " (\(reason))" }
        if let junit = outcome.junit {
            line += "; tests: \(junit.tests), failures: \(junit.failures), errors: \(junit.errors), skipped: \(junit.skipped)"
            for failure in junit.failed.prefix(10) { line += "\n  failed test: \(failure.test): \(failure.message)" }
            if junit.failed.count > 10 { line += "\n  ... and \(junit.failed.count - 10) more" }
        }
        return line
    }
}
