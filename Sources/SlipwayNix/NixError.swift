import SlipwayCore
import SlipwayManifest

/// Why a Nix operation failed.
public enum NixError: SlipwayError, Sendable {
    /// No `nix` executable on `PATH` (or at `SLIPWAY_NIX`).
    case notInstalled
    /// `nix ARGS` exited non-zero; `stderr` is its error output, trimmed.
    case commandFailed(arguments: [String], status: String, stderr: String)
    /// Nix printed something Slipway could not read.
    case unexpectedOutput(arguments: [String], detail: String)
    /// Manifest-level problems found while building (missing attributes, failing packages).
    case packages([Diagnostic])
    /// Writing a generated file failed.
    case io(path: String, reason: String)

    public var message: String {
        switch self {
        case .notInstalled:
            return "nix is not installed (no `nix` on PATH)"
        case .commandFailed(let arguments, let status, let stderr):
            return "nix \(arguments.joined(separator: " ")) failed (\(status)):\n\(stderr)"
        case .unexpectedOutput(let arguments, let detail):
            return "could not read the output of nix \(arguments.joined(separator: " ")): \(detail)"
        case .packages(let diagnostics):
            return ManifestError.invalid(diagnostics).message
        case .io(let path, let reason):
            return "cannot write \(path): \(reason)"
        }
    }

    public var hint: String? {
        switch self {
        case .notInstalled:
            return "install Nix: on Debian/Ubuntu `apt-get install nix-bin`, elsewhere see https://nixos.org/download; then run `slipway doctor`"
        case .commandFailed(_, _, let stderr) where stderr.contains("experimental"):
            return "Slipway passes --extra-experimental-features itself; check that your Nix is 2.8 or newer"
        default:
            return nil
        }
    }
}
