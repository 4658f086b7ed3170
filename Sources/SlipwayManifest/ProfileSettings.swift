import SlipwayCore

/// Which of the services a profile inherits it keeps: `[profiles.NAME] services = false` (none)
/// or `services = ["postgres", ...]` (only these).
public enum ServiceSelection: Sendable, Hashable {
    case none
    case only([String])

    /// Whether the service `name` stays enabled.
    public func keeps(_ name: String) -> Bool {
        switch self {
        case .none: false
        case .only(let names): names.contains(name)
        }
    }
}

/// The profile-wide settings a `[profiles.NAME]` table or the top level may give; `nil` is "not
/// set here" (the next profile up the `extends` chain, then the built-in default, decides).
public struct ProfileSettings: Sendable {
    /// `pure = true|false`.
    public var pure: Bool?
    /// `keep_env = ["NAME", "PREFIX_*", ...]`: caller's variables a pure environment keeps too.
    public var keepEnv: [String]?
    /// `services = false | [...]`.
    public var services: ServiceSelection?
    public var servicesLocation: SourceLocation?
    /// `[env] files = [...]` (or the top-level `env_files`): dotenv files, relative to the project.
    public var envFiles: [String]?
    /// `[shell] on_enter = "..."`: a POSIX sh script run when a shell enters the environment.
    public var onEnter: String?
    /// `before_up = ["task", ...]`: tasks run before `slipway up` starts services.
    public var beforeUp: [String]?
    public var beforeUpLocation: SourceLocation?

    public init() {}

    /// `top`'s values where set, else `self`'s.
    func overlaid(with top: ProfileSettings) -> ProfileSettings {
        var merged = self
        merged.pure = top.pure ?? pure
        merged.keepEnv = top.keepEnv ?? keepEnv
        if top.services != nil { (merged.services, merged.servicesLocation) = (top.services, top.servicesLocation) }
        merged.envFiles = top.envFiles ?? envFiles
        merged.onEnter = top.onEnter ?? onEnter
        if top.beforeUp != nil { (merged.beforeUp, merged.beforeUpLocation) = (top.beforeUp, top.beforeUpLocation) }
        return merged
    }
}

extension ResolvedProfile {
    /// Whether the profile's processes get only its own `PATH` and the kept caller variables.
    public var pure: Bool { settings.pure ?? false }
}

extension Manifest {
    /// Profiles that are pure unless they (or a profile they extend) say otherwise.
    public static let pureByDefault: Set<String> = ["prod", "ci"]

    /// The base's settings, where every chain starts (`pure` still undecided).
    func rootSettings() -> ProfileSettings {
        var settings = baseSettings
        settings.envFiles = base.envFiles ?? baseSettings.envFiles
        settings.pure = nil
        return settings
    }

    /// `below`'s settings overlaid by profile `name`'s. `purity` is what the chain so far decided:
    /// a profile's own `pure`, else the default of the nearest built-in profile (`prod` and `ci`
    /// pure, `dev` impure); the final `settings.pure` falls back to the base's, then `false`.
    /// One step per profile, so a chain of n profiles costs O(n) in all.
    func settings(
        extending below: ProfileSettings, purity: Bool?, by name: String
    ) -> (settings: ProfileSettings, purity: Bool?) {
        let own = profiles[name]?.settings ?? ProfileSettings()
        var merged = below.overlaid(with: own)
        merged.envFiles = profiles[name]?.layer.envFiles ?? merged.envFiles
        let decided = own.pure ?? (Manifest.builtinProfiles.contains(name) ? Manifest.pureByDefault.contains(name) : purity)
        merged.pure = decided ?? baseSettings.pure ?? false
        return (merged, decided)
    }
}
