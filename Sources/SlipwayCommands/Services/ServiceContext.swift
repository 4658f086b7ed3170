import Foundation
import SlipwayCore
import SlipwayEnvironment
import SlipwayManifest
import SlipwaySupervisor
import SlipwayProcess

/// What the service commands share: layout, the profile's services and environment, the socket.
struct ServiceContext {
    let layout: ProjectLayout
    let profile: String
    let services: [ServiceSpec]
    let cached: CachedEnvironment
    /// The manifest and the profile as resolved, for commands that read more of them (tasks).
    let manifest: Manifest
    let resolved: ResolvedProfile

    var socketPath: String { layout.controlSocket(profile: profile) }
    var client: ControlClient { ControlClient(path: socketPath) }
    var logDirectory: String { layout.serviceLogDir(profile: profile) }

    /// Validates the manifest and its services, and loads (or builds) the environment.
    /// - Throws: ``ManifestError`` (cycles, unknown dependencies...), ``NixError``.
    static func load(_ options: GlobalOptions, purity: PurityOptions? = nil) async throws -> ServiceContext {
        try await load(options.selection, purity: purity?.override)
    }

    /// As ``load(_:purity:)``, from plain values.
    /// - Parameters:
    ///   - purity: `--pure` (`true`) or `--impure` (`false`), or `nil` for the profile's own.
    ///   - needsBuild: `false` when only processes are started (tasks): then the compact
    ///     environment file is read, not the JSON one with the build's closure.
    static func load(_ selection: ProjectSelection, purity: Bool?, needsBuild: Bool = true) async throws -> ServiceContext {
        let layout = try selection.layout()
        let resolver = EnvironmentResolver(layout: layout) { Terminal.status($0) }
        let manifest = try ManifestLoader.load(path: layout.manifest, displayName: resolver.displayName)
        let resolved = try manifest.resolve(profile: selection.profile)
        let services = try manifest.services(of: resolved)
        let built = try await resolver.environment(profile: selection.profile, needsBuild: needsBuild)
        return ServiceContext(
            layout: layout, profile: selection.profile, services: services,
            cached: PurityOptions.apply(purity, to: built), manifest: manifest, resolved: resolved)
    }

    /// Only the socket (for ps, logs, stop... which must work even if the manifest changed).
    static func socketOnly(_ options: GlobalOptions) throws -> (layout: ProjectLayout, client: ControlClient) {
        let layout = try options.layout()
        return (layout, ControlClient(path: layout.controlSocket(profile: options.profile)))
    }

    /// Warnings for `specs` whose program comes from outside the profile.
    /// - Throws: ``ProfilePrograms/OutsideProfile`` when the profile is pure (nothing has started).
    func checkPrograms(_ specs: [ServiceSpec]) throws -> [String] {
        let caller = ProcessLauncher.currentEnvironment()
        let env = try ProcessEnvironment.make(cached, inherited: caller)
        return try ProfilePrograms.check(
            ProfilePrograms.Script.services(specs), environment: env, cached: cached, callerPath: caller["PATH"] ?? "")
    }

    /// The background supervisor of `requested` services (`up -d`).
    func detached(requested: [String]) -> DetachedSupervisor {
        DetachedSupervisor(
            layout: layout, profile: profile, services: services, requested: requested, purity: cached.pure)
    }

    /// The supervisor configuration for `requested` services.
    /// - Throws: ``DotenvFile/SyntaxError``.
    func configuration(requested: [String], ports: [String: Int]) throws -> Supervisor.Configuration {
        var cached = self.cached
        cached.ports = ports
        let base = try ProcessEnvironment.make(cached, inherited: ProcessLauncher.currentEnvironment())
        let stateDir = layout.stateDir(profile: profile)
        return Supervisor.Configuration(
            profile: profile, services: services, requested: requested,
            environment: { spec in
                ServicePorts.serviceEnvironment(spec, base: base, stateDir: stateDir, port: ports[spec.name])
            },
            ports: ports, root: layout.root, stateDir: stateDir)
    }
}
