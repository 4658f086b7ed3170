import Foundation
import SlipwayManifest

/// The port of every service that has one: fixed ports as written, `"auto"` ports chosen once
/// (a free port from the kernel) and kept in `.slipway/state/<profile>/ports.json`, so they stay
/// the same across runs and `exec` sees the same `<NAME>_PORT` as the services.
public enum ServicePorts {
    /// Ports by service name.
    /// - Parameters:
    ///   - reallocate: auto ports to choose anew (their saved port is taken by something else).
    public static func resolve(_ services: [ServiceSpec], stateDir: String, reallocate: Set<String> = []) -> [String: Int] {
        let file = stateDir + "/ports.json"
        var saved = (FileManager.default.contents(atPath: file))
            .flatMap { try? JSONDecoder().decode([String: Int].self, from: $0) } ?? [:]
        var ports: [String: Int] = [:]
        var changed = false
        for spec in services {
            switch spec.port {
            case .fixed(let port)?:
                ports[spec.name] = port
            case .auto?:
                if let port = saved[spec.name], !reallocate.contains(spec.name) {
                    ports[spec.name] = port
                } else if let port = freePort(avoiding: Set(ports.values)) {
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
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { continue }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            let port = Int(UInt16(bigEndian: address.sin_port))
            if !used.contains(port) { return port }
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
