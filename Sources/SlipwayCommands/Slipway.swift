import ArgumentParser
import SlipwayCore
#if canImport(Glibc)
import Glibc
#endif

/// The `slipway` command: one manifest from the dev shell to production, with Nix underneath.
public struct Slipway: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "slipway",
        abstract: "One manifest from the dev shell to production, with Nix underneath.",
        discussion: """
            Global: --verbose/-v before the command (-vv for more, or SLIPWAY_LOG=debug|trace|info|...) \
            logs every nix invocation and registry request to stderr.
            """,
        version: SlipwayVersion.description,
        subcommands: [
            Init.self, Shell.self, Exec.self, Env.self, Update.self, Doctor.self,
            Up.self, Down.self, Ps.self, Logs.self, Start.self, Stop.self, Restart.self, Run.self, Build.self, CI.self, Image.self, Registry.self, Cache.self,
            ReleaseTaskServicesCommand.self,
            DeployCommand.self, RollbackCommand.self, ReleasesCommand.self,
        ])

    public init() {}

    /// Parses the command line, runs the command, and maps errors to messages and exit codes in
    /// one place: a ``SlipwayError`` prints its message (and hint) and exits with its code.
    ///
    /// `--verbose`/`-v` (repeatable: `-vv`) before the command, or `SLIPWAY_LOG=LEVEL`, logs what
    /// Slipway runs to stderr (see ``LogOutput``).
    public static func runMain() async {
        let (verbosity, arguments) = LogOutput.verbosity(in: Array(CommandLine.arguments.dropFirst()))
        LogOutput.bootstrap(level: LogOutput.level(verbosity: verbosity, environment: getenv("SLIPWAY_LOG").map { String(cString: $0) }))
        do {
            if verbosity == 0, let request = RunRequest.plain(arguments) {
                try await request.run()
                return
            }
            var command = try parseSubcommand(arguments) ?? parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as SlipwayError {
            ErrorReport.print(error)
            Terminal.exit(error.exitCode)
        } catch {
            if let hint = LogOutput.misplacedVerbosityHint(in: arguments, message: message(for: error)) {
                Terminal.writeError(hint)
            }
            exit(withError: error)
        }
    }
}

extension Slipway {
    /// The warm start of `slipway exec` (``Exec/execIfWarm(_:)``), for `main` to call before
    /// ``runMain()``: synchronous, so it runs on the main thread before the concurrency runtime
    /// starts a worker thread (a thread more costs its `clone3` and, on every later `mmap`,
    /// `mprotect` and `munmap`, a TLB shoot-down on the other CPUs). Returns when the command
    /// line is not a plain `exec`, the default profile's environment is not cached and valid, or
    /// `SLIPWAY_LOG` is set (a `-v` before `exec` already makes the line not plain); never
    /// returns otherwise, and a launch error is reported as ``runMain()`` reports it.
    public static func execIfWarm() {
        guard getenv("SLIPWAY_LOG") == nil else { return }
        do {
            try Exec.execIfWarm(Array(CommandLine.arguments.dropFirst()))
        } catch let error as SlipwayError {
            ErrorReport.print(error)
            Terminal.exit(error.exitCode)
        } catch {
            exit(withError: error)
        }
    }

    /// Words that make ArgumentParser print something rather than run a command: left to the
    /// root parse, which knows the whole tree.
    static let builtInWords: Set<String> = ["-h", "--help", "-help", "help", "--version", "--generate-completion-script"]

    /// The command `arguments` name when they parse cleanly, parsed without ArgumentParser's
    /// completion-script check, or `nil` (then the root parse runs, with its help, completion
    /// scripts and error messages, so what users read is unchanged).
    ///
    /// The root parse first tries every command line as a `--generate-completion-script`
    /// request, which costs a few milliseconds of protocol-conformance lookups on every start
    /// (about half of `slipway run`'s parse, issue 15). ``QuickParse`` is the same tree under a
    /// root with a super-command name, for which ArgumentParser 1.8 skips that check
    /// (`CommandParser.checkForCompletionScriptRequest`).
    static func parseSubcommand(_ arguments: [String]) -> (any ParsableCommand)? {
        guard let name = arguments.first, configuration.subcommands.contains(where: { $0._commandName == name }),
              !arguments.contains(where: { builtInWords.contains($0) || $0.hasPrefix("--experimental") })
        else { return nil }
        return try? QuickParse.parseAsRoot(arguments)
    }
}

/// ``Slipway``'s commands under a root that only parses (see ``Slipway/parseSubcommand(_:)``);
/// its help is never shown.
struct QuickParse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slipway", _superCommandName: "slipway", subcommands: Slipway.configuration.subcommands)
}

/// Exits with a status and no message (a failed task's status, 130 after Ctrl-C, 1 when a
/// service failed); ``Slipway/runMain()`` maps it like every other ``SlipwayError``.
struct ExitCodeError: SlipwayError {
    var code: Int32
    var message: String { "" }
    var exitCode: Int32 { code }
}
