import Foundation
import SlipwaySupervisor

/// Text rendering of `slipway ps`.
enum StatusTable {
    static func render(_ status: SupervisorStatus) -> String {
        var rows = [["SERVICE", "STATE", "PID", "PORT", "RESTARTS", "UPTIME"]]
        for service in status.services {
            rows.append([
                service.name, service.state.rawValue, service.pid.map(String.init) ?? "-",
                service.port.map(String.init) ?? "-", String(service.restarts),
                service.uptime.map { uptime($0) } ?? "-",
            ])
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text = rows.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
        text += "\nsupervisor pid \(status.supervisorPid), profile \(status.profile)\n"
        for service in status.services where service.state == .failed {
            text += "\(service.name): \(service.reason ?? "failed")\n"
        }
        return text
    }

    static func uptime(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        if seconds < 3600 { return "\(Int(seconds) / 60)m\(Int(seconds) % 60)s" }
        return "\(Int(seconds) / 3600)h\(Int(seconds) % 3600 / 60)m"
    }
}
