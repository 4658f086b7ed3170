/// The keys each table of `slipway.toml` accepts.
public enum ManifestSchema {
    /// Sections later issues define; accepted as they are for now.
    public static let deferredSections = ["services", "tasks", "images", "artifacts", "ci", "deploy"]
    /// Sections a profile may overlay.
    public static let layerSections = ["packages", "env"] + deferredSections

    public static let root = ["project", "nix"] + layerSections + ["profiles"]
    public static let project = ["name", "description", "version"]
    public static let nix = ["nixpkgs", "inputs"]
    public static let packageTable = ["nix", "flake"]
    public static let profile = ["extends", "description"] + layerSections
}
