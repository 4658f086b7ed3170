import Foundation
import SlipwayCore
import SlipwayProcess

/// What task runs started, as `.slipway/run/<profile>.task-services` records it.
///
/// Lines: `supervisor PID` (a background supervisor a task run started, all of it theirs; PID 0
/// while it is being spawned), or
/// `in PID` (the user's supervisor) followed by the names of the services task runs started in
/// it, one a line. A marker of names without `in` (older Slipway) is taken at its word.
struct TaskServiceMarker: Sendable, Equatable {
    /// The background supervisor a task run started.
    var supervisor: Int32?
    /// The supervisor `services` were started in.
    var host: Int32?
    var services: [String] = []

    init(supervisor: Int32? = nil, host: Int32? = nil, services: [String] = []) {
        self.supervisor = supervisor
        self.host = host
        self.services = services
    }

    init(lines: [String]) {
        for line in lines where !line.isEmpty {
            if line.hasPrefix("supervisor") {
                supervisor = Int32(line.dropFirst("supervisor".count).trimmingCharacters(in: .whitespaces)) ?? 0
            } else if line.hasPrefix("in ") {
                host = Int32(line.dropFirst(3))
            } else {
                services.append(line)
            }
        }
    }

    var lines: [String] {
        if let supervisor { return ["supervisor \(supervisor)"] }
        return (host.map { ["in \($0)"] } ?? []) + services
    }
}

/// The lease files (`.slipway/run/<profile>.tasks/<pid>`, one per task run using services)
/// and the marker of what task runs started. Callers hold the lease lock.
struct TaskServiceLeases: Sendable {
    let layout: ProjectLayout
    let profile: String

    var leaseDir: String { layout.taskLeaseDir(profile: profile) }
    var markerPath: String { layout.taskServicesMarker(profile: profile) }
    var client: ControlClient { ControlClient(path: layout.controlSocket(profile: profile)) }

    /// Task runs other than `excluded` that are still alive (stale lease files are removed).
    func live(excluding excluded: Int32) -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: leaseDir)) ?? []
        let pids = names.compactMap { Int32($0) }.filter { $0 != excluded }
        for pid in pids where !processIsRunning(pid) { removeLease(pid) }
        return pids.filter(processIsRunning)
    }

    func removeLease(_ pid: Int32) {
        try? FileManager.default.removeItem(atPath: leaseDir + "/\(pid)")
    }

    func readMarker() -> TaskServiceMarker? {
        guard let text = try? String(contentsOfFile: markerPath, encoding: .utf8) else { return nil }
        return TaskServiceMarker(lines: text.split(separator: "\n").map(String.init))
    }

    func writeMarker(_ marker: TaskServiceMarker) throws {
        try (marker.lines.joined(separator: "\n") + "\n").write(toFile: markerPath, atomically: true, encoding: .utf8)
    }

    func removeMarker() {
        try? FileManager.default.removeItem(atPath: markerPath)
    }

    /// Stops what `marker` names: the whole background supervisor (`down`, or SIGTERM while it
    /// does not answer yet: both stop its services in order with their stop signals), or the
    /// named services of the user's supervisor if it is still the one they were started in.
    /// Waits until that supervisor is gone, at most `patience`.
    func stop(_ marker: TaskServiceMarker, patience: Duration = .seconds(150), say: @Sendable (String) -> Void) async {
        let client = self.client
        let status = try? client.send(.init(command: .ps)).status
        guard let recorded = marker.supervisor else {
            guard let status, marker.host == nil || marker.host == status.supervisorPid else { return }
            for name in marker.services.reversed() { _ = try? client.send(.init(command: .stop, service: name)) }
            return
        }
        // 0: the run died while spawning it; it is the one answering, or the one starting.
        guard let pid = recorded > 0 ? recorded : (status?.supervisorPid ?? findSupervisor()) else { return }
        if status?.supervisorPid == pid {
            guard (try? client.send(.init(command: .down))) != nil else { return }
        } else if pid > 0, processIsRunning(pid), Self.isSupervisor(pid) {
            kill(pid, SIGTERM)
        } else {
            return
        }
        say("stopping the services started for tasks")
        let clock = ContinuousClock()
        let deadline = clock.now + patience
        while (processIsRunning(pid) || client.isAlive) && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// A process running `slipway up --supervise` for this manifest and profile.
    func findSupervisor() -> Int32? {
        let wanted = ["--supervise", "--profile", profile, "--manifest", layout.manifest]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(name), processIsRunning(pid),
                let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
            else { continue }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if wanted.allSatisfy(arguments.contains) { return pid }
        }
        return nil
    }

    /// Whether `pid` runs `slipway up --supervise` (a pid recorded long ago may be reused).
    static func isSupervisor(_ pid: Int32) -> Bool {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        return data.split(separator: 0).contains { $0.elementsEqual("--supervise".utf8) }
    }
}
