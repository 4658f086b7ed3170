import SlipwayEnvironment
import SlipwayManifest
import SlipwayOCI
import SlipwayCore

/// The image config's `Env` and the rest of its `config`.
enum ImageEnvironment {
    /// `NAME=value` in order: `PATH` (the contents' `bin`s, then `/usr/local/bin:/usr/bin:/bin`),
    /// `SLIPWAY_PROFILE`, the FHS fixes' variables (sorted), then the profile's `[env]` and the
    /// image's `env`, each `$VAR` expanded against what comes before it.
    static func variables(
        spec: ImageSpec, bins: [String], extra: [String: String], profileEnv: [CachedEnvironment.Entry]
    ) -> [String] {
        var env: [String: String] = [
            "PATH": (bins + ["/usr/local/bin", "/usr/bin", "/bin"]).joined(separator: ":"),
            "SLIPWAY_PROFILE": spec.profile,
        ]
        for (key, value) in extra { env[key] = value }
        var order = ["PATH", "SLIPWAY_PROFILE"] + extra.keys.sorted()
        for entry in profileEnv + spec.env.map({ CachedEnvironment.Entry(name: $0.name, value: $0.value) }) {
            env[entry.name] = EnvironmentExpansion.expand(entry.value) { env[$0] }
            if !order.contains(entry.name) { order.append(entry.name) }
        }
        return order.compactMap { name in env[name].map { "\(name)=\($0)" } }
    }

    /// The config: user `uid:gid`, `env`, entrypoint, cmd, workdir, ports, labels.
    static func config(_ spec: ImageSpec, env: [String]) -> ImageConfiguration.Config {
        ImageConfiguration.Config(
            User: spec.user.map { "\($0.uid):\($0.gid)" }, Env: env,
            Entrypoint: spec.entrypoint, Cmd: spec.cmd, WorkingDir: spec.workdir,
            ExposedPorts: spec.ports.isEmpty ? nil : Dictionary(uniqueKeysWithValues: spec.ports.map { ($0, EmptyObject()) }),
            Labels: spec.labels.isEmpty ? nil : spec.labels
        ).stopping(with: spec.stopSignal)
    }
}
