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
    static func load(_ options: GlobalOptions) async throws -> ServiceContext {
        let layout = try options.layout()
        let resolver = EnvironmentResolver(layout: layout) { Terminal.status($0) }
        let manifest = try ManifestLoader.load(path: layout.manifest, displayName: resolver.displayName)
        let resolved = try manifest.resolve(profile: options.profile)
        let services = try manifest.services(of: resolved)
        let cached = try await resolver.environment(profile: options.profile)
        return ServiceContext(
            layout: layout, profile: options.profile, services: services, cached: cached, manifest: manifest,
            resolved: resolved)
    }

    /// Only the socket (for ps, logs, stop... which must work even if the manifest changed).
    static func socketOnly(_ options: GlobalOptions) throws -> (layout: ProjectLayout, client: ControlClient) {
        let layout = try options.layout()
        return (layout, ControlClient(path: layout.controlSocket(profile: options.profile)))
    }

    /// The background supervisor of `requested` services (`up -d`).
    func detached(requested: [String]) -> DetachedSupervisor {
        DetachedSupervisor(layout: layout, profile: profile, services: services, requested: requested)
    }

    /// The supervisor configuration for `requested` services.
    func configuration(requested: [String], ports: [String: Int]) -> Supervisor.Configuration {
        var cached = self.cached
        cached.ports = ports
        let base = ProcessEnvironment.make(cached, inherited: ProcessLauncher.currentEnvironment())
        let stateDir = layout.stateDir(profile: profile)
        return Supervisor.Configuration(
            profile: profile, services: services, requested: requested,
            environment: { spec in
                ServicePorts.serviceEnvironment(spec, base: base, stateDir: stateDir, port: ports[spec.name])
            },
            ports: ports, root: layout.root, stateDir: stateDir)
    }
}
