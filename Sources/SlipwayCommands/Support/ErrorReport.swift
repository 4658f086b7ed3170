import SlipwayCore
import SlipwayEnvironment
import SlipwayManifest
import SlipwayNix

/// Prints errors to standard error in the one format Slipway uses.
enum ErrorReport {
    static func print(_ error: SlipwayError) {
        if error.message.isEmpty { return }
        var text: String
        switch error {
        case let manifest as ManifestError where !manifest.diagnostics.isEmpty:
            text = manifest.message
        case NixError.packages(let diagnostics):
            text = ManifestError.invalid(diagnostics).message
        case let dotenv as DotenvFile.SyntaxError:
            // Already `file:line:column: error: reason`, as a compiler prints it.
            text = dotenv.message + (dotenv.hint.map { "\nhint: " + $0 } ?? "")
        default:
            text = "error: " + error.message
            if let hint = error.hint { text += "\nhint: " + hint }
        }
        Terminal.writeError(text + "\n")
    }
}
