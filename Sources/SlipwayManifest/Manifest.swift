import SlipwayCore

/// A parsed, validated `slipway.toml` before profiles are applied.
///
/// Produced by ``ManifestLoader``; turn it into the plain values of one stage with
/// ``resolve(profile:)``. Reference: `docs/manifest.md`.
public struct Manifest: Sendable {
    /// The file name used in locations (`slipway.toml`, or the path given with `--manifest`).
    public var file: String
    /// The absolute folder holding the manifest; relative flake refs are resolved against it.
    public var root: String
    public var project: Project
    public var nix: NixSettings
    /// The top-level `[packages]`, `[env]` and the other overlayable sections.
    public var base: Layer
    /// `[profiles.NAME]` tables as written, by name.
    public var profiles: [String: ProfileDefinition]
    /// The typed sections, decoded once by ``ManifestLoader``.
    public var sections = ManifestSections()
    /// Top-level settings profiles inherit: `env_files` / `[env] files`, `[shell]`, `before_up`.
    public var baseSettings = ProfileSettings()

    /// Built-in profile names, which exist even when the manifest does not declare them.
    public static let builtinProfiles = ["dev", "ci", "prod"]
    /// The package set when `[nix] nixpkgs` is not given (and the one `slipway init` writes).
    public static let defaultNixpkgs = "github:NixOS/nixpkgs/nixos-25.05"
    /// The profile of `shell`, `exec` and `env` when `--profile` is not given.
    public static let defaultProfile = "dev"

    /// Built-in and declared profile names, built-ins first.
    public var profileNames: [String] {
        Manifest.builtinProfiles + profiles.keys.filter { !Manifest.builtinProfiles.contains($0) }.sorted()
    }

    /// The profile a profile extends: its own `extends`, else `dev` for `ci`, else none (the base).
    public func parent(of profile: String) -> String? {
        if let declared = profiles[profile], let extends = declared.extends { return extends }
        return profile == "ci" ? "dev" : nil
    }
}

/// `[project]`.
public struct Project: Sendable, Hashable {
    public var name: String?
    public var description: String?
}

/// `[nix]`: where packages come from.
public struct NixSettings: Sendable, Hashable {
    /// The package set, as a flake ref (relative paths already made absolute `path:` refs);
    /// `nil` means `github:NixOS/nixpkgs/nixos-25.05`'s default is up to the Nix backend.
    public var nixpkgs: String?
    /// Where `nixpkgs` is written in the manifest (for errors about the package set).
    public var nixpkgsLocation: SourceLocation?
    /// Extra named flake inputs (`[nix.inputs]`), usable as `inputs.NAME` in `{ nix = ... }`.
    public var inputs: [(name: String, ref: String)]
    /// Binary caches every Nix call also reads (`substituters = [...]`, like a flake's
    /// `nixConfig.extra-substituters`): URLs such as `https://cache.example.com`,
    /// `file:///var/cache/nix?trusted=1`, `s3://bucket`.
    public var substituters: [String] = []
    /// Keys those caches sign with (`trusted_public_keys = ["NAME:BASE64", ...]`).
    public var trustedPublicKeys: [String] = []
    /// Whether ``nixpkgs`` comes from `SLIPWAY_NIXPKGS` (``ManifestOverrides``), not the manifest.
    public var nixpkgsOverridden = false

    public init(nixpkgs: String?, inputs: [(name: String, ref: String)]) {
        self.nixpkgs = nixpkgs
        self.inputs = inputs
    }

    public static func == (lhs: NixSettings, rhs: NixSettings) -> Bool {
        lhs.nixpkgs == rhs.nixpkgs && lhs.inputs.map(\.name) == rhs.inputs.map(\.name)
            && lhs.inputs.map(\.ref) == rhs.inputs.map(\.ref)
            && lhs.substituters == rhs.substituters && lhs.trustedPublicKeys == rhs.trustedPublicKeys
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(nixpkgs)
        for input in inputs { hasher.combine(input.name); hasher.combine(input.ref) }
        hasher.combine(substituters)
        hasher.combine(trustedPublicKeys)
    }

    /// The `nix` options that give every call these settings: `--option extra-substituters
    /// "A B"` and `--option extra-trusted-public-keys "K1 K2"` (Nix 2.4+; `extra-` adds to
    /// nix.conf's list), or nothing.
    public var commandOptions: [String] {
        var options: [String] = []
        if !substituters.isEmpty { options += ["--option", "extra-substituters", substituters.joined(separator: " ")] }
        if !trustedPublicKeys.isEmpty {
            options += ["--option", "extra-trusted-public-keys", trustedPublicKeys.joined(separator: " ")]
        }
        return options
    }
}

/// How a package is named in `[packages]`.
public enum PackageSpec: Sendable, Hashable, Codable {
    /// A nixpkgs attribute path, e.g. `php82Packages.composer`.
    case attribute(String)
    /// A Nix expression with the package set's attributes (and `pkgs`, `inputs`) in scope.
    case expression(String)
    /// `<flakeref>#<attr>`; a relative path ref is already absolute.
    case flake(ref: String, attribute: String)
}

/// One `[packages]` entry of a layer. `spec == nil` is `NAME = false` (remove it).
public struct PackageEntry: Sendable, Hashable {
    public var key: String
    public var spec: PackageSpec?
    public var location: SourceLocation
}

/// One `[env]` entry: the raw value, expanded later by the environment (`$VAR`, `${VAR}`).
public struct EnvEntry: Sendable, Hashable, Codable {
    public var name: String
    public var value: String
    public var location: SourceLocation

    public init(name: String, value: String, location: SourceLocation) {
        self.name = name
        self.value = value
        self.location = location
    }
}

/// The overlayable sections of the base or of one profile.
public struct Layer: Sendable {
    public var packages: [PackageEntry] = []
    public var env: [EnvEntry] = []
    /// The other sections (`services`, `tasks`, `images`, `artifacts`, `ci`, `deploy`) as TOML;
    /// ``ManifestLoader`` decodes them into ``Manifest/sections``.
    public var sections: [String: TOMLNode] = [:]
    /// `[env] files = [...]`: dotenv files read before `[env]` (later files win), `nil` when not set.
    public var envFiles: [String]?

    public init() {}
}

/// `[profiles.NAME]` as written.
public struct ProfileDefinition: Sendable {
    public var name: String
    public var extends: String?
    public var extendsLocation: SourceLocation?
    public var description: String?
    public var layer: Layer
    public var location: SourceLocation
    /// `pure`, `keep_env`, `services = false|[...]`, `before_up`, `[env] files`, `[shell]`.
    public var settings = ProfileSettings()
}
