import ArgumentParser

/// `slipway start SERVICE`
struct Start: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "Start one service of the running supervisor.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The service.") var service: String
    func run() async throws { try await ServiceAction.perform(.start, service: service, global: global) }
}
