import SlipwayCore
import SlipwayManifest

/// `[images.NAME] service = "db"`: an image that runs one service of its profile the way
/// `slipway up` does, so a compose-like database image needs no hand-written entrypoint. The
/// service's `setup` then its `command` become the entrypoint (`/bin/sh -c SCRIPT`), run as a
/// non-root user that owns the state folder, listening on every address.
///
/// Filled, each only when the image does not set it itself:
/// - `entrypoint`: `/bin/sh -c` of: a check that `$STATE_DIR` is a writable folder (a bind-mounted host
///   folder owned by someone else fails here, with the fix, instead of deep in `initdb`), the
///   `setup` in a subshell, then the `command`;
/// - `user`: the service's name when it is a valid login name, else `service` (uid and gid 1000);
/// - `dirs`: `/var/lib/<service>`, owned by that user, mode 0700 (the `STATE_DIR`);
/// - `env`: the service's `env`, then `STATE_DIR`, `PORT` (the service's fixed port, else the
///   preset's usual one: 5432, 3306, 6379, 9000, 8080) and `SLIPWAY_LISTEN=0.0.0.0` (the
///   presets listen on it instead of 127.0.0.1), `<NAME>_PORT` and `SLIPWAY_STATE`;
/// - `ports`: `PORT/tcp`; the config's `StopSignal`: the service's `stop_signal`.
///
/// The container runtime passes `-e PORT=...` or `-e STATE_DIR=...` to change them at run time.
public enum ServiceImage {
    /// `spec` with the service's defaults applied; `spec` itself when it names no service.
    /// - Throws: ``ManifestError`` (located at `service = ...`) for a service the profile does not
    ///   have, or one whose port is `auto` without a preset to take the usual port from.
    public static func apply(_ spec: ImageSpec, services: [ServiceSpec]) throws -> ImageSpec {
        guard let (name, location) = spec.service else { return spec }
        guard let service = services.first(where: { $0.name == name }) else {
            let known = services.map(\.name)
            let hint = known.isEmpty ? "the profile '\(spec.profile)' has no services" : "its services: " + known.joined(separator: ", ")
            throw ManifestError.invalid([Diagnostic(.invalidValue(
                key: "images.\(spec.name).service", reason: "no [services.\(name)] in profile '\(spec.profile)' (\(hint))"), at: location)])
        }
        guard let port = port(of: service) else {
            throw ManifestError.invalid([Diagnostic(.invalidValue(
                key: "images.\(spec.name).service",
                reason: "services.\(name) has port = \"auto\" and no preset: give it a fixed port (port = 8000) for the image"), at: location)])
        }
        var image = spec
        let user = spec.user ?? ImageSpec.User(name: loginName(for: name), uid: 1000, gid: 1000)
        image.user = user
        let state = "/var/lib/" + name
        if !image.dirs.contains(where: { $0.path == state }) {
            image.dirs.append(.init(path: state, owner: user.name, mode: 0o700, location: location))
        }
        image.env = serviceEnvironment(service, state: state, port: port, location: location) + spec.env
        if !image.ports.contains("\(port)/tcp") { image.ports.append("\(port)/tcp") }
        image.entrypoint = spec.entrypoint ?? ["/bin/sh", "-c", script(service), service.name]
        image.stopSignal = spec.stopSignal ?? Signals.name(service.stopSignal)
        return image
    }

    /// The port the service listens on in the image: its fixed port, else its preset's usual one.
    static func port(of service: ServiceSpec) -> Int? {
        if case .fixed(let port) = service.port { return port }
        return service.preset?.usualPort
    }

    /// The service's name as a login name (`[a-z_][a-z0-9_-]*`, not root or nobody), else `service`.
    static func loginName(for service: String) -> String {
        let name = service.lowercased()
        let valid = name.first.map { $0 == "_" || ("a"..."z").contains($0) } == true
            && name.allSatisfy { $0 == "_" || $0 == "-" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
            && name.count <= 32 && !["root", "nobody"].contains(name)
        return valid ? name : "service"
    }

    /// The variables `slipway up` gives the service, with the image's values.
    static func serviceEnvironment(_ service: ServiceSpec, state: String, port: Int, location: SourceLocation) -> [EnvEntry] {
        let fixed = [("STATE_DIR", state), ("PORT", "\(port)"), ("SLIPWAY_LISTEN", "0.0.0.0"),
                     (ServiceSpec.portVariable(service.name), "\(port)"), ("SLIPWAY_STATE", "/var/lib")]
        return fixed.map { EnvEntry(name: $0.0, value: $0.1, location: location) } + service.env
    }

    /// The entrypoint script: the state folder checked, `setup` in a subshell, then `command`.
    static func script(_ service: ServiceSpec) -> String {
        let check = """
            set -e
            if [ ! -d "$STATE_DIR" ] || [ ! -w "$STATE_DIR" ]; then
              echo "\(service.name): $STATE_DIR is not writable by uid $(id -u 2>/dev/null || echo '?'): give that folder to uid \
            $(id -u 2>/dev/null || echo '?') (chown) when it is a bind mount, or use a named volume" >&2
              exit 1
            fi

            """
        let setup = service.setup.map { "(\n\($0)\n)\n" } ?? ""
        return check + setup + service.command + "\n"
    }
}
