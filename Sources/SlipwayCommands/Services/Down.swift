import ArgumentParser
import SlipwayCore
import SlipwaySupervisor

/// `slipway down`
struct Down: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop the background supervisor's services in reverse dependency order; return when all have exited.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let (layout, client) = try ServiceContext.socketOnly(global)
        guard client.isAlive else {
            Terminal.writeError("slipway: no supervisor is running for profile '\(global.profile)'\n")
            let others = OtherSupervisors.running(layout: layout, except: global.profile)
            if !others.isEmpty {
                Terminal.writeError(
                    "slipway: running for other profiles: \(others.joined(separator: ", ")) (use --profile)\n")
            }
            return
        }
        let answer: ControlProtocol.Response
        do {
            answer = try client.send(.init(command: .down))
        } catch {
            // It went away between the check and the request: nothing left to stop.
            if !client.isAlive {
                Terminal.write("stopped\n")
                return
            }
            throw error
        }
        guard answer.ok, let pid = answer.status?.supervisorPid else {
            throw SupervisorError.control(answer.error ?? "down failed")
        }
        Terminal.status("stopping \(answer.status?.services.map(\.name).joined(separator: ", ") ?? "services")")
        // The supervisor exits once every service group is gone.
        await client.waitUntilGone(pid: pid)
        Terminal.write("stopped\n")
    }
}
