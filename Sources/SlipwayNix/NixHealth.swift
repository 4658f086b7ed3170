import Foundation
import SlipwayCore

/// What `slipway doctor` checks about Nix: found, version (2.8 or newer), store writable or a
/// daemon, flakes usable.
public enum NixHealth {
    /// One check and, when it fails, how to fix it.
    public struct Check: Codable, Sendable, Equatable {
        public var name: String
        public var ok: Bool
        /// `false` for checks whose failure only limits some commands.
        public var required: Bool
        public var detail: String
        public var fix: String?

        public init(name: String, ok: Bool, required: Bool, detail: String, fix: String? = nil) {
            self.name = name
            self.ok = ok
            self.required = required
            self.detail = detail
            self.fix = fix
        }
    }

    /// Every Nix check, in order; only `nix` when Nix is not found.
    public static func checks() async -> [Check] {
        guard let nix = try? NixCommand.locate() else {
            return [Check(name: "nix", ok: false, required: true, detail: "not found on PATH",
                          fix: "apt-get install nix-bin (Debian/Ubuntu), or see https://nixos.org/download")]
        }
        return [Check(name: "nix", ok: true, required: true, detail: nix.executable),
                await version(nix), store(), await flakes(nix)]
    }

    /// Whether `nix --version`'s last word is 2.8 or newer.
    public static func isRecent(_ versionLine: String) -> Bool {
        let number = versionLine.split(separator: " ").last.map(String.init) ?? versionLine
        let parts = number.split(separator: ".").compactMap { Int($0) }
        return parts.count >= 2 && (parts[0] > 2 || (parts[0] == 2 && parts[1] >= 8))
    }

    static func version(_ nix: NixCommand) async -> Check {
        do {
            let version = try await nix.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let recent = isRecent(version)
            return Check(name: "nix version", ok: recent, required: true, detail: version,
                         fix: recent ? nil : "Slipway needs Nix 2.8 or newer")
        } catch {
            return Check(name: "nix version", ok: false, required: true, detail: "\(error)", fix: "reinstall Nix")
        }
    }

    static func store() -> Check {
        let storeWritable = access("/nix/store", W_OK) == 0 && access("/nix/var/nix", W_OK) == 0
        let daemon = FileManager.default.fileExists(atPath: "/nix/var/nix/daemon-socket/socket")
        return Check(
            name: "nix store", ok: storeWritable || daemon, required: true,
            detail: storeWritable ? "/nix/store writable (single-user)" : (daemon ? "through nix-daemon" : "/nix/store not writable and no daemon"),
            fix: storeWritable || daemon ? nil : "run as the store's owner, or start nix-daemon")
    }

    static func flakes(_ nix: NixCommand) async -> Check {
        do {
            let ok = try await nix.run(["eval", "--impure", "--expr", "builtins ? getFlake"]).stdout.contains("true")
            return Check(name: "flakes", ok: ok, required: true,
                         detail: ok ? "usable (Slipway enables nix-command and flakes per call)" : "builtins.getFlake missing",
                         fix: ok ? nil : "upgrade Nix to 2.8 or newer")
        } catch {
            return Check(name: "flakes", ok: false, required: true, detail: "nix eval failed: \(error)",
                         fix: "check /etc/nix/nix.conf; as root without a daemon set `build-users-group =`")
        }
    }
}
