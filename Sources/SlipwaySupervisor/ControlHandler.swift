import SlipwayCore

/// Answers control-socket requests for a hosted ``Supervisor``.
enum ControlHandler {
    static func handle(
        _ request: ControlProtocol.Request, supervisor: Supervisor, shutdown: ShutdownLatch
    ) async -> ControlProtocol.Response {
        do {
            switch request.command {
            case .ps:
                return .init(ok: true, status: await supervisor.status())
            case .down:
                let status = await supervisor.status()
                await shutdown.request()
                return .init(ok: true, status: status)
            case .start, .stop, .restart:
                guard let service = request.service else {
                    return .init(ok: false, error: "\(request.command.rawValue) needs a service name")
                }
                switch request.command {
                case .start: try await supervisor.start(service)
                case .stop: try await supervisor.stop(service)
                default: try await supervisor.restart(service)
                }
                return .init(ok: true, status: await supervisor.status())
            }
        } catch let error as SlipwayError {
            return .init(ok: false, error: error.message + (error.hint.map { "\nhint: \($0)" } ?? ""))
        } catch {
            return .init(ok: false, error: "\(error)")
        }
    }
}
