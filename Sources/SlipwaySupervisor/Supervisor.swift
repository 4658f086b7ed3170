import Foundation
import SlipwayCore
import SlipwayManifest
import SlipwayProcess

/// Runs a profile's services: dependency order, readiness, restarts, ordered shutdown.
///
/// Each service runs in its own session (process group); a ``GuardianLink`` stops every group
/// if this process dies. Shutdown stops dependents before what they depend on, each with its
/// stop signal and timeout.
public actor Supervisor {
    /// Everything the supervisor needs, resolved by the caller.
    public struct Configuration: Sendable {
        public var profile: String
        /// Enabled services of the profile.
        public var services: [ServiceSpec]
        /// Services to start (with their dependencies); empty: all.
        public var requested: [String]
        /// The full environment of each service (profile env, ports, `STATE_DIR`, `PORT`, its `env`).
        public var environment: @Sendable (ServiceSpec) -> [String: String]
        /// Port of each service that has one.
        public var ports: [String: Int]
        /// Absolute project root (service `cwd` is relative to it).
        public var root: String
        /// `.slipway/state/<profile>`: each service's `STATE_DIR` is `<stateDir>/<name>`.
        public var stateDir: String

        public init(
            profile: String, services: [ServiceSpec], requested: [String],
            environment: @escaping @Sendable (ServiceSpec) -> [String: String], ports: [String: Int], root: String,
            stateDir: String
        ) {
            self.profile = profile
            self.services = services
            self.requested = requested
            self.environment = environment
            self.ports = ports
            self.root = root
            self.stateDir = stateDir
        }
    }

    public let configuration: Configuration
    public let sink: LogSink
    private let guardian: GuardianLink?
    private var controllers: [String: ServiceController] = [:]
    /// Start order of the services this supervisor manages.
    public let order: [ServiceSpec]

    /// - Throws: ``SupervisorError/unknownService(_:known:)`` or ``SupervisorError/unknownUser(service:user:)``.
    public init(_ configuration: Configuration, sink: LogSink, guardian: GuardianLink?) throws {
        let known = configuration.services.map(\.name)
        for name in configuration.requested where !known.contains(name) {
            throw SupervisorError.unknownService(name, known: known)
        }
        self.configuration = configuration
        self.sink = sink
        self.guardian = guardian
        self.order = ServiceOrder.startOrder(configuration.services, requested: configuration.requested)
        try ServiceAccounts.check(order)
        for spec in order {
            let stateDir = configuration.stateDir + "/" + spec.name
            try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
            let credentials = try ServiceAccounts.credentials(of: spec)
            if let credentials, let user = spec.user {
                if let blocked = Self.unreachableAncestor(of: stateDir, uid: credentials.uid, gid: credentials.gid) {
                    throw SupervisorError.stateUnreachable(service: spec.name, user: user, folder: blocked)
                }
                Self.chownTree(stateDir, uid: credentials.uid, gid: credentials.gid)
            }
            var environment = configuration.environment(spec)
            if let guardian { environment["SLIPWAY_SUPERVISOR_TOKEN"] = guardian.token }
            if credentials != nil, let user = spec.user {
                environment["USER"] = user
                environment["LOGNAME"] = user
                environment["HOME"] = stateDir
            }
            let cwd = spec.cwd.map { $0.hasPrefix("/") ? $0 : configuration.root + "/" + $0 } ?? configuration.root
            let launch = ServiceController.Launch(
                environment: environment, cwd: cwd, port: configuration.ports[spec.name], credentials: credentials)
            controllers[spec.name] = ServiceController(spec: spec, launch: launch, sink: sink, guardian: guardian)
        }
    }

    /// Starts every managed service; each waits for its dependencies' conditions first.
    public func startAll() {
        for spec in order { launch(spec) }
    }

    private func launch(_ spec: ServiceSpec) {
        guard let controller = controllers[spec.name] else { return }
        let dependencies = spec.dependsOn.compactMap { dependency in
            controllers[dependency.name].map { (dependency, $0) }
        }
        Task {
            for (dependency, target) in dependencies {
                if !(await target.waitFor(dependency.condition)) {
                    await controller.fail(
                        "dependency '\(dependency.name)' did not become \(dependency.condition.rawValue)")
                    return
                }
            }
            await controller.start()
        }
    }

    /// Starts one service (and what it depends on, if not running).
    /// - Throws: ``SupervisorError/unknownService(_:known:)``.
    public func start(_ name: String) async throws {
        guard let spec = order.first(where: { $0.name == name }) else {
            throw SupervisorError.unknownService(name, known: order.map(\.name))
        }
        for dependency in ServiceOrder.startOrder(order, requested: [name]) where dependency.name != name {
            if let controller = controllers[dependency.name], [.stopped, .failed].contains(await controller.state) {
                await controller.markPending()
                launch(dependency)
            }
        }
        await controllers[name]?.markPending()
        launch(spec)
    }

    /// Stops one service and waits until its group is gone.
    public func stop(_ name: String) async throws {
        guard let controller = controllers[name] else {
            throw SupervisorError.unknownService(name, known: order.map(\.name))
        }
        await controller.stop()
    }

    /// Stops, then starts one service.
    public func restart(_ name: String) async throws {
        try await stop(name)
        try await start(name)
    }

    /// Stops everything: dependents before their dependencies, each level in parallel.
    /// `progress` is told which services are still stopping, about every 2 seconds.
    public func shutdown(progress: @escaping @Sendable ([String]) -> Void = { _ in }) async {
        let levels = stopLevels()
        for level in levels {
            let stopping = Shared(level.map(\.name))
            let reporter = Task {
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(2))
                    let left = stopping.value
                    if !left.isEmpty { progress(left) }
                }
            }
            await withTaskGroup(of: Void.self) { group in
                for spec in level {
                    guard let controller = controllers[spec.name] else { continue }
                    group.addTask {
                        await controller.stop()
                        stopping.withLock { $0.removeAll { $0 == spec.name } }
                    }
                }
            }
            reporter.cancel()
        }
    }

    /// SIGKILL to every service group at once.
    public func killAll() async {
        for controller in controllers.values { await controller.kill() }
    }

    /// Levels for shutdown: level 0 has no running dependents; level n depends only on lower ones.
    private func stopLevels() -> [[ServiceSpec]] {
        var level: [String: Int] = [:]
        func depth(_ spec: ServiceSpec) -> Int {
            if let known = level[spec.name] { return known }
            let dependents = order.filter { $0.dependsOn.contains { $0.name == spec.name } }
            let value = dependents.isEmpty ? 0 : 1 + (dependents.map(depth).max() ?? 0)
            level[spec.name] = value
            return value
        }
        let depths = order.map { ($0, depth($0)) }
        let maxDepth = depths.map(\.1).max() ?? -1
        guard maxDepth >= 0 else { return [] }
        return (0...maxDepth).map { d in depths.filter { $0.1 == d }.map(\.0) }
    }

    /// The current state of every managed service.
    public func status() async -> SupervisorStatus {
        var rows: [ServiceStatus] = []
        for spec in order { if let controller = controllers[spec.name] { rows.append(await controller.status) } }
        return SupervisorStatus(supervisorPid: getpid(), profile: configuration.profile, services: rows)
    }

    /// Waits until every managed service is ready, running (no probe), exited 0, or failed.
    /// - Returns: the failed ones with their reasons.
    public func waitUntilSettled() async -> [(service: String, reason: String)] {
        let names = order.map(\.name)
        let settled = try? await Settling.poll(every: .milliseconds(5)) { () -> [(service: String, reason: String)]? in
            let (pending, failed) = Settling.verdict(await status().services, services: names)
            return pending && failed.isEmpty ? nil : failed.map { (service: $0.0, reason: $0.1) }
        }
        return settled ?? []
    }

    /// Whether every managed service has ended by itself (exited or failed). A service stopped
    /// on request does not count: it may be started again.
    public func allEnded() async -> Bool {
        for controller in controllers.values {
            if ![.exited, .failed].contains(await controller.state) { return false }
        }
        return true
    }

    /// The first folder above `path` that `uid`/`gid` may not enter (no search permission).
    private static func unreachableAncestor(of path: String, uid: uid_t, gid: gid_t) -> String? {
        var current = path
        while current != "/" && !current.isEmpty {
            current = (current as NSString).deletingLastPathComponent
            var info = stat()
            guard stat(current, &info) == 0 else { continue }
            let mode = info.st_mode
            let searchable =
                info.st_uid == uid
                ? mode & S_IXUSR != 0 : (info.st_gid == gid ? mode & S_IXGRP != 0 : mode & S_IXOTH != 0)
            if !searchable { return current }
        }
        return nil
    }

    private static func chownTree(_ path: String, uid: uid_t, gid: gid_t) {
        lchown(path, uid, gid)
        guard let walker = FileManager.default.enumerator(atPath: path) else { return }
        for case let item as String in walker { lchown(path + "/" + item, uid, gid) }
    }
}
