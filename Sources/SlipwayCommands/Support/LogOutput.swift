import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Diagnostics on stderr: what Slipway runs (`nix` argv, registry requests), shown with
/// `--verbose`/`-v` (debug; `-vv` trace) or `SLIPWAY_LOG=trace|debug|info|notice|warning|error|critical`.
/// Without either nothing is logged, so the default output stays as it is.
enum LogOutput {
    /// The level from `SLIPWAY_LOG`, raised by each `-v`.
    static func level(verbosity: Int, environment: String?) -> Logger.Level {
        let fromEnvironment = environment.flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .warning
        let fromFlags: Logger.Level = verbosity >= 2 ? .trace : verbosity == 1 ? .debug : .warning
        return min(fromEnvironment, fromFlags)
    }

    /// Sends every logger of the process to stderr at `level`. Call once, before any logging.
    static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StderrLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// `--verbose`, `-v`, `-vv`... before the subcommand: how many, and the arguments without them.
    static func verbosity(in arguments: [String]) -> (count: Int, rest: [String]) {
        var count = 0
        var rest: [String] = []
        var inSubcommand = false
        for argument in arguments {
            if !inSubcommand && argument == "--verbose" {
                count += 1
            } else if !inSubcommand, isShortVerbosity(argument) {
                count += argument.count - 1
            } else {
                if !argument.hasPrefix("-") { inSubcommand = true }
                rest.append(argument)
            }
        }
        return (count, rest)
    }

    /// For a command line ArgumentParser rejected with `message`: when a `-v`, `-vv` or
    /// `--verbose` came after the command (before any `--`) and is what `message` complains
    /// about, the line that says where it goes, e.g.
    /// `slipway: -v goes before the command: slipway -v ci --push`; else `nil`.
    static func misplacedVerbosityHint(in arguments: [String], message: String) -> String? {
        let options = arguments.prefix { $0 != "--" }
        guard let index = options.firstIndex(where: { $0 == "--verbose" || isShortVerbosity($0) }), index > 0,
              message.contains("'\(arguments[index])'") else { return nil }
        let flag = arguments[index]
        var moved = arguments
        moved.remove(at: index)
        return "slipway: \(flag) goes before the command: slipway \(flag) \(moved.joined(separator: " "))\n"
    }

    private static func isShortVerbosity(_ argument: String) -> Bool {
        argument.count >= 2 && argument.hasPrefix("-") && argument.dropFirst().allSatisfy { $0 == "v" }
    }
}

/// One line per message: `slipway: debug: [nix] ...`.
struct StderrLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .warning
    var metadata: Logger.Metadata = [:]

    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let name = label.hasPrefix("slipway.") ? String(label.dropFirst("slipway.".count)) : label
        Terminal.writeError("slipway: \(event.level): [\(name)] \(event.message)\n")
    }
}
