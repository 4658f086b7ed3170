import SlipwayManifest
import SlipwayCore

/// Renders the `slipway-<target>*.service` units of a release (systemd.service(5),
/// systemd.exec(5); the podman shape follows `podman generate systemd --new`).
public struct UnitRenderer: Sendable {
    public let spec: DeploySpec
    public let paths: HostPaths
    /// Absolute path of podman/docker on the host (image mode), from the host check.
    public let runtimePath: String

    public init(spec: DeploySpec, runtimePath: String) {
        self.spec = spec
        self.paths = HostPaths(target: spec.name)
        self.runtimePath = runtimePath
    }

    /// Unit file name → text, in start order.
    public func units(_ release: Release, directory: String) -> [(name: String, text: String)] {
        switch release.content {
        case .images(let images):
            let several = images.count > 1
            return images.map { image in
                (
                    paths.unitName(image: several ? image.name : nil),
                    imageUnit(image, release: release, directory: directory)
                )
            }
        case .closure(let closure):
            return [(paths.unitName(image: nil), closureUnit(closure))]
        }
    }

    func imageUnit(_ image: ReleaseImage, release: Release, directory: String) -> String {
        let container = paths.containerName(image: image.name)
        let settings = spec.imageSettings[image.name] ?? DeploySpec.ImageSettings()
        var run = [runtimePath, "run", "--name", container, "--rm", "--init"]
        if spec.network == .host {
            run += ["--network", "host"]
        } else {
            run += ["--network", paths.network, "--network-alias", image.name]
            for port in settings.ports { run += ["-p", port] }
        }
        run += [
            "--env-file", paths.release(directory) + "/env",
            "--label", "slipway.target=\(spec.name)", "--label", "slipway.release=\(release.id)",
        ]
        for volume in settings.volumes { run += ["-v", volume] }
        for entry in settings.env { run += ["-e", "\(entry.name)=\(entry.value)"] }
        var service: [String]
        if spec.runtime == .podman {
            run.insert(
                contentsOf: [
                    "--replace", "--cgroups=no-conmon", "--sdnotify=conmon", "-d",
                    "--cidfile=%t/%n.ctr-id",
                ], at: 2)
            service = [
                "Type=notify", "NotifyAccess=all", "SuccessExitStatus=143", "Environment=PODMAN_SYSTEMD_UNIT=%n",
                "ExecStartPre=-/bin/rm -f %t/%n.ctr-id",
            ]
            service.append("ExecStart=" + SystemdQuote.command(run + [image.id.hex]))
            service.append(
                "ExecStop="
                    + SystemdQuote.command([runtimePath, "stop", "--ignore", "-t", "5", "--cidfile=%t/%n.ctr-id"]))
            service.append(
                "ExecStopPost=-"
                    + SystemdQuote.command([runtimePath, "rm", "-f", "--ignore", "--cidfile=%t/%n.ctr-id"]))
        } else {
            service = ["Type=exec", "ExecStartPre=-" + SystemdQuote.command([runtimePath, "rm", "-f", container])]
            service.append("ExecStart=" + SystemdQuote.command(run + [image.id.description]))
            service.append("ExecStop=" + SystemdQuote.command([runtimePath, "stop", "-t", "5", container]))
        }
        return render(
            description: "Slipway target \(spec.name): image \(image.name)", release: release.id, service: service)
    }

    func closureUnit(_ closure: ReleaseClosure) -> String {
        var service = closureService().map { "\($0.key)=\($0.value)" }
        if let user = closure.user { service.append("User=\(user)") }
        if spec.nixos { service += Self.hardening.map { "\($0.key)=\($0.value)" } }
        return render(description: closureDescription, release: nil, service: service)
    }

    /// The unit's description in closure mode (also the NixOS module's `description`).
    public var closureDescription: String { "Slipway target \(spec.name): service \(spec.service ?? "")" }

    /// The closure-mode `[Service]` directives before `User=` (then ``serviceTail``), in order;
    /// the NixOS module (``NixOSModule``) declares the same ones.
    public func closureService() -> [(key: String, value: String)] {
        [
            ("Type", "exec"), ("ExecStart", "/bin/sh \(paths.profile)"),
            ("EnvironmentFile", "\(paths.base)/current/env"),
            ("StateDirectory", paths.stateDirectory.split(separator: "/").last.map(String.init) ?? spec.name),
            ("WorkingDirectory", paths.stateDirectory), ("KillMode", "mixed"),
        ]
    }

    /// The `[Service]` directives every unit ends with (timeouts, restart policy).
    public static let serviceTail: [(key: String, value: String)] = [
        ("TimeoutStartSec", String(Int(DeploySpec.startTimeout))),
        ("TimeoutStopSec", String(Int(DeploySpec.stopTimeout))), ("Restart", "on-failure"), ("RestartSec", "1"),
    ]

    /// `[Unit]` directives of every unit (systemd.unit(5)): ordering and the start rate limit
    /// that `reset-failed` clears.
    public static let unitSection: [(key: String, value: String)] = [
        ("After", "network-online.target"), ("Wants", "network-online.target"), ("StartLimitIntervalSec", "10"),
        ("StartLimitBurst", "5"),
    ]

    /// Sandboxing a NixOS module's unit gets (`hardening = true`, its default), systemd.exec(5).
    /// The service still writes its `StateDirectory=` and `/tmp` (private).
    public static let hardening: [(key: String, value: String)] = [
        ("NoNewPrivileges", "yes"), ("PrivateTmp", "yes"), ("ProtectSystem", "full"), ("ProtectHome", "yes"),
        ("ProtectKernelTunables", "yes"), ("ProtectKernelModules", "yes"), ("ProtectControlGroups", "yes"),
        ("RestrictSUIDSGID", "yes"), ("RestrictRealtime", "yes"), ("LockPersonality", "yes"),
    ]

    private func render(description: String, release: String?, service: [String]) -> String {
        let origin =
            spec.nixos
            ? "# The unit the NixOS module of [deploy.\(spec.name)] declares "
                + "(slipway deploy \(spec.name) --nixos-module)."
            : "# Generated by slipway for [deploy.\(spec.name)]; replaced on every deploy."
        var lines = [origin]
        if let release { lines.append("# slipway-release: \(release)") }
        lines += ["[Unit]", "Description=\(description)"] + Self.unitSection.map { "\($0.key)=\($0.value)" }
        lines += ["", "[Service]"]
        lines += service
        lines += Self.serviceTail.map { "\($0.key)=\($0.value)" }
        lines += ["", "[Install]", "WantedBy=multi-user.target", ""]
        return lines.joined(separator: "\n")
    }
}

/// Quoting for `Exec*=` lines (systemd.service(5) "Command lines"): words in double quotes,
/// `\` and `"` escaped, `$` doubled so systemd does not expand it. `%` specifiers are left
/// as they are (`%t`, `%n` are meant).
public enum SystemdQuote {
    public static func word(_ word: String) -> String {
        if ShellQuote.isBare(word) { return word }
        var text = "\""
        for c in word {
            switch c {
            case "\\": text += "\\\\"
            case "\"": text += "\\\""
            case "$": text += "$$"
            default: text.append(c)
            }
        }
        return text + "\""
    }

    public static func command(_ argv: [String]) -> String { argv.map(word).joined(separator: " ") }
}
