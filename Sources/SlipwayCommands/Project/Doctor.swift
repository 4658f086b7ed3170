import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayNix

/// `slipway doctor [--json]`
struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check Nix (found, version, store writable, flakes usable) and podman.")

    @Flag(help: "Print the report as JSON.")
    var json = false

    /// One check and, when it fails, how to fix it.
    struct Check: Codable {
        var name: String
        var ok: Bool
        /// `false` for checks whose failure only limits some commands.
        var required: Bool
        var detail: String
        var fix: String?
    }

    func run() async throws {
        var checks: [Check] = []
        var nixFound: NixCommand?
        do {
            let nix = try NixCommand.locate()
            nixFound = nix
            checks.append(Check(name: "nix", ok: true, required: true, detail: nix.executable))
        } catch {
            checks.append(Check(name: "nix", ok: false, required: true, detail: "not found on PATH",
                                fix: "apt-get install nix-bin (Debian/Ubuntu), or see https://nixos.org/download"))
        }
        if let nix = nixFound {
            do {
                let version = try await nix.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                let number = version.split(separator: " ").last.map(String.init) ?? version
                let parts = number.split(separator: ".").compactMap { Int($0) }
                let recent = parts.count >= 2 && (parts[0] > 2 || (parts[0] == 2 && parts[1] >= 8))
                checks.append(Check(name: "nix version", ok: recent, required: true, detail: version,
                                    fix: recent ? nil : "Slipway needs Nix 2.8 or newer"))
            } catch {
                checks.append(Check(name: "nix version", ok: false, required: true, detail: "\(error)", fix: "reinstall Nix"))
            }
            let storeWritable = access("/nix/store", W_OK) == 0 && access("/nix/var/nix", W_OK) == 0
            let daemon = FileManager.default.fileExists(atPath: "/nix/var/nix/daemon-socket/socket")
            checks.append(Check(
                name: "nix store", ok: storeWritable || daemon, required: true,
                detail: storeWritable ? "/nix/store writable (single-user)" : (daemon ? "through nix-daemon" : "/nix/store not writable and no daemon"),
                fix: storeWritable || daemon ? nil : "run as the store's owner, or start nix-daemon"))
            do {
                let out = try await nix.run(["eval", "--impure", "--expr", "builtins ? getFlake"]).stdout
                let ok = out.contains("true")
                checks.append(Check(name: "flakes", ok: ok, required: true,
                                    detail: ok ? "usable (Slipway enables nix-command and flakes per call)" : "builtins.getFlake missing",
                                    fix: ok ? nil : "upgrade Nix to 2.8 or newer"))
            } catch {
                checks.append(Check(name: "flakes", ok: false, required: true, detail: "nix eval failed: \(error)",
                                    fix: "check /etc/nix/nix.conf; as root without a daemon set `build-users-group =`"))
            }
        }
        if let podman = ProcessLauncher.resolve("podman", environment: ProcessLauncher.currentEnvironment()) {
            checks.append(Check(name: "podman", ok: true, required: false, detail: podman))
        } else {
            checks.append(Check(name: "podman", ok: false, required: false, detail: "not found (only `slipway image load` needs it)",
                                fix: "apt-get install podman"))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Terminal.write(String(decoding: try encoder.encode(checks), as: UTF8.self) + "\n")
        } else {
            for check in checks {
                let mark = check.ok ? "ok  " : (check.required ? "FAIL" : "warn")
                var line = "\(mark) \(check.name): \(check.detail)\n"
                if let fix = check.fix, !check.ok { line += "     fix: \(fix)\n" }
                Terminal.write(line)
            }
        }
        if checks.contains(where: { !$0.ok && $0.required }) { throw ExitCode(1) }
    }
}
