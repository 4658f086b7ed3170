import SlipwayCore
import SlipwayEnvironment

/// Loads the environment of the chosen profile for `shell`, `exec` and `env`.
enum ProfileEnvironment {
    /// The cached environment when valid (no Nix process), else a fresh build.
    /// - Parameter needsBuild: `false` when only processes are started (see ``EnvironmentResolver``).
    static func load(_ options: GlobalOptions, needsBuild: Bool = true) async throws -> CachedEnvironment {
        let layout = try options.layout()
        let resolver = EnvironmentResolver(layout: layout) { Terminal.status($0) }
        return try await resolver.environment(profile: options.profile, needsBuild: needsBuild)
    }
}
