/// The keys each table of `slipway.toml` accepts.
public enum ManifestSchema {
    /// Sections a profile may overlay, kept as TOML until their decoders read them.
    public static let deferredSections = ["services", "tasks"]
    /// Sections a profile may overlay.
    public static let layerSections = ["packages", "env"] + deferredSections
    /// Top-level sections that name their profile themselves (`[images.X] profile`,
    /// `[artifacts.X] profile`, `[ci] profile`, `[deploy.X] profile`), so profiles do not overlay them.
    public static let globalSections = ["images", "artifacts", "ci", "deploy"]

    public static let root =
        ["project", "nix"] + layerSections + globalSections + ["profiles", "shell", "env_files", "before_up"]
    public static let project = ["name", "description", "version"]
    public static let nix = ["nixpkgs", "inputs", "substituters", "trusted_public_keys"]
    public static let packageTable = ["nix", "flake"]
    public static let profile = ["extends", "description", "pure", "keep_env", "before_up", "shell"] + layerSections
    /// `[shell]` (top level or in a profile).
    public static let shell = ["on_enter"]
}
