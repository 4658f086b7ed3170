import Foundation

/// POSIX shell quoting: for commands sent to a host over ssh (ssh joins argv with spaces and the
/// remote login shell splits it again, so every word is quoted) and scripts Slipway writes.
public enum ShellQuote {
    /// `word` in single quotes, with `'` written as `'\''`; bare when it is only safe characters.
    public static func word(_ word: String) -> String {
        isBare(word) ? word : quoted(word)
    }

    /// `text` in single quotes (`'` written as `'\''`), always: the shell expands nothing in it.
    public static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Whether `word` needs no quotes: letters, digits and `-_./:=@%+,` only (for sh and systemd alike).
    public static func isBare(_ word: String) -> Bool {
        !word.isEmpty
            && word.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || "-_./:=@%+,".unicodeScalars.contains($0)
            }
    }

    /// Each word quoted, joined by spaces.
    public static func command(_ argv: [String]) -> String { argv.map(word).joined(separator: " ") }
}
