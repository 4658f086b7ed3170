import SlipwayCore

/// The commented manifest `slipway init` writes.
public enum StarterManifest {
    /// A TOML basic string (TOML v1.0.0 §String escapes).
    public static func tomlString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// The manifest text for a project `name` whose packages come from `nixpkgs` (a flake ref).
    public static func text(name: String, nixpkgs: String = Manifest.defaultNixpkgs) -> String {
        """
        # slipway.toml: one manifest for the dev shell, CI and production images.
        # Reference: docs/manifest.md. Profiles (dev, ci, prod) say how each stage differs.

        [project]
        name = \(tomlString(name))

        [nix]
        # Any flake ref; pinned in slipway.lock (commit it). `slipway update` re-pins.
        nixpkgs = \(tomlString(nixpkgs))

        [packages]
        # name = "nixpkgs attribute path", or { nix = "<expression>" }, or { flake = "<ref>#<attr>" }
        # php      = { nix = "php82.buildEnv { extensions = { enabled, all }: enabled ++ [ all.apcu ]; }" }
        # postgres = "postgresql_15"

        [env]
        # Dotenv-style; $VAR and ${VAR} expand earlier entries and SLIPWAY_ROOT, SLIPWAY_STATE, ...
        # APP_ENV = "dev"

        # [profiles.dev.packages]   # the default for `slipway shell` and `slipway exec`
        # php = { nix = "php82.buildEnv { extensions = { enabled, all }: enabled ++ [ all.xdebug ]; extraConfig = \\"memory_limit = 1G\\"; }" }

        # [profiles.prod.packages]  # `ci` extends `dev`; `prod` extends only this base
        # composer = false          # false removes a package in that profile

        """
    }

    /// `.gitignore` text with Slipway's state (`.slipway/`) and the `result-NAME` links of
    /// `slipway build` added when missing; `nil` when nothing is missing.
    public static func gitignore(adding existing: String) -> String? {
        let lines = existing.split(separator: "\n").map { String($0.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()) }
        var missing: [String] = []
        if ![".slipway/", ".slipway", "/.slipway/"].contains(where: lines.contains) { missing.append(".slipway/") }
        if !["result-*", "/result-*"].contains(where: lines.contains) { missing.append("result-*") }
        guard !missing.isEmpty else { return nil }
        let prefix = existing.isEmpty || existing.hasSuffix("\n") ? existing : existing + "\n"
        return prefix + missing.joined(separator: "\n") + "\n"
    }
}
