import ArgumentParser

/// `slipway restart SERVICE`
struct Restart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart", abstract: "Stop and start one service.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The service.") var service: String
    func run() async throws { try await ServiceAction.perform(.restart, service: service, global: global) }
}
