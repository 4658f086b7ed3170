import Foundation
import SlipwayCore
import SlipwayManifest

/// The environment a profile's processes run in, as `NAME -> value`.
///
/// Built from the caller's environment (impure), or from only the variables
/// ``EnvironmentPurity`` keeps (pure): `PATH` gets the packages' `bin` folders in front, without
/// the folders a previous Slipway environment added (``PathRecord``; pure: the packages' folders
/// only); then `SLIPWAY_ROOT`, `SLIPWAY_PROFILE`, `SLIPWAY_STATE` (= `.slipway/state/<profile>`)
/// and `<NAME>_PORT` of every service with a port are set, then the services' exports (the
/// postgresql preset's `PGHOST`, `PGPORT`, ...); then the dotenv files' assignments
/// (``DotenvFile``, read now, never cached); then each `[env]` entry in order, each value
/// expanded against everything set before it. Caller overrides (``EnvironmentOverride``, `-e`)
/// are set before the dotenv files, and the dotenv and `[env]` entries of the same names are
/// left out, so the caller's value wins and the other entries (and dotenv file names) expand
/// with it.
public enum ProcessEnvironment {
    /// Variables Slipway itself sets, besides `PATH`.
    public static let provided = ["SLIPWAY_ROOT", "SLIPWAY_PROFILE", "SLIPWAY_STATE", PathRecord.variable]

    /// The full environment for `cached` over `inherited`.
    /// - Throws: ``DotenvFile/SyntaxError`` for a broken dotenv file; Foundation's read errors.
    public static func make(
        _ cached: CachedEnvironment, inherited: [String: String], overrides: [EnvironmentOverride] = []
    ) throws -> [String: String] {
        try build(cached, inherited: inherited, overrides: overrides).env
    }

    /// The environment and the names of the dotenv files' variables, in order.
    static func build(
        _ cached: CachedEnvironment, inherited: [String: String], overrides: [EnvironmentOverride] = []
    ) throws -> (env: [String: String], dotenvNames: [String]) {
        let overridden = Set(overrides.map(\.name))
        var env = cached.pure ? EnvironmentPurity.filter(inherited, keeping: cached.keepEnv) : inherited
        let layout = ProjectLayout(manifest: cached.root + "/slipway.toml")
        env["PATH"] = PathRecord.path(cached.binPaths, inherited: inherited, pure: cached.pure)
        env[PathRecord.variable] = cached.binPaths.joined(separator: ":")
        env["SLIPWAY_ROOT"] = cached.root
        env["SLIPWAY_PROFILE"] = cached.profile
        env["SLIPWAY_STATE"] = layout.stateDir(profile: cached.profile)
        for (service, port) in cached.ports {
            env[ServiceSpec.portVariable(service)] = String(port)
        }
        for entry in cached.serviceEnv where !overridden.contains(entry.name) {
            env[entry.name] = EnvironmentExpansion.expand(entry.value) { env[$0] }
        }
        for entry in overrides { env[entry.name] = entry.value }
        var dotenvNames: [String] = []
        for (_, entries) in try dotenvFiles(cached, expandingNamesWith: { env[$0] }) {
            for entry in entries where !overridden.contains(entry.name) {
                env[entry.name] = entry.expands ? EnvironmentExpansion.expand(entry.value) { env[$0] } : entry.value
                if !dotenvNames.contains(entry.name) { dotenvNames.append(entry.name) }
            }
        }
        for entry in cached.env where !overridden.contains(entry.name) {
            env[entry.name] = EnvironmentExpansion.expand(entry.value) { env[$0] }
        }
        return (env, dotenvNames)
    }

    /// Only the variables the profile adds or changes (for `slipway env`): `PATH`, the
    /// `SLIPWAY_*` variables, the dotenv files' names and every `[env]` name, in that order.
    /// - Throws: as ``make(_:inherited:)``.
    public static func exported(_ cached: CachedEnvironment, inherited: [String: String]) throws -> [(String, String)] {
        let (env, dotenvNames) = try build(cached, inherited: inherited)
        var names = ["PATH"] + provided
        names += cached.ports.keys.sorted().map(ServiceSpec.portVariable)
        names += cached.serviceEnv.map(\.name).filter { !names.contains($0) }
        for name in dotenvNames + cached.env.map(\.name) where !names.contains(name) { names.append(name) }
        return names.compactMap { name in env[name].map { (name, $0) } }
    }

    /// The dotenv files that exist, in order, each parsed; a name's `$VAR` expands with `lookup`
    /// (so `.env.$APP_ENV` works when `.env` or the caller sets `APP_ENV`). A missing file is skipped.
    static func dotenvFiles(
        _ cached: CachedEnvironment, expandingNamesWith lookup: (String) -> String?
    ) throws -> [(String, [DotenvFile.Entry])] {
        var result: [(String, [DotenvFile.Entry])] = []
        var seen: [String: String] = [:]
        for pattern in cached.envFiles {
            let name = EnvironmentExpansion.expand(pattern) { seen[$0] ?? lookup($0) }
            let path = cached.root + "/" + name
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let entries = try DotenvFile.parse(text, file: name)
            for entry in entries { seen[entry.name] = entry.value }
            result.append((name, entries))
        }
        return result
    }

    /// A digest standing for the dotenv files' assignments (for task fingerprints): the values
    /// themselves are never written under `.slipway/`.
    /// - Throws: as ``make(_:inherited:)``.
    public static func dotenvDigest(_ cached: CachedEnvironment, inherited: [String: String]) throws -> String {
        var text = ""
        for (name, entries) in try dotenvFiles(cached, expandingNamesWith: { inherited[$0] }) {
            text += name + "\n" + entries.map { "\($0.name)=\($0.value)\n" }.joined()
        }
        return Digest.of(Array(text.utf8)).description
    }
}
