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

    /// The settings of a chain (base-most first): the base's, overlaid by each profile's; a
    /// profile that does not set `pure` takes it from the nearest built-in profile of its chain
    /// that sets it or has a default (`prod` and `ci` pure, `dev` impure), else from the base.
    func settings(chain: [String]) -> ProfileSettings {
        var merged = baseSettings
        merged.envFiles = base.envFiles ?? baseSettings.envFiles
        for name in chain {
            merged = merged.overlaid(with: profiles[name]?.settings ?? ProfileSettings())
            merged.envFiles = profiles[name]?.layer.envFiles ?? merged.envFiles
        }
        merged.pure = nil
        for name in chain.reversed() {
            if let pure = profiles[name]?.settings.pure {
                merged.pure = pure
                break
            }
            if Manifest.builtinProfiles.contains(name) {
                merged.pure = Manifest.pureByDefault.contains(name)
                break
            }
        }
        merged.pure = merged.pure ?? baseSettings.pure ?? false
        return merged
    }
}
