import ArgumentParser
import Foundation
import SlipwayCore

/// `slipway init`
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a commented starter slipway.toml and git-ignore .slipway/.")

    @Option(help: "Project name (default: the folder's name).")
    var name: String?

    @Option(help: "The package set's flake ref.")
    var nixpkgs: String = "github:NixOS/nixpkgs/nixos-25.05"

    @Flag(help: "Overwrite an existing slipway.toml.")
    var force = false

    func run() throws {
        let root = FilePaths.currentDirectory()
        let manifest = root + "/slipway.toml"
        if FileManager.default.fileExists(atPath: manifest) && !force {
            throw InitError.exists(manifest)
        }
        let project = name ?? FilePaths.normalize(root).split(separator: "/").last.map(String.init) ?? "app"
        try StarterManifest.text(name: project, nixpkgs: nixpkgs).write(toFile: manifest, atomically: true, encoding: .utf8)
        let gitignore = root + "/.gitignore"
        let existing = (try? String(contentsOfFile: gitignore, encoding: .utf8)) ?? ""
        let lines = existing.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        // State, and the result-NAME links of `slipway build`.
        var missing: [String] = []
        if !lines.contains(".slipway/") && !lines.contains(".slipway") && !lines.contains("/.slipway/") { missing.append(".slipway/") }
        if !lines.contains("result-*") && !lines.contains("/result-*") { missing.append("result-*") }
        if !missing.isEmpty {
            let prefix = existing.isEmpty || existing.hasSuffix("\n") ? existing : existing + "\n"
            try (prefix + missing.joined(separator: "\n") + "\n").write(toFile: gitignore, atomically: true, encoding: .utf8)
        }
        Terminal.write("wrote slipway.toml\nnext: edit [packages], then run `slipway shell`\n")
    }

    enum InitError: SlipwayError {
        case exists(String)
        var message: String {
            if case .exists(let path) = self { return "\(path) already exists" }
            return ""
        }
        var hint: String? { "pass --force to overwrite it" }
    }
}

/// The commented manifest `slipway init` writes.
enum StarterManifest {
    /// A TOML basic string (TOML v1.0.0 §String escapes).
    static func tomlString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { out += String(format: "\\u%04X", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    static func text(name: String, nixpkgs: String) -> String {
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
}
