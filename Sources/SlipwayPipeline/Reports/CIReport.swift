import Foundation

/// The closing report of `slipway ci`, on stderr.
public enum CIReport {
    /// Each stage with its status and time, the tasks and pushed images under theirs, then the verdict.
    public static func render(_ summary: CISummary, summaryPath: String) -> String {
        var text = "\n"
        for stage in summary.stages {
            text += stage.name.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0) + " " + stage.status.rawValue
            if stage.status != .skipped && stage.status != .notRun { text += String(format: " in %.1fs", stage.seconds) }
            if let detail = stage.detail { text += " (\(detail))" }
            text += "\n"
            switch stage.name {
            case .tasks:
                for outcome in summary.tasks {
                    text += "  " + TaskReport.line(outcome).replacingOccurrences(of: "\n", with: "\n  ") + "\n"
                }
            case .push:
                for image in summary.images {
                    for reference in image.pushed { text += "  \(image.name) -> \(reference) \(image.digest)\n" }
                }
            case .deploy:
                for deployment in summary.deployments {
                    for host in deployment.hosts {
                        let release = host.release.map { " \($0)" } ?? ""
                        let message = host.message.map { " (\($0.split(separator: "\n").first ?? ""))" } ?? ""
                        text += "  \(deployment.target) -> \(host.host) \(host.state.rawValue)\(release)\(message)\n"
                    }
                }
            default:
                break
            }
        }
        let verdict = summary.result == .passed ? "passed" : summary.result == .interrupted ? "INTERRUPTED" : "FAILED"
        text += "ci \(verdict) in \(String(format: "%.1f", summary.seconds))s; summary in \(summaryPath)"
        if !summary.reports.isEmpty { text += ", JUnit reports in .slipway/ci/" }
        return text + "\n"
    }
}
