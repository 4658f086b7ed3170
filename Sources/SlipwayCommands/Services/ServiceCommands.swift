import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayManifest
import SlipwayProcess
import SlipwaySupervisor

/// `slipway down`
struct Down: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop the background supervisor's services in reverse dependency order; return when all have exited.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let (_, client) = try ServiceContext.socketOnly(global)
        guard client.isAlive else {
            Terminal.writeError("slipway: no supervisor is running for profile '\(global.profile)'\n")
            let others = OtherSupervisors.running(layout: try global.layout(), except: global.profile)
            if !others.isEmpty {
                Terminal.writeError("slipway: running for other profiles: \(others.joined(separator: ", ")) (use --profile)\n")
            }
            return
        }
        let answer: ControlProtocol.Response
        do {
            answer = try client.send(.init(command: "down"))
        } catch {
            // It went away between the check and the request: nothing left to stop.
            if !client.isAlive { Terminal.write("stopped\n"); return }
            throw error
        }
        guard answer.ok, let pid = answer.status?.supervisorPid else {
            throw SupervisorError.control(answer.error ?? "down failed")
        }
        Terminal.status("stopping \(answer.status?.services.map(\.name).joined(separator: ", ") ?? "services")")
        // The supervisor exits once every service group is gone.
        while processIsRunning(pid) || client.isAlive {
            try await Task.sleep(for: .milliseconds(10))
        }
        Terminal.write("stopped\n")
    }
}

/// `slipway ps [--json]`
struct Ps: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the services of the running supervisor.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let (_, client) = try ServiceContext.socketOnly(global)
        guard client.isAlive else { throw SupervisorError.notRunning(profile: global.profile) }
        let answer = try client.send(.init(command: "ps"))
        guard let status = answer.status else { throw SupervisorError.control(answer.error ?? "no status") }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            Terminal.write(String(decoding: try encoder.encode(status), as: UTF8.self) + "\n")
        } else {
            Terminal.write(StatusTable.render(status))
        }
    }
}

/// `slipway logs [SERVICE] [-f] [-n N]`
struct Logs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print (and follow) service logs.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: .shortAndLong, help: "Keep printing new lines.")
    var follow = false

    @Option(name: .short, help: "Lines of history to print per service.")
    var n: Int = 50

    @Argument(help: "One service (default: all).")
    var service: String?

    func run() async throws {
        let layout = try global.layout()
        let directory = layout.stateDir(profile: global.profile) + "/logs"
        var names: [String] = []
        if let manifest = try? ManifestLoader.load(path: layout.manifest),
           let resolved = try? manifest.resolve(profile: global.profile),
           let services = try? manifest.services(of: resolved) {
            names = services.map(\.name)
        }
        if names.isEmpty {
            names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
                .filter { $0.hasSuffix(".log") && $0 != "supervisor.log" }.map { String($0.dropLast(4)) }.sorted()
        }
        if let service, !names.contains(service), !FileManager.default.fileExists(atPath: directory + "/\(service).log") {
            throw SupervisorError.unknownService(service, known: names)
        }
        try await LogFollower(directory: directory, services: names).run(lines: n, follow: follow, only: service)
    }
}

/// `slipway start|stop|restart SERVICE`: one request to the running supervisor.
enum ServiceAction {
    static func perform(_ action: String, service: String, global: GlobalOptions) throws {
        let (_, client) = try ServiceContext.socketOnly(global)
        guard client.isAlive else { throw SupervisorError.notRunning(profile: global.profile) }
        let answer = try client.send(.init(command: action, service: service))
        guard answer.ok else { throw SupervisorError.control(answer.error ?? "\(action) failed") }
        // Report the state once it settles (not the one at the moment of the request).
        var row = answer.status?.services.first { $0.name == service }
        let deadline = Date().addingTimeInterval(action == "stop" ? 0 : 120)
        while let current = row, [.pending, .starting, .restarting].contains(current.state) || (action != "stop" && current.state == .stopped),
              Date() < deadline {
            usleep(20_000)
            row = (try? client.send(.init(command: "ps")))?.status?.services.first { $0.name == service }
        }
        guard let row else { return }
        Terminal.write("\(service): \(row.state.rawValue)\(row.reason.map { " (\($0))" } ?? "")\n")
        if row.state == .failed { throw ExitCodeError(code: 1) }
    }
}

struct Start: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start one service of the running supervisor.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The service.") var service: String
    func run() async throws { try ServiceAction.perform("start", service: service, global: global) }
}

struct Stop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop one service (its stop signal, then SIGKILL after stop_timeout).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The service.") var service: String
    func run() async throws { try ServiceAction.perform("stop", service: service, global: global) }
}

struct Restart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop and start one service.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The service.") var service: String
    func run() async throws { try ServiceAction.perform("restart", service: service, global: global) }
}

/// Supervisors of the same project for other profiles (their control sockets answer).
enum OtherSupervisors {
    static func running(layout: ProjectLayout, except profile: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: layout.runDir)) ?? []
        return names.filter { $0.hasSuffix(".sock") }.map { String($0.dropLast(5)) }.filter { $0 != profile }
            .filter { ControlClient(path: layout.controlSocket(profile: $0)).isAlive }.sorted()
    }
}
