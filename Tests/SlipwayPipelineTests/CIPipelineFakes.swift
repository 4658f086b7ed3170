import Foundation
import SlipwayCore
import SlipwayDeploy
import SlipwayManifest
import SlipwayOCI
import Synchronization
@testable import SlipwayPipeline

/// Fakes for ``PipelineContext``: every side effect recorded, nothing run.
final class FakeOutput: PipelineOutput {
    let lines = Mutex<[String]>([])
    var text: String { lines.withLock { $0.joined() } }

    func write(_ text: String) { lines.withLock { $0.append(text) } }
    func writeError(_ text: String) { lines.withLock { $0.append(text) } }
    func status(_ text: String) { lines.withLock { $0.append("slipway: \(text)\n") } }
    func report(_ error: any Error) { lines.withLock { $0.append("error: \(error)\n") } }
}

struct FakeFailure: SlipwayError {
    var message: String
    var exitCode: Int32 { 3 }
}

struct FakeEnvironment: CIEnvironmentPreparing {
    var tasks: [TaskSpec] = []
    var failure: FakeFailure?

    func prepare(profile: String) async throws -> [TaskSpec] {
        if let failure { throw failure }
        return tasks
    }
}

struct FakeTaskRunner: CITaskRunning {
    var outcomes: [String: TaskOutcome.Status] = [:]
    var interrupted = false

    func run(_ plan: TaskPlan, parallelism: Int) async throws -> (outcomes: [TaskOutcome], interrupted: Bool) {
        let outcomes = plan.tasks.reversed().map { task in
            let status = self.outcomes[task.name] ?? .succeeded
            return TaskOutcome(name: task.name, status: status, exitCode: status == .failed ? 4 : 0, seconds: 0.1)
        }
        return (outcomes, interrupted)
    }
}

struct FakeArtifactBuilder: CIArtifactBuilding {
    func build(_ artifact: ArtifactSpec) async throws -> [String] { ["/nix/store/aaaa-\(artifact.name)"] }
}

struct FakeImageBuilder: CIImageBuilding {
    func build(_ image: ImageSpec) async throws -> BuildRecord {
        let digest = "sha256:" + String(repeating: image.name.hasPrefix("a") ? "a" : "b", count: 64)
        let json = """
            {"formatVersion":1,"name":"\(image.name)","profile":"prod","compression":"gzip","mtime":1,"layers":[],
             "config":"{}","configDigest":"\(digest)","manifest":"{}","manifestDigest":"\(digest)","tags":[]}
            """
        return try JSONDecoder().decode(BuildRecord.self, from: Data(json.utf8))
    }
}

final class FakePusher: CIRegistryPushing {
    let pushed = Mutex<[String]>([])
    let refuse: Bool

    init(refuse: Bool = false) {
        self.refuse = refuse
    }

    func checkDestination(registry: String, tags: [String]) throws {
        if refuse { throw FakeFailure(message: "bad destination") }
    }

    func push(_ record: BuildRecord, registry: String, repository: String, tags: [String]) async throws -> [CIPushResult] {
        pushed.withLock { $0.append("\(registry)/\(repository):\(tags.joined(separator: ","))") }
        return [CIPushResult(repository: "\(registry)/\(repository)", manifestDigest: record.manifestDigest.description,
                             uploaded: 2, blobs: 3, bytesSent: 2048)]
    }
}

/// Records each deploy and answers with `states` per host (default `deployed`), or throws `failure`.
final class FakeDeployer: CIDeploying {
    let deployed = Mutex<[(target: String, images: [String: BuiltReleaseSource.Image])]>([])
    let states: [String: DeployOutcome.State]
    let failure: FakeFailure?

    init(states: [String: DeployOutcome.State] = [:], failure: FakeFailure? = nil) {
        self.states = states
        self.failure = failure
    }

    func deploy(_ target: DeploySpec, images: [String: BuiltReleaseSource.Image]) async throws -> DeployOutcome {
        deployed.withLock { $0.append((target.name, images)) }
        if let failure { throw failure }
        return DeployOutcome(target: target.name, release: "sha256:" + String(repeating: "c", count: 64), hosts: target.hosts.map {
            .init(host: $0.description, state: states[$0.description] ?? .deployed, release: "r", seconds: 1, message: nil)
        })
    }
}

/// A clock that moves one second each time it is read.
final class SteppingClock: Sendable {
    let ticks = Mutex(0)
    var clock: PipelineClock {
        PipelineClock { .seconds(self.ticks.withLock { $0 += 1; return $0 }) }
    }
}

enum PipelineFixture {
    static let location = SlipwayCore.SourceLocation(file: "slipway.toml", line: 1, column: 1)

    static func task(_ name: String, deps: [String] = []) -> TaskSpec {
        var spec = TaskSpec(name: name, run: "true", location: location)
        spec.deps = deps
        return spec
    }

    static func request(
        ciDirectory: String, images: [String] = ["app"], artifacts: [String] = ["site"],
        push: CIPushDecision = CIPushDecision(wanted: true, action: .push(registry: "localhost:5000/g", tags: ["latest", "v1"])),
        deploy: CIDeployDecision = CIDeployDecision(action: .skip(reason: "no [ci] deploy targets"))
    ) -> CIRequest {
        CIRequest(
            project: "demo", profile: "ci", ciDirectory: ciDirectory, branch: "main", tasks: nil, jobs: 2,
            artifacts: artifacts.map { ArtifactSpec(name: $0, source: .expression("x"), location: location) },
            images: images.map { ImageSpec(name: $0, location: location) }, push: push, deploy: deploy)
    }

    static func context(
        output: FakeOutput = FakeOutput(), environment: FakeEnvironment = FakeEnvironment(tasks: [task("test")]),
        tasks: FakeTaskRunner = FakeTaskRunner(), pusher: FakePusher = FakePusher(),
        deployer: FakeDeployer = FakeDeployer(), interrupted: @escaping @Sendable () -> Bool = { false }
    ) -> PipelineContext {
        PipelineContext(
            output: output, variables: [:], clock: SteppingClock().clock, isInterrupted: interrupted,
            environment: environment, taskRunner: tasks, artifactBuilder: FakeArtifactBuilder(),
            imageBuilder: FakeImageBuilder(), registryPusher: pusher, deployer: deployer)
    }

    /// An image-mode `[deploy.NAME]` target on `hosts`.
    static func target(_ name: String, hosts: [String] = ["root@h1", "root@h2:2222"], images: [String] = ["app"]) -> DeploySpec {
        var spec = DeploySpec(name: name, location: location)
        spec.hosts = hosts.compactMap { try? DeployHost.parse($0).get() }
        spec.images = images
        return spec
    }

    static func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "slipway-ci-" + UUID().uuidString.prefix(8)
    }
}
