extension StringProtocol {
    /// The text without leading and trailing blanks: spaces, tabs and the other Unicode
    /// whitespace that is not a line break (what Foundation's `.whitespaces` trims), computed by
    /// the standard library alone (Foundation's `trimmingCharacters(in:)` bridges to `NSString`,
    /// a cost per task script at every `slipway run`).
    public var trimmingBlanks: String {
        func blank(_ character: Character) -> Bool { character.isWhitespace && !character.isNewline }
        guard let first = firstIndex(where: { !blank($0) }), let last = lastIndex(where: { !blank($0) }) else { return "" }
        return String(self[first...last])
    }
}
