import Foundation
import SlipwayCore
import SlipwayProcess
import SlipwaySupervisor
import Synchronization

/// Runs the supervisor in this process: foreground `up`, or the background one `up -d` starts.
struct SupervisorHost {
    let context: ServiceContext
    let requested: [String]
    let ports: [String: Int]
    let foreground: Bool

    func run() async throws {
        let configuration = context.configuration(requested: requested, ports: ports)
        let guardian = try GuardianLink(executable: Spawn.currentExecutable())
        let names = context.services.map(\.name)
        let sink = LogSink(directory: context.logDirectory, console: foreground ? STDOUT_FILENO : -1, names: names)
        let supervisor = try Supervisor(configuration, sink: sink, guardian: guardian)
        let lifecycle = Lifecycle()
        let server = try ControlServer(path: context.socketPath, profile: context.profile) { request in
            await ControlHandler.handle(request, supervisor: supervisor, lifecycle: lifecycle)
        }
        server.start()
        let signals = InterruptHandler(signals: [SIGINT, SIGTERM, SIGHUP]) { delivery in
            if delivery.count == 1 {
                Task { await lifecycle.requestShutdown() }
            } else if delivery.signal == SIGINT {
                Terminal.writeError("slipway: second Ctrl-C: killing every service group\n")
                Task { await supervisor.killAll() }
            }
        }
        await supervisor.startAll()
        let socketPath = context.socketPath
        let ended = InterruptFlag()
        let watcher = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(200))
                // In the foreground, `up` ends when nothing is left running; a background
                // supervisor waits for `down` (services can be started again).
                if foreground, await supervisor.allEnded() {
                    ended.set()
                    await lifecycle.requestShutdown()
                }
                // `.slipway/` removed (git clean, rm -rf): stop rather than run on unreachable.
                if access(socketPath, F_OK) != 0 {
                    Terminal.writeError("slipway: control socket \(socketPath) was removed: stopping services\n")
                    await lifecycle.requestShutdown()
                }
            }
        }
        await lifecycle.waitForShutdownRequest()
        watcher.cancel()
        if foreground {
            Terminal.writeError(ended.isSet ? "slipway: every service has ended\n" : "\nslipway: stopping services (Ctrl-C again to kill them)\n")
        }
        await supervisor.shutdown { still in
            Terminal.writeError("slipway: still stopping: \(still.joined(separator: ", "))\n")
        }
        let status = await supervisor.status()
        guardian.finish()
        server.remove()
        sink.close()
        signals.restore()
        if foreground {
            Terminal.writeError("slipway: all services stopped\n")
        }
        if status.services.contains(where: { $0.state == .failed }) && foreground {
            throw ExitCodeError(code: 1)
        }
    }
}

/// Exits with a status and no message.
struct ExitCodeError: SlipwayError {
    var code: Int32
    var message: String { "" }
    var exitCode: Int32 { code }
}

/// Shutdown requests from signals, `slipway down`, or every service having ended.
actor Lifecycle {
    private var requested = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func requestShutdown() {
        guard !requested else { return }
        requested = true
        for waiter in waiters { waiter.resume() }
        waiters.removeAll()
    }

    func waitForShutdownRequest() async {
        if requested { return }
        await withCheckedContinuation { waiters.append($0) }
    }
}

/// Answers control-socket requests.
enum ControlHandler {
    static func handle(_ request: ControlProtocol.Request, supervisor: Supervisor, lifecycle: Lifecycle) async -> ControlProtocol.Response {
        do {
            switch request.command {
            case "ps":
                return .init(ok: true, status: await supervisor.status())
            case "down":
                let status = await supervisor.status()
                await lifecycle.requestShutdown()
                return .init(ok: true, status: status)
            case "start", "stop", "restart":
                guard let service = request.service else { return .init(ok: false, error: "\(request.command) needs a service name") }
                switch request.command {
                case "start": try await supervisor.start(service)
                case "stop": try await supervisor.stop(service)
                default: try await supervisor.restart(service)
                }
                return .init(ok: true, status: await supervisor.status())
            default:
                return .init(ok: false, error: "unknown request '\(request.command)'")
            }
        } catch let error as SlipwayError {
            return .init(ok: false, error: error.message + (error.hint.map { "\nhint: \($0)" } ?? ""))
        } catch {
            return .init(ok: false, error: "\(error)")
        }
    }
}
