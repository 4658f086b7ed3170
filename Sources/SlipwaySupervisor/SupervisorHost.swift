import SlipwayProcess

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a ``Supervisor`` in this process until it is told to stop: the foreground `slipway up`,
/// or the background one `slipway up -d` starts (`up --supervise`).
///
/// It starts the guardian, serves the control socket, routes SIGINT, SIGTERM and SIGHUP (the
/// first stops services in order, a second SIGINT kills them all), and ends on `down`, on the
/// control socket being removed, or (in the foreground) once every service has ended.
public struct SupervisorHost: Sendable {
    public var configuration: Supervisor.Configuration
    /// The control socket, `.slipway/run/<profile>.sock`.
    public var socketPath: String
    /// Where `<service>.log` files go.
    public var logDirectory: String
    /// Services' output multiplexed on standard output, and messages for a person at a terminal.
    public var foreground: Bool
    /// Messages about the run as a whole (to standard error).
    public var say: @Sendable (String) -> Void

    public init(
        configuration: Supervisor.Configuration, socketPath: String, logDirectory: String, foreground: Bool,
        say: @escaping @Sendable (String) -> Void
    ) {
        self.configuration = configuration
        self.socketPath = socketPath
        self.logDirectory = logDirectory
        self.foreground = foreground
        self.say = say
    }

    /// Hosts the supervisor until shutdown, then stops every service.
    /// - Returns: the services' last state (a foreground `up` exits 1 when one failed).
    /// - Throws: ``ProcessError/spawnFailed(_:_:)`` (guardian), ``SupervisorError`` (bad
    ///   configuration, a supervisor already running, a socket that cannot be bound).
    public func run() async throws -> SupervisorStatus {
        let guardian = try GuardianLink(executable: Spawn.currentExecutable())
        let names = configuration.services.map(\.name)
        let sink = LogSink(directory: logDirectory, console: foreground ? STDOUT_FILENO : -1, names: names)
        let supervisor = try Supervisor(configuration, sink: sink, guardian: guardian)
        let shutdown = ShutdownLatch()
        let server = try ControlServer(path: socketPath, profile: configuration.profile) { request in
            await ControlHandler.handle(request, supervisor: supervisor, shutdown: shutdown)
        }
        server.start()
        let signals = routeSignals(to: supervisor, shutdown: shutdown)
        await supervisor.startAll()
        let ended = InterruptFlag()
        let watcher = watch(supervisor, shutdown: shutdown, ended: ended)
        await shutdown.wait()
        watcher.cancel()
        if foreground {
            say(
                ended.isSet
                    ? "slipway: every service has ended\n"
                    : "\nslipway: stopping services (Ctrl-C again to kill them)\n")
        }
        let say = self.say
        await supervisor.shutdown { still in say("slipway: still stopping: \(still.joined(separator: ", "))\n") }
        let status = await supervisor.status()
        guardian.finish()
        server.remove()
        sink.close()
        signals.restore()
        if foreground { say("slipway: all services stopped\n") }
        return status
    }

    /// The first signal asks for an ordered shutdown; a second SIGINT kills every group.
    private func routeSignals(to supervisor: Supervisor, shutdown: ShutdownLatch) -> InterruptHandler {
        let say = self.say
        return InterruptHandler(signals: [SIGINT, SIGTERM, SIGHUP]) { delivery in
            if delivery.count == 1 {
                Task { await shutdown.request() }
            } else if delivery.signal == SIGINT {
                say("slipway: second Ctrl-C: killing every service group\n")
                Task { await supervisor.killAll() }
            }
        }
    }

    /// Every 200 ms: in the foreground, `up` ends when nothing is left running (a background
    /// supervisor waits for `down`: services can be started again); `.slipway/` removed (git
    /// clean, rm -rf) stops everything rather than run on unreachable.
    private func watch(_ supervisor: Supervisor, shutdown: ShutdownLatch, ended: InterruptFlag) -> Task<Void, any Error>
    {
        let foreground = self.foreground
        let socketPath = self.socketPath
        let say = self.say
        return Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(200))
                if foreground, await supervisor.allEnded() {
                    ended.set()
                    await shutdown.request()
                }
                if access(socketPath, F_OK) != 0 {
                    say("slipway: control socket \(socketPath) was removed: stopping services\n")
                    await shutdown.request()
                }
            }
        }
    }
}
