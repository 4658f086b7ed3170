import Foundation
import SlipwayCore
import SlipwayDeploy
import SlipwayManifest
import Testing
@testable import SlipwayPipeline

/// `[ci] deploy`: when the deploy stage runs, what it hands the deployer, and how a host's
/// outcome ends up in the summary and the report (fakes only; the guestbook integration test
/// deploys for real).
@Suite("CI deploy stage")
struct DeployStageTests {
    let dir = PipelineFixture.temporaryDirectory()
    static let targets = [PipelineFixture.target("web"), PipelineFixture.target("db", hosts: ["root@h3"])]

    static func ci(deploy: [String] = ["web", "db"], when: CISpec.PushRule = .always) -> CISpec {
        var spec = CISpec(location: PipelineFixture.location)
        spec.deploy = deploy
        spec.deployWhen = when
        return spec
    }

    @Test(arguments: [
        ([String: String](), ci(deploy: []), true, false, "no [ci] deploy targets"),
        ([:], ci(), true, true, "--no-deploy"),
        (["GITLAB_CI": "true", "CI_COMMIT_BRANCH": "main", "CI_MERGE_REQUEST_IID": "7"], ci(), true, false,
         "a merge or pull request pipeline never deploys"),
        (["GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request"], ci(), true, false,
         "a merge or pull request pipeline never deploys"),
        (["GITLAB_CI": "true", "CI_COMMIT_BRANCH": "main"], ci(), false, false,
         "nothing pushed (the deploy follows the push: --push or [ci] push)"),
        (["GITLAB_CI": "true", "CI_COMMIT_BRANCH": "feature"], ci(when: .branch("main")), true, false,
         "[ci] deploy_when does not match branch feature"),
    ] as [([String: String], CISpec, Bool, Bool, String)])
    func skipsWithTheReason(environment: [String: String], ci: CISpec, pushed: Bool, noDeploy: Bool, reason: String) {
        let branch = CIBranch.current(root: "/nonexistent", environment: environment)
        let decision = CIDeployDecision.decide(
            ci: ci, targets: Self.targets, pushWanted: pushed, noDeploy: noDeploy, branch: branch, environment: environment)
        #expect(decision.action == .skip(reason: reason))
        #expect(decision.targets.isEmpty)
    }

    @Test(arguments: [CISpec.PushRule.always, .branch("main"), .branch("ma*")])
    func deploysInTheOrderOfCIDeploy(when rule: CISpec.PushRule) {
        let environment = ["GITLAB_CI": "true", "CI_COMMIT_BRANCH": "main"]
        let decision = CIDeployDecision.decide(
            ci: Self.ci(deploy: ["db", "web"], when: rule), targets: Self.targets, pushWanted: true, noDeploy: false,
            branch: "main", environment: environment)
        #expect(decision.targets.map(\.name) == ["db", "web"])
    }

    func request(_ names: [String] = ["web", "db"]) -> CIRequest {
        let targets = names.compactMap { name in Self.targets.first { $0.name == name } }
        return PipelineFixture.request(ciDirectory: dir, images: ["app"], deploy: CIDeployDecision(action: .deploy(targets)))
    }

    @Test func deploysThePushedDigestsAndRecordsEveryHost() async throws {
        let deployer = FakeDeployer()
        let output = FakeOutput()
        let summary = try await CIPipeline(request()).run(PipelineFixture.context(output: output, deployer: deployer))
        #expect(summary.stages.last?.name == .deploy && summary.stages.last?.status == .passed)
        #expect(summary.result == .passed)
        let calls = deployer.deployed.withLock { $0 }
        #expect(calls.map(\.target) == ["web", "db"])
        let app = try #require(calls.first?.images["app"])
        let digest = "sha256:" + String(repeating: "a", count: 64)
        #expect(app.pull == ImagePull(reference: "localhost:5000/g/app@\(digest)", verifyTLS: true), "by digest, never a tag")
        #expect(app.record.manifestDigest.description == digest)
        #expect(summary.deployments.map(\.target) == ["web", "db"])
        #expect(summary.deployments.flatMap(\.hosts).map { "\($0.host)=\($0.state.rawValue)" }
                == ["root@h1=deployed", "root@h2:2222=deployed", "root@h3=deployed"])
        let report = CIReport.render(summary, summaryPath: "summary.json")
        #expect(report.contains("deploy      passed in 1.0s\n  web -> root@h1 deployed r\n"), "\(report)")
        #expect(output.text.contains("web on root@h2:2222: deployed\n"))
        // summary.json carries the per-host outcome.
        try summary.write(to: dir + "/summary.json")
        let json = try String(contentsOfFile: dir + "/summary.json", encoding: .utf8)
        #expect(json.contains("\"deployments\"") && json.contains("\"state\" : \"deployed\""))
    }

    @Test func aRolledBackHostFailsTheStageAndStopsTheNextTarget() async throws {
        let deployer = FakeDeployer(states: ["root@h2:2222": .rolledBack])
        let summary = try await CIPipeline(request()).run(PipelineFixture.context(deployer: deployer))
        #expect(summary.stages.last?.status == .failed)
        #expect(summary.stages.last?.detail == "target 'web': root@h2:2222 rolled_back")
        #expect(summary.result == .failed && summary.exitCode == 1)
        #expect(deployer.deployed.withLock { $0.map(\.target) } == ["web"], "db is not deployed after web failed")
        #expect(summary.deployments.flatMap(\.hosts).map(\.state) == [.deployed, .rolledBack])
    }

    @Test func aReleaseThatCannotBeMadeListsEveryHostAsFailed() async throws {
        let deployer = FakeDeployer(failure: FakeFailure(message: "secret PGPASSWORD: not set"))
        let summary = try await CIPipeline(request(["web"])).run(PipelineFixture.context(deployer: deployer))
        #expect(summary.stages.last?.status == .failed && summary.exitCode == 3)
        let hosts = summary.deployments.flatMap(\.hosts)
        #expect(hosts.map(\.host) == ["root@h1", "root@h2:2222"])
        #expect(hosts.allSatisfy { $0.state == .failed && $0.message?.contains("PGPASSWORD") == true })
    }

    @Test func aFailedPushMeansNoDeploy() async throws {
        let deployer = FakeDeployer()
        let tasks = FakeTaskRunner(outcomes: ["test": .failed])
        let summary = try await CIPipeline(request()).run(PipelineFixture.context(tasks: tasks, deployer: deployer))
        #expect(summary.stages.last?.status == .notRun)
        #expect(deployer.deployed.withLock { $0.isEmpty })
    }
}
