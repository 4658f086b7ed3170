import ArgumentParser
import SlipwayCore

/// The `slipway` command: one manifest from the dev shell to production, with Nix underneath.
public struct Slipway: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "slipway",
        abstract: "One manifest from the dev shell to production, with Nix underneath.",
        version: SlipwayVersion.current,
        subcommands: [
            Init.self, Shell.self, Exec.self, Env.self, Update.self, Doctor.self,
            Up.self, Down.self, Ps.self, Logs.self, Start.self, Stop.self, Restart.self, Run.self, Build.self, CI.self, Image.self, Registry.self, GuardianCommand.self,
        ])

    public init() {}

    /// Parses the command line, runs the command, and maps errors to messages and exit codes in
    /// one place: a ``SlipwayError`` prints its message (and hint) and exits with its code.
    public static func runMain() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as SlipwayError {
            ErrorReport.print(error)
            Terminal.exit(error.exitCode)
        } catch {
            exit(withError: error)
        }
    }
}

/// Exits with a status and no message (a failed task's status, 130 after Ctrl-C, 1 when a
/// service failed); ``Slipway/runMain()`` maps it like every other ``SlipwayError``.
struct ExitCodeError: SlipwayError {
    var code: Int32
    var message: String { "" }
    var exitCode: Int32 { code }
}

public enum SlipwayVersion {
    public static let current = "0.1.0"
}
