import SlipwayCore
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
        default:
            text = "error: " + error.message
            if let hint = error.hint { text += "\nhint: " + hint }
        }
        Terminal.writeError(text + "\n")
    }
}
