import Foundation
import SlipwayCore
import SlipwayManifest
import SlipwayPipeline
import SlipwaySupervisor

/// The services of one `slipway run` / `slipway ci`: started through the profile's supervisor
/// (a background one is started if none runs) and stopped once no remaining task needs them.
/// Services that were already up are left as they were.
actor TaskServiceSession: TaskServices {
    let context: ServiceContext
    /// Whether this run started the background supervisor (then `down` stops it).
    private var ownSupervisor = false
    /// Services this run started in a supervisor that was already running.
    private var startedHere: [String] = []
    private var held: Set<String> = []

    init(context: ServiceContext) { self.context = context }

    func acquire(_ services: [String]) async throws {
        held.formUnion(services)
        let client = context.client
        if !client.isAlive {
            Terminal.status("starting services for tasks: \(services.joined(separator: ", "))")
            ownSupervisor = true
            try await DetachedStart(context: context, requested: services, quiet: true).run()
            return
        }
        // A supervisor runs (the user's `up -d`, or ours): start what is not up, dependencies first.
        for spec in ServiceOrder.startOrder(context.services, requested: services) {
            let row = try client.send(.init(command: "ps")).status?.services.first { $0.name == spec.name }
            if let row, [.ready, .starting, .running].contains(row.state) || (row.state == .exited && spec.restart == .no) {
                if row.state == .starting || (row.state == .running && spec.ready != nil) { try await waitReady(spec) }
                continue
            }
            let answer = try client.send(.init(command: "start", service: spec.name))
            guard answer.ok else { throw SupervisorError.control(answer.error ?? "start \(spec.name) failed") }
            if !ownSupervisor { startedHere.append(spec.name) }
            try await waitReady(spec)
        }
    }

    func release(_ services: [String]) async {
        held.subtract(services)
        if held.isEmpty { await stopAll() }
    }

    /// Stops what this run started (at the end, or on Ctrl-C).
    func stopAll() async {
        held.removeAll()
        let client = context.client
        if ownSupervisor {
            ownSupervisor = false
            guard client.isAlive, let answer = try? client.send(.init(command: "down")), let pid = answer.status?.supervisorPid else { return }
            Terminal.status("stopping the services started for tasks")
            while processIsRunning(pid) || client.isAlive { try? await Task.sleep(for: .milliseconds(10)) }
        } else {
            for name in startedHere.reversed() { _ = try? client.send(.init(command: "stop", service: name)) }
            startedHere.removeAll()
        }
    }

    private func waitReady(_ spec: ServiceSpec) async throws {
        let client = context.client
        let deadline = Date().addingTimeInterval((spec.ready?.startTimeout ?? 60) + 5)
        while Date() < deadline {
            guard let row = try client.send(.init(command: "ps")).status?.services.first(where: { $0.name == spec.name }) else { break }
            switch row.state {
            case .ready: return
            case .running where spec.ready == nil: return
            case .exited where spec.restart == .no: return
            case .failed, .exited, .stopped:
                throw SupervisorError.startFailed([(spec.name, row.reason ?? row.state.rawValue,
                                                    LogFollower.lastLines(of: context.logDirectory + "/\(spec.name).log", count: 10))])
            default: try await Task.sleep(for: .milliseconds(10))
            }
        }
        throw SupervisorError.startFailed([(spec.name, "not ready in time", [])])
    }
}
