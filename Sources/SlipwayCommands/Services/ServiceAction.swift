import Foundation
import SlipwaySupervisor

/// `slipway start|stop|restart SERVICE`: one request to the running supervisor, then the
/// service's state once it settles (not the one at the moment of the request).
enum ServiceAction {
    static func perform(_ command: ControlCommand, service: String, global: GlobalOptions) async throws {
        let (_, client) = try ServiceContext.socketOnly(global)
        guard client.isAlive else { throw SupervisorError.notRunning(profile: global.profile) }
        let answer = try client.send(.init(command: command, service: service))
        guard answer.ok else { throw SupervisorError.control(answer.error ?? "\(command.rawValue) failed") }
        var row = answer.status?.services.first { $0.name == service }
        if command != .stop, row.map({ Settling.verdict($0) == .pending }) == true {
            row = try await settled(service, client: client, last: row)
        }
        guard let row else { return }
        Terminal.write("\(service): \(row.state.rawValue)\(row.reason.map { " (\($0))" } ?? "")\n")
        if row.state == .failed { throw ExitCodeError(code: 1) }
    }

    /// The row once it leaves pending (or after 120 s, the last one seen; `nil` if it vanished).
    private static func settled(
        _ service: String, client: ControlClient, last: ServiceStatus?
    ) async throws -> ServiceStatus? {
        var latest = last
        _ = try await Settling.poll(every: .milliseconds(20), timeout: .seconds(120)) { () -> Bool? in
            latest = (try? client.send(.init(command: .ps)))?.status?.services.first { $0.name == service }
            guard let latest else { return true }
            return Settling.verdict(latest) == .pending ? nil : true
        }
        return latest
    }
}
