import Foundation
import SlipwayManifest
import Testing
@testable import SlipwayPipeline

/// ``CIPipeline`` and each stage with fakes: no Nix, no podman, no registry.
@Suite("CI pipeline")
struct CIPipelineTests {
    let dir = PipelineFixture.temporaryDirectory()

    func rows(_ summary: CISummary) -> [String] {
        summary.stages.map { "\($0.name.rawValue)=\($0.status.rawValue)" }
    }

    @Test func everyStagePassesAndPushesEachImageWithEveryTag() async throws {
        let output = FakeOutput()
        let pusher = FakePusher()
        let request = PipelineFixture.request(ciDirectory: dir, images: ["app", "web"])
        let summary = try await CIPipeline(request).run(PipelineFixture.context(output: output, pusher: pusher))
        #expect(rows(summary) == ["environment=passed", "tasks=passed", "artifacts=passed", "images=passed", "push=passed", "deploy=skipped"])
        #expect(summary.result == .passed && summary.exitCode == 0)
        #expect(summary.tasks.map(\.name) == ["test"])
        #expect(summary.artifacts.map(\.storePaths) == [["/nix/store/aaaa-site"]])
        #expect(pusher.pushed.withLock { $0 } == ["localhost:5000/g/app:latest,v1", "localhost:5000/g/web:latest,v1"])
        #expect(summary.images.map(\.pushed) == [["localhost:5000/g/app:latest", "localhost:5000/g/app:v1"],
                                                ["localhost:5000/g/web:latest", "localhost:5000/g/web:v1"]])
        #expect(summary.stages.filter { $0.status == .passed }.allSatisfy { $0.seconds == 1 }, "the clock moved one second per stage")
        #expect(summary.push && summary.branch == "main")
        let text = output.text
        #expect(text.contains("==> environment\n==> tasks\n==> artifacts\nsite /nix/store/aaaa-site\n==> images\n"))
        #expect(text.contains("pushed localhost:5000/g/app:latest,v1 sha256:\(String(repeating: "a", count: 64)) (2 of 3 blobs uploaded, 2.0 KiB)\n"))
    }

    /// One name per image: `<registry>/<name>`, or the name itself with a registry host; an
    /// image's own `tags` replace `[ci] tags`, and `--tag` replaces both.
    @Test(arguments: [false, true])
    func imagesArePushedUnderTheirNameWithTheirOwnTags(tagsFromFlag: Bool) async throws {
        let pusher = FakePusher()
        var request = PipelineFixture.request(
            ciDirectory: dir, images: ["app", "web"],
            push: CIPushDecision(wanted: true, action: .push(registry: "localhost:5000/g", tags: ["latest", "v1"]), tagsFromFlag: tagsFromFlag))
        request.images[0].repositoryName = "registry.example.com/team/app"
        request.images[1].repositoryName = "shop/web"
        request.images[1].tags = ["stable", "$NOT_SET"]
        let summary = try await CIPipeline(request).run(PipelineFixture.context(pusher: pusher))
        let webTags = tagsFromFlag ? "latest,v1" : "stable"
        #expect(pusher.pushed.withLock { $0 } == ["registry.example.com/team/app:latest,v1", "localhost:5000/g/shop/web:\(webTags)"])
        #expect(summary.images.last?.pushed == webTags.split(separator: ",").map { "localhost:5000/g/shop/web:\($0)" })
    }

    @Test func aFailingEnvironmentListsEveryLaterStageAsNotRun() async throws {
        let output = FakeOutput()
        let environment = FakeEnvironment(failure: FakeFailure(message: "nix is missing"))
        let summary = try await CIPipeline(PipelineFixture.request(ciDirectory: dir))
            .run(PipelineFixture.context(output: output, environment: environment))
        #expect(rows(summary) == ["environment=failed", "tasks=not-run", "artifacts=not-run", "images=not-run", "push=not-run", "deploy=not-run"])
        #expect(summary.stages.map(\.name) == StageName.allCases)
        #expect(summary.stages[0].detail == "nix is missing")
        #expect(summary.stages.dropFirst().allSatisfy { $0.detail == "an earlier stage failed" })
        #expect(summary.result == .failed && summary.exitCode == 3, "the error's own exit status")
        #expect(output.text.contains("error: "), "the stage's error is reported")
        #expect(!output.text.contains("==> tasks"))
        // The file form lists them too.
        try summary.write(to: dir + "/summary.json")
        let json = try String(contentsOfFile: dir + "/summary.json", encoding: .utf8)
        #expect(json.contains("\"name\" : \"tasks\"") && json.contains("\"status\" : \"not-run\""))
    }

    @Test func aFailingTaskStopsTheImagesAndKeepsItsExitStatus() async throws {
        let tasks = FakeTaskRunner(outcomes: ["lint": .failed])
        let environment = FakeEnvironment(tasks: [PipelineFixture.task("lint"), PipelineFixture.task("test", deps: ["lint"])])
        let summary = try await CIPipeline(PipelineFixture.request(ciDirectory: dir))
            .run(PipelineFixture.context(environment: environment, tasks: tasks))
        #expect(rows(summary) == ["environment=passed", "tasks=failed", "artifacts=not-run", "images=not-run", "push=not-run", "deploy=not-run"])
        #expect(summary.stages[1].detail == "task 'lint' failed")
        #expect(summary.exitCode == 4)
        #expect(summary.tasks.map(\.name) == ["lint", "test"], "in plan order, not finishing order")
    }

    @Test func nothingToDoIsSkippedWithTheReason() async throws {
        let request = PipelineFixture.request(
            ciDirectory: dir, images: [], artifacts: [], push: CIPushDecision(wanted: false, action: .skip(reason: "no images")))
        let summary = try await CIPipeline(request).run(PipelineFixture.context(environment: FakeEnvironment(tasks: [])))
        #expect(rows(summary) == ["environment=passed", "tasks=skipped", "artifacts=skipped", "images=skipped", "push=skipped", "deploy=skipped"])
        #expect(summary.stages.map(\.detail) == [nil, "no tasks", "no artifacts", "no images", "no images", "no [ci] deploy targets"])
        #expect(summary.result == .passed)
    }

    @Test func aSignalStopsLaterStagesAndExits130() async throws {
        let interrupted = FakeTaskRunner(interrupted: true)
        let summary = try await CIPipeline(PipelineFixture.request(ciDirectory: dir))
            .run(PipelineFixture.context(tasks: interrupted))
        #expect(rows(summary) == ["environment=passed", "tasks=failed", "artifacts=not-run", "images=not-run", "push=not-run", "deploy=not-run"])
        #expect(summary.stages.dropFirst(2).allSatisfy { $0.detail == "interrupted" })
        #expect(summary.result == .interrupted && summary.exitCode == 130)

        let flagged = try await CIPipeline(PipelineFixture.request(ciDirectory: dir))
            .run(PipelineFixture.context(interrupted: { true }))
        #expect(rows(flagged).allSatisfy { $0.hasSuffix("=not-run") }, "a signal before the first stage runs nothing")
        #expect(flagged.result == .interrupted && flagged.exitCode == 130)
    }

    @Test func aBadDestinationIsRefusedBeforeAnyStageAndKeepsTheLastReport() async throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "{}".write(toFile: dir + "/summary.json", atomically: true, encoding: .utf8)
        let pusher = FakePusher(refuse: true)
        let output = FakeOutput()
        await #expect(throws: FakeFailure.self) {
            try await CIPipeline(PipelineFixture.request(ciDirectory: dir)).run(PipelineFixture.context(output: output, pusher: pusher))
        }
        #expect(output.text.isEmpty)
        #expect(FileManager.default.fileExists(atPath: dir + "/summary.json"))
    }

    @Test func theStandardStagesAreTheSixInOrder() {
        let stages = CIPipeline.stages(for: PipelineFixture.request(ciDirectory: dir))
        #expect(stages.map(\.name) == StageName.allCases)
    }
}
