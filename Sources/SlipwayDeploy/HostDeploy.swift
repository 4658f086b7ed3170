import Foundation
import SlipwayManifest

/// The deploy of one release to one host: check, transfer, upload, activate (field notes §3.3).
struct HostDeploy: Sendable {
    let spec: DeploySpec
    let release: Release
    let env: [(String, String)]
    let connection: SSHConnection
    let context: DeployContext
    var paths: HostPaths { HostPaths(target: spec.name) }
    var host: String { connection.host.description }

    func run(dryRun: Bool) async throws -> DeployOutcome.Host {
        let started = context.now()
        say("connecting")
        try await connection.open()
        let facts = HostFacts(
            parsing: try await connection.run(HostFacts.script(spec), step: "connect", timeout: 30).stdout)
        if let (problem, hint) = facts.problem(spec, needBytes: neededBytes) {
            throw DeployError.step(
                host: host, step: "check host", command: "ssh \(connection.host.destination)",
                lines: [problem], hint: hint)
        }
        let runtimePath = facts.runtime ?? "/usr/bin/\(spec.runtime.rawValue)"
        let bundle = try ReleaseBundle(
            spec: spec, release: release, env: env, runtimePath: runtimePath, time: started, salt: facts.salt ?? "")
        if facts.current == bundle.directory, facts.currentOutcome == "good" {
            say("already runs \(release.id); nothing to do")
            return .init(
                host: host, state: .unchanged, release: release.id, seconds: elapsed(started), message: "no-op")
        }
        if dryRun {
            say("would transfer, switch to \(release.id) (\(bundle.directory)) and check health")
            return .init(host: host, state: .planned, release: release.id, seconds: nil, message: nil)
        }
        try await transfer()
        say("uploading release \(bundle.directory)")
        try await connection.run(
            "sh -s", step: "upload release",
            input: .bytes(Array(bundle.uploadScript(paths: paths, verify: facts.analyze != nil).utf8)),
            timeout: 60)
        return try await activate(bundle, mode: "activate", started: started)
    }

    /// Runs the release's activation as the transient unit and maps its exit status.
    func activate(_ bundle: ReleaseBundle, mode: String, started: Date) async throws -> DeployOutcome.Host {
        let result = try await Activation(connection: connection, paths: paths, context: context)
            .run(directory: bundle.directory, mode: mode, timeout: spec.confirmDelay + 60)
        return try Activation.outcome(result, host: host, release: release.id, seconds: elapsed(started))
    }

    var neededBytes: Int64 {
        if case .images(let images) = release.content { return images.reduce(0) { $0 + $1.size } }
        return 0
    }

    private func transfer() async throws {
        switch release.content {
        case .images(let images):
            for image in images {
                try await ImageTransfer(connection: connection, runtime: spec.runtime.rawValue).send(image, say: say)
            }
        case .closure(let closure):
            try await ClosureTransfer(connection: connection, runner: context.runner).send(closure, say: say)
        }
    }

    func say(_ text: String) { context.progress("\(host): \(text)") }
    func elapsed(_ since: Date) -> Double { context.now().timeIntervalSince(since) }
}
