import ArgumentParser

/// `slipway stop SERVICE`
struct Stop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop one service (its stop signal, then SIGKILL after stop_timeout).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The service.") var service: String
    func run() async throws { try await ServiceAction.perform(.stop, service: service, global: global) }
}
