import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayNix
import SlipwayProcess

/// `slipway doctor [--json]`
struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check Nix (found, version, store writable, flakes usable) and podman.")

    @Flag(help: "Print the report as JSON.")
    var json = false

    typealias Check = NixHealth.Check

    func run() async throws {
        var checks = await NixHealth.checks()
        if let podman = ProcessLauncher.resolve("podman", environment: ProcessLauncher.currentEnvironment()) {
            checks.append(Check(name: "podman", ok: true, required: false, detail: podman))
        } else {
            checks.append(Check(name: "podman", ok: false, required: false, detail: "not found (only `slipway image load` needs it)",
                                fix: "apt-get install podman"))
        }
        if json {
            Terminal.write(try PrettyJSON.text(checks) + "\n")
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
