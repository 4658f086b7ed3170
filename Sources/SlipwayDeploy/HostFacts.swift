import SlipwayManifest

/// What the one-call host check found: systemd as PID 1, tools, the target's current state.
public struct HostFacts: Sendable, Hashable {
    public var systemd = false
    public var runtime: String?
    public var nixStore: String?
    public var curl: String?
    public var analyze: String?
    /// The `current` release folder, if Slipway deployed here before.
    public var current: String?
    public var currentOutcome: String?
    public var currentConfigHash: String?
    /// A `slipway-<target>` unit exists that Slipway did not record.
    public var foreignUnit = false
    /// Free space under /var/lib, in KiB.
    public var freeKiB: Int64?
    /// The target's random salt on the host (made at the first check, mode 0600), for the config hash.
    public var salt: String?
    /// Programs the activation script needs that the host lacks (`flock`, `timeout`, `ss`, `nix-env`).
    public var missingTools: [String] = []
    /// The host is NixOS (`/etc/NIXOS`): its units come from the system configuration.
    public var nixosHost = false
    /// `slipway-<target>.service` is loaded and its unit text names the target's Nix profile
    /// (what the NixOS module declares).
    public var systemUnit = false

    /// The host check script: prints `key=value` lines; changes nothing but making the target's
    /// salt file once.
    public static func script(_ spec: DeploySpec) -> String {
        let paths = HostPaths(target: spec.name)
        let runtime = spec.runtime.rawValue
        return """
            test -d /run/systemd/system && echo systemd=yes
            echo runtime=$(command -v \(runtime))
            echo nixstore=$(command -v nix-store)
            echo curl=$(command -v curl)
            echo analyze=$(command -v systemd-analyze)
            c=$(readlink \(paths.base)/current 2>/dev/null); c=${c#releases/}; echo current=$c
            [ -n "$c" ] && echo outcome=$(cat \(paths.base)/releases/$c/outcome 2>/dev/null)
            [ -n "$c" ] && sed -n 's/.*"configHash":"\\([0-9a-f]*\\)".*/confighash=\\1/p' \\
                \(paths.base)/releases/$c/release.json
            [ -z "$c" ] && [ -e \(paths.unitDirectory)/\(paths.unitName(image: nil)) ] && echo foreign=yes
            [ -e /etc/NIXOS ] && echo nixoshost=yes
            systemctl cat \(paths.unitName(image: nil)) 2>/dev/null | grep -qF \(paths.profile) && echo systemunit=yes
            echo free=$(df -Pk /var/lib 2>/dev/null | awk 'NR==2 {print $4}')
            s=\(paths.base)/salt
            [ -s "$s" ] || { mkdir -p \(paths.base) && (umask 077; od -An -N16 -tx1 /dev/urandom | tr -d ' \\n' > "$s"); }
            echo salt=$(cat "$s" 2>/dev/null)
            for t in \(Self.activationTools(spec).joined(separator: " ")); do
                command -v "$t" >/dev/null 2>&1 || echo missing=$t
            done
            true
            """
    }

    public init() {}

    public init(parsing output: String) {
        for line in output.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq]
            let value = String(line[line.index(after: eq)...])
            let present = value.isEmpty ? nil : value
            switch key {
            case "systemd": systemd = value == "yes"
            case "runtime": runtime = present
            case "nixstore": nixStore = present
            case "curl": curl = present
            case "analyze": analyze = present
            case "current": current = present
            case "outcome": currentOutcome = present
            case "confighash": currentConfigHash = present
            case "foreign": foreignUnit = value == "yes"
            case "free": freeKiB = Int64(value)
            case "missing": missingTools.append(value)
            case "salt": salt = present
            case "nixoshost": nixosHost = value == "yes"
            case "systemunit": systemUnit = value == "yes"
            default: break
            }
        }
    }

    /// What the activation script runs besides systemd and the runtime: the lock, the bounded
    /// health command, the health port's owner check (`ss`), and the Nix profile.
    static func activationTools(_ spec: DeploySpec) -> [String] {
        ["flock", "timeout", "ss"] + (spec.mode == .closure ? ["nix-env"] : [])
    }

    /// The first reason this host cannot take a release of `spec`, with a hint.
    public func problem(_ spec: DeploySpec, needBytes: Int64) -> (String, String)? {
        let paths = HostPaths(target: spec.name)
        if !systemd {
            return (
                "the host does not run systemd as PID 1", "Slipway runs releases as systemd units; use a systemd host"
            )
        }
        if spec.mode == .image && runtime == nil {
            return (
                "\(spec.runtime.rawValue) is not installed on the host",
                "install it, or set runtime in [deploy.\(spec.name)]"
            )
        }
        if spec.mode == .closure && nixStore == nil {
            return ("nix is not installed on the host", "install Nix there (e.g. Debian's nix-bin) for closure mode")
        }
        if case .http = spec.health.check, curl == nil {
            return (
                "curl is not installed on the host (the http health check runs there)",
                "install curl, or use health.cmd"
            )
        }
        if !missingTools.isEmpty {
            return (
                "the host lacks \(missingTools.joined(separator: ", ")), which the activation runs",
                "install util-linux (flock), coreutils (timeout), iproute2 (ss)"
                    + (missingTools.contains("nix-env") ? " and Nix (nix-env)" : "")
            )
        }
        if let nixos = nixosProblem(spec) { return nixos }
        if foreignUnit && !spec.nixos {
            return (
                "\(paths.unitName(image: nil)) exists but Slipway did not deploy it",
                "stop and remove that unit first (Slipway does not adopt units it did not write)"
            )
        }
        if let freeKiB, freeKiB * 1024 < needBytes * 2 {
            return ("not enough disk space under /var/lib: \(freeKiB / 1024) MiB free", "free space on the host")
        }
        return nil
    }

    /// A NixOS host needs `nixos = true` and the module's unit; `nixos = true` needs the unit.
    func nixosProblem(_ spec: DeploySpec) -> (String, String)? {
        let unit = HostPaths(target: spec.name).unitName(image: nil)
        let module = "slipway deploy \(spec.name) --nixos-module > slipway-\(spec.name).nix"
        if nixosHost && !spec.nixos {
            return (
                "the host runs NixOS: its units come from the system configuration, Slipway cannot write \(unit)",
                spec.mode == .closure
                    ? "add the module (\(module)) to its configuration, nixos-rebuild switch, then set nixos = true"
                    : "on NixOS use mode \"closure\" with nixos = true and the module of --nixos-module"
            )
        }
        if spec.nixos && !systemUnit {
            return (
                "nixos = true, but \(unit) is not declared on the host "
                    + "(or does not run \(HostPaths(target: spec.name).profile))",
                "add the module (\(module)) to the host's configuration and run nixos-rebuild switch"
            )
        }
        return nil
    }
}
