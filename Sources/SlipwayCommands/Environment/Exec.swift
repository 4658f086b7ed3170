import ArgumentParser
import SlipwayCore
import SlipwayManifest
import SlipwayEnvironment
import SlipwayProcess

/// `slipway exec [--profile P] [-e NAME=VALUE]... -- CMD ARGS...`
struct Exec: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
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
        let cached = purity.apply(try await ProfileEnvironment.load(global, needsBuild: false))
        try Self.execute(arguments, in: cached, inherited: inherited, overrides: overrides)
    }

    /// Replaces Slipway with `arguments` in `cached`'s environment over `inherited`.
    /// - Throws: ``DotenvFile`` and launch errors (``ProcessLauncher/exec(_:environment:)``).
    static func execute(
        _ arguments: [String], in cached: CachedEnvironment, inherited: [String: String], overrides: [EnvironmentOverride]
    ) throws -> Never {
        let env = try ProcessEnvironment.make(cached, inherited: inherited, overrides: overrides)
        try ProcessLauncher.exec(
            EnvironmentPurity.command(arguments, environment: env, pure: cached.pure), environment: env)
    }

    /// The command of `slipway exec [--] CMD ARGS...` given with no option (`arguments` after
    /// `slipway`), or `nil`: the shape the warm start serves before arguments are parsed.
    static func plainCommand(_ arguments: [String]) -> [String]? {
        guard arguments.first == "exec", arguments.count >= 2 else { return nil }
        if arguments[1] == "--" { return arguments.count > 2 ? Array(arguments.dropFirst(2)) : nil }
        return arguments[1].hasPrefix("-") ? nil : Array(arguments.dropFirst())
    }

    /// The warm start: when `arguments` are a plain `exec` (``plainCommand(_:)``) and the default
    /// profile's environment is cached and valid, Slipway is replaced by the command right away,
    /// with no argument parser and no JSON (``ExecEnvironmentFile``). Returns otherwise, having
    /// done nothing, and the command line is parsed as usual.
    /// - Throws: as ``execute(_:in:inherited:overrides:)``.
    static func execIfWarm(_ arguments: [String]) throws {
        guard let command = plainCommand(arguments),
              let layout = ProjectLayout.nearest(from: FilePaths.currentDirectory()),
              let cached = EnvironmentStore(layout: layout).validEnvironment(profile: Manifest.defaultProfile, needsBuild: false)
        else { return }
        try execute(command, in: cached, inherited: ProcessLauncher.currentEnvironment(), overrides: [])
    }
}
