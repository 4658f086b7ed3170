import SlipwayCore
import SlipwayManifest

/// The ports services are about to start with: fixed ports in use are an error (naming the
/// holder), taken auto ports are chosen anew.
public enum PortClaim {
    /// Ports of `services` (the profile's), checked for `starting` (those about to start).
    /// - Throws: ``PortConflictError`` before anything starts.
    public static func claim(
        _ starting: [ServiceSpec], of services: [ServiceSpec], layout: ProjectLayout, profile: String
    ) throws -> [String: Int] {
        let stateDir = layout.stateDir(profile: profile)
        var ports = ServicePorts.resolve(services, stateDir: stateDir)
        var conflicts: [PortConflictError.Conflict] = []
        var retake: Set<String> = []
        for spec in starting {
            guard let port = ports[spec.name], !PortCheck.isFree(port) else { continue }
            if case .auto? = spec.port {
                retake.insert(spec.name)
            } else {
                conflicts.append(.init(service: spec.name, port: port, holder: PortCheck.holder(of: port)))
            }
        }
        if !conflicts.isEmpty { throw PortConflictError(conflicts: conflicts) }
        if !retake.isEmpty {
            ports = ServicePorts.resolve(services, stateDir: stateDir, reallocate: retake)
            EnvironmentStore(layout: layout).invalidateAll()
        }
        return ports
    }
}

/// Fixed ports services need are already taken.
public struct PortConflictError: SlipwayError, Sendable, Equatable {
    public struct Conflict: Sendable, Equatable {
        public var service: String
        public var port: Int
        /// Who holds it (`pid 1234 (redis-server *:6379)`), when that can be told.
        public var holder: String?
    }

    public var conflicts: [Conflict]

    public var message: String {
        conflicts.map { c in
            "port \(c.port) of service '\(c.service)' is already in use" + (c.holder.map { " by \($0)" } ?? "")
        }.joined(separator: "\n")
    }

    public var hint: String? { "stop the other process, or set port = \"auto\" in slipway.toml" }
}
