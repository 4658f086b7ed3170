/// Text made into one POSIX shell word, for scripts Slipway writes (service presets).
public enum ShellWord {
    /// `text` in single quotes (`'` written as `'\''`): the shell expands nothing in it.
    public static func literal(_ text: String) -> String { ShellQuote.quoted(text) }

    /// `text` in double quotes where only `$NAME` and `${NAME}` expand (a setting can name
    /// `$STATE_DIR`): `\`, `"`, `` ` `` and a `$` before anything else (`$(`) are escaped.
    public static func expanding(_ text: String) -> String {
        "\"" + escaped(text, special: "\\\"`") + "\""
    }

    /// `text` as a line of an unquoted here-document (`<<EOF`), expanding as ``expanding(_:)``
    /// does (`"` needs no escape there, and a `\"` would stay as written).
    public static func hereDocumentLine(_ text: String) -> String {
        escaped(text, special: "\\`")
    }

    private static func escaped(_ text: String, special: String) -> String {
        var quoted = ""
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            let next = index + 1 < characters.count ? characters[index + 1] : " "
            let variable = next == "{" || next == "_" || (next.isASCII && next.isLetter)
            if special.contains(character) || (character == "$" && !variable) { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted
    }
}
