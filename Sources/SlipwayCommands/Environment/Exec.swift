import ArgumentParser
import SlipwayEnvironment
import SlipwayProcess

/// `slipway exec [--profile P] [-e NAME=VALUE]... -- CMD ARGS...`
struct Exec: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a command in the profile's environment.",
        discussion: """
            The command replaces Slipway (execve): its exit status and signals are its own. \
            While slipway.toml, slipway.lock and the profile are unchanged, no Nix process runs.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var purity: PurityOptions

    @Option(
        name: [.customShort("e"), .customLong("env")],
        help: ArgumentHelp(
            "NAME=VALUE (or NAME: your own value), over the profile's [env] and dotenv files.", valueName: "NAME=VALUE"))
    var env: [String] = []

    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments, after --.")
    var command: [String] = []

    func run() async throws {
        var arguments = command
        if arguments.first == "--help" || arguments.first == "-h" { throw CleanExit.helpRequest(self) }
        if arguments.first == "--" { arguments.removeFirst() }
        guard !arguments.isEmpty else {
            throw ValidationError("missing command: slipway exec -- CMD [ARGS...]")
        }
        let inherited = ProcessLauncher.currentEnvironment()
        let overrides = try self.env.map { try EnvironmentOverride(parsing: $0, inherited: inherited) }
        let cached = purity.apply(try await ProfileEnvironment.load(global))
        let env = try ProcessEnvironment.make(cached, inherited: inherited, overrides: overrides)
        try ProcessLauncher.exec(
            EnvironmentPurity.command(arguments, environment: env, pure: cached.pure), environment: env)
    }
}
