import ArgumentParser
import Foundation
import SlipwayCore
import SlipwaySupervisor

/// `slipway ps [--json]`
struct Ps: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ps", abstract: "Show the services of the running supervisor.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let (_, client) = try ServiceContext.socketOnly(global)
        guard client.isAlive else { throw SupervisorError.notRunning(profile: global.profile) }
        let answer = try client.send(.init(command: .ps))
        guard let status = answer.status else { throw SupervisorError.control(answer.error ?? "no status") }
        if json {
            Terminal.write(try PrettyJSON.text(status) + "\n")
        } else {
            Terminal.write(StatusTable.render(status))
        }
    }
}
