import Logging
import Subprocess
import SystemPackage
import SlipwayCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the `nix` executable. The only place Slipway starts Nix.
///
/// Every call passes `--extra-experimental-features "nix-command flakes"`, so it works with
/// Nix 2.8 (Debian's `nix-bin`) and newer without any `nix.conf` change.
public struct NixCommand: Sendable {
    /// Absolute path of the `nix` executable.
    public let executable: String

    /// Finds `nix`: `SLIPWAY_NIX` if set, else the first executable `nix` on `PATH`.
    /// - Throws: ``NixError/notInstalled``.
    public static func locate() throws(NixError) -> NixCommand {
        if let forced = getenv("SLIPWAY_NIX").map({ String(cString: $0) }), !forced.isEmpty {
            guard access(forced, X_OK) == 0 else { throw .notInstalled }
            return NixCommand(executable: forced)
        }
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/nix"
            if access(candidate, X_OK) == 0 { return NixCommand(executable: candidate) }
        }
        throw .notInstalled
    }

    /// Options given to every call after the experimental features, e.g. the manifest's
    /// substituters (``NixSettings/commandOptions``).
    public var options: [String] = []

    public init(executable: String, options: [String] = []) {
        self.executable = executable
        self.options = options
    }

    /// The standard output and error of one finished `nix` run.
    public struct Output: Sendable {
        public var stdout: String
        public var stderr: String
    }

    /// Runs `nix ARGUMENTS` and returns its output.
    ///
    /// - Parameters:
    ///   - arguments: the subcommand and its arguments, e.g. `["build", "--json", ...]`.
    ///   - workingDirectory: where to run it (absolute), or the current directory.
    /// - Throws: ``NixError/commandFailed(arguments:status:stderr:)`` on a non-zero exit.
    @discardableResult
    public func run(_ arguments: [String], workingDirectory: String? = nil) async throws(NixError) -> Output {
        let full = ["--extra-experimental-features", "nix-command flakes"] + options + arguments
        let clock = ContinuousClock()
        let started = clock.now
        do {
            let result = try await Subprocess.run(
                .path(FilePath(executable)),
                arguments: Arguments(full),
                workingDirectory: workingDirectory.map { FilePath($0) },
                output: .string(limit: 64 << 20),
                error: .string(limit: 16 << 20))
            let output = Output(stdout: result.standardOutput, stderr: result.standardError)
            Self.logger.debug("\(Self.commandLine([executable] + full)) (\(clock.now - started), \(result.terminationStatus))")
            if !output.stderr.isEmpty { Self.logger.trace("nix stderr:\n\(output.stderr)") }
            guard result.terminationStatus.isSuccess else {
                throw NixError.commandFailed(
                    arguments: arguments, status: "\(result.terminationStatus)",
                    stderr: NixCommand.trimmedErrors(output.stderr))
            }
            return output
        } catch let error as NixError {
            throw error
        } catch {
            Self.logger.debug("\(Self.commandLine([executable] + full)): could not start: \(error)")
            throw .commandFailed(arguments: arguments, status: "could not start", stderr: "\(error)")
        }
    }

    /// Every `nix` run, at debug level: argv, duration, exit status (`slipway -v`).
    static let logger = Logger(label: "slipway.nix")

    /// `words` as a shell would read them back: single quotes around words that need them.
    static func commandLine(_ words: [String]) -> String {
        words.map { word in
            let plain = !word.isEmpty && word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:@+,%#^".contains($0) }
            return plain ? word : "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
        }.joined(separator: " ")
    }

    /// Nix's error as it goes under a located diagnostic: its last `limit` lines from the first
    /// `error:` line on, without lock-file chatter (`warning: creating lock file`, `• Added input
    /// 'x':`, `• Removed input`, `• Updated input` and the indented lines under them), other
    /// warnings, `building '...'` lines and `these N derivations will be built:` lists (`These` in Nix 2.26).
    public static func errorLines(_ stderr: String, limit: Int = 15) -> String {
        var kept: [Substring] = []
        var skippingBlock = false
        for line in stderr.split(separator: "\n", omittingEmptySubsequences: false) {
            if skippingBlock && (line.hasPrefix(" ") || line.hasPrefix("\t")) { continue }
            skippingBlock = false
            let lower = line.lowercased()
            let list = (lower.hasPrefix("these ") || lower.hasPrefix("this ")) && line.hasSuffix(":")
            if line.hasPrefix("• ") || list {
                skippingBlock = true
                continue
            }
            let progress = line.hasPrefix("building '") || line.hasPrefix("copying path '")
            if line.hasPrefix("warning:") || progress { continue }
            kept.append(line)
        }
        if let first = kept.firstIndex(where: { $0.hasPrefix("error:") }) { kept = Array(kept[first...]) }
        return kept.suffix(limit).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Nix's stderr without download retries and progress chatter, at most ~60 lines.
    static func trimmedErrors(_ stderr: String) -> String {
        let noise = ["unable to download 'https://cache.nixos.org", "warning: error: unable to download",
                     "warning: creating lock file", "warning: updating lock file", "warning: Git tree"]
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { line in !noise.contains { line.contains($0) } }
        let kept = lines.suffix(60)
        return kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension String {
    func trimmingCharacters(in set: TrimSet) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace || first.isNewline { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace || last.isNewline { scalars.removeLast() }
        return String(scalars)
    }

    enum TrimSet { case whitespacesAndNewlines }
}
