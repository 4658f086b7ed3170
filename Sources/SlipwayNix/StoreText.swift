import SlipwayCore

/// A text file added to the Nix store that keeps other store paths alive: its references are
/// `references`, so `nix copy` of it copies their closures too (`builtins.toFile`, Nix manual
/// §Built-in functions; Nix 2.8 and newer).
public struct StoreText: Sendable {
    public let nix: NixCommand

    public init(nix: NixCommand) { self.nix = nix }

    /// Adds `text` as `/nix/store/<hash>-<name>`.
    /// - Returns: the store path.
    /// - Throws: ``NixError`` when Nix fails or prints no store path.
    public func add(_ text: String, name: String, references: [String]) async throws(NixError) -> StorePath {
        let refs = references.map(nixString).joined(separator: " ")
        let expression = "builtins.toFile \(nixString(name)) (\(nixString(text)) + builtins.concatStringsSep \"\" "
            + "(map (p: builtins.substring 0 0 (toString (builtins.storePath p))) [ \(refs) ]))"
        let arguments = ["eval", "--raw", "--impure", "--expr", expression]
        let output = try await nix.run(arguments)
        let printed = String(output.stdout.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
        guard let path = StorePath(printed) else {
            throw .unexpectedOutput(arguments: ["eval", "--raw", "builtins.toFile"], detail: String(printed.prefix(300)))
        }
        return path
    }
}
