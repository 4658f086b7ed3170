import SlipwayManifest

/// `slipway releases` and `deploy --status`: what each host keeps and runs, read over ssh.
public struct ReleaseQuery: Sendable {
    public let spec: DeploySpec
    public let context: DeployContext
    public var hosts: [DeployHost] = []

    public init(spec: DeploySpec, context: DeployContext) {
        self.spec = spec
        self.context = context
    }

    /// One entry per host; an unreachable host has ``HostReleases/error`` set instead of failing the rest.
    public func run() async -> [HostReleases] {
        var result: [HostReleases] = []
        for host in hosts.isEmpty ? spec.hosts : hosts {
            let connection = SSHConnection(
                host: host, settings: spec.ssh, sudo: spec.sudo,
                controlDirectory: context.controlDirectory, runner: context.runner)
            result.append(await Self.read(connection, paths: HostPaths(target: spec.name), systemUnits: spec.nixos))
            await connection.close()
        }
        return result
    }

    static func read(_ connection: SSHConnection, paths: HostPaths, systemUnits: Bool) async -> HostReleases {
        do {
            try await connection.open()
            let script = HostReleases.script(paths, systemUnits: systemUnits)
            let output = try await connection.run(script, step: "list releases", timeout: 30).stdout
            return HostReleases(host: connection.host.description, parsing: output)
        } catch {
            return HostReleases(host: connection.host.description, error: "\(error)")
        }
    }
}

/// `slipway rollback`: re-activates a kept release (by default the newest good one that is
/// not current) on each host, with the same health gate and fallback as a deploy.
public struct RollbackRun: Sendable {
    public let spec: DeploySpec
    public let context: DeployContext
    public var hosts: [DeployHost] = []
    /// A release id, folder, or a prefix of either; `nil`: the previous good release.
    public var to: String?

    public init(spec: DeploySpec, context: DeployContext) {
        self.spec = spec
        self.context = context
    }

    public func run() async -> DeployOutcome {
        var outcome = DeployOutcome(target: spec.name, release: to ?? "previous")
        let targets = hosts.isEmpty ? spec.hosts : hosts
        for (index, host) in targets.enumerated() {
            let connection = SSHConnection(
                host: host, settings: spec.ssh, sudo: spec.sudo,
                controlDirectory: context.controlDirectory, runner: context.runner)
            let result = await one(connection)
            await connection.close()
            outcome.hosts.append(result)
            if outcome.release == "previous", let release = result.release { outcome.release = release }
            if ![.deployed, .unchanged].contains(result.state) {
                outcome.hosts += targets.dropFirst(index + 1).map {
                    .init(host: $0.description, state: .skipped, release: nil, seconds: nil, message: "not attempted")
                }
                break
            }
        }
        return outcome
    }

    private func one(_ connection: SSHConnection) async -> DeployOutcome.Host {
        let host = connection.host.description
        let paths = HostPaths(target: spec.name)
        let started = context.now()
        let releases = await ReleaseQuery.read(connection, paths: paths, systemUnits: spec.nixos)
        if let error = releases.error {
            return .init(host: host, state: .failed, release: nil, seconds: nil, message: error)
        }
        guard let entry = releases.rollbackTarget(to: to) else {
            let reason = to.map { "no kept release matches '\($0)'" } ?? "no earlier good release to go back to"
            return .init(
                host: host, state: .failed, release: nil, seconds: nil,
                message: DeployError.noRelease(host: host, reason: reason).description)
        }
        if entry.directory == releases.currentDirectory {
            return .init(host: host, state: .unchanged, release: entry.id, seconds: 0, message: "already current")
        }
        context.progress("\(host): rolling back to \(entry.id) (\(entry.directory))")
        do {
            let result = try await Activation(connection: connection, paths: paths, context: context)
                .run(directory: entry.directory, mode: "rollback", timeout: spec.confirmDelay + 60)
            return try Activation.outcome(
                result, host: host, release: entry.id,
                seconds: context.now().timeIntervalSince(started))
        } catch {
            return .init(host: host, state: .failed, release: entry.id, seconds: nil, message: "\(error)")
        }
    }
}
