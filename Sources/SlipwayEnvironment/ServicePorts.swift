import Foundation
import SlipwayCore
import SlipwayManifest

/// The port of every service that has one: fixed ports as written, `"auto"` ports chosen once
/// (a free port from the kernel) and kept in `.slipway/state/<profile>/ports.json`, so they stay
/// the same across runs and `exec` sees the same `<NAME>_PORT` as the services.
public enum ServicePorts {
    /// Ports by service name.
    /// - Parameters:
    ///   - reallocate: auto ports to choose anew (their saved port is taken by something else).
    ///     A saved auto port that another service now has as its fixed port is chosen anew too.
    public static func resolve(_ services: [ServiceSpec], stateDir: String, reallocate: Set<String> = []) -> [String: Int] {
        let file = stateDir + "/ports.json"
        var saved = (FileManager.default.contents(atPath: file))
            .flatMap { try? JSONDecoder().decode([String: Int].self, from: $0) } ?? [:]
        var ports: [String: Int] = [:]
        var changed = false
        // An auto port never lands on (or keeps) a port another service has fixed.
        let fixed = Set(services.compactMap { spec -> Int? in
            if case .fixed(let port)? = spec.port { return port } else { return nil }
        })
        for spec in services {
            switch spec.port {
            case .fixed(let port)?:
                ports[spec.name] = port
            case .auto?:
                if let port = saved[spec.name], !reallocate.contains(spec.name), !fixed.contains(port) {
                    ports[spec.name] = port
                } else if let port = freePort(avoiding: Set(ports.values).union(fixed)) {
                    ports[spec.name] = port
                    saved[spec.name] = port
                    changed = true
                }
            case nil:
                continue
            }
        }
        if changed {
            try? FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            try? encoder.encode(saved).write(to: URL(fileURLWithPath: file), options: .atomic)
        }
        return ports
    }

    private static func freePort(avoiding used: Set<Int>) -> Int? {
        for _ in 0..<20 {
            if let port = LoopbackPort.ephemeral(), !used.contains(port) { return port }
        }
        return nil
    }

    /// The environment of one service: `base` (the profile's, with every `<NAME>_PORT`), then
    /// `STATE_DIR`, `PORT`, `SLIPWAY_SERVICE`, then the service's `env`, expanded in order.
    public static func serviceEnvironment(
        _ spec: ServiceSpec, base: [String: String], stateDir: String, port: Int?
    ) -> [String: String] {
        var env = base
        env["STATE_DIR"] = stateDir + "/" + spec.name
        env["SLIPWAY_SERVICE"] = spec.name
        if let port { env["PORT"] = String(port) }
        for entry in spec.env {
            env[entry.name] = EnvironmentExpansion.expand(entry.value) { env[$0] }
        }
        return env
    }
}
