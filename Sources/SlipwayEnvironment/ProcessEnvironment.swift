import SlipwayCore
import SlipwayManifest

/// The environment a profile's processes run in, as `NAME -> value`.
///
/// Built from the caller's environment: `PATH` gets the packages' `bin` folders in front, then
/// `SLIPWAY_ROOT`, `SLIPWAY_PROFILE`, `SLIPWAY_STATE` (= `.slipway/state/<profile>`) and
/// `<NAME>_PORT` of every service with a port are set,
/// then each `[env]` entry in order, expanded against everything set before it.
public enum ProcessEnvironment {
    /// Variables Slipway itself sets, besides `PATH`.
    public static let provided = ["SLIPWAY_ROOT", "SLIPWAY_PROFILE", "SLIPWAY_STATE"]

    /// The full environment for `cached` over `inherited`.
    public static func make(_ cached: CachedEnvironment, inherited: [String: String]) -> [String: String] {
        var env = inherited
        let layout = ProjectLayout(manifest: cached.root + "/slipway.toml")
        var path = cached.binPaths.joined(separator: ":")
        if let old = inherited["PATH"], !old.isEmpty {
            path += path.isEmpty ? old : ":" + old
        }
        env["PATH"] = path
        env["SLIPWAY_ROOT"] = cached.root
        env["SLIPWAY_PROFILE"] = cached.profile
        env["SLIPWAY_STATE"] = layout.stateDir(profile: cached.profile)
        for (service, port) in cached.ports {
            env[ServiceSpec.portVariable(service)] = String(port)
        }
        for entry in cached.env {
            env[entry.name] = EnvironmentExpansion.expand(entry.value) { env[$0] }
        }
        return env
    }

    /// Only the variables the profile adds or changes (for `slipway env`): `PATH`, the
    /// `SLIPWAY_*` variables and every `[env]` name, in that order.
    public static func exported(_ cached: CachedEnvironment, inherited: [String: String]) -> [(String, String)] {
        let env = make(cached, inherited: inherited)
        var names = ["PATH"] + provided
        names += cached.ports.keys.sorted().map(ServiceSpec.portVariable)
        for entry in cached.env where !names.contains(entry.name) { names.append(entry.name) }
        return names.compactMap { name in env[name].map { (name, $0) } }
    }
}
