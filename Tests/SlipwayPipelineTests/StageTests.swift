import Foundation
import SlipwayManifest
import Testing
@testable import SlipwayPipeline

/// Each stage on its own, with fakes.
@Suite("CI stages")
struct StageTests {
    let dir = PipelineFixture.temporaryDirectory()

    func state() -> PipelineState {
        PipelineState(summary: CISummary(project: "demo", profile: "ci"))
    }

    @Test func environmentListsTheProfilesTasks() async throws {
        var state = state()
        let context = PipelineFixture.context(environment: FakeEnvironment(tasks: [PipelineFixture.task("a"), PipelineFixture.task("b")]))
        #expect(try await EnvironmentStage(profile: "ci").run(context, &state) == .passed)
        #expect(state.tasks?.map(\.name) == ["a", "b"])
    }

    @Test func tasksCopyTheirReportsIntoTheCIFolder() throws {
        try FileManager.default.createDirectory(atPath: dir + "/out/x", withIntermediateDirectories: true)
        try "<a/>".write(toFile: dir + "/out/junit.xml", atomically: true, encoding: .utf8)
        try "<b/>".write(toFile: dir + "/out/x/junit.xml", atomically: true, encoding: .utf8)
        var outcome = TaskOutcome(name: "test", status: .succeeded, exitCode: 0, seconds: 1)
        outcome.reports = [dir + "/out/junit.xml", dir + "/out/x/junit.xml", dir + "/out/missing.xml"]
        let copied = TasksStage.collectReports([outcome], into: dir + "/ci")
        #expect(copied == ["test/junit.xml", "test/1-junit.xml"], "a clash gets its index; a missing report is left out")
        #expect(try String(contentsOfFile: dir + "/ci/test/1-junit.xml", encoding: .utf8) == "<b/>")
    }

    @Test func tasksAreSkippedWhenNoneIsAsked() {
        var state = state()
        state.tasks = [PipelineFixture.task("a")]
        #expect(TasksStage(requested: [], jobs: 1, ciDirectory: dir).skipReason(state) == "no tasks")
        #expect(TasksStage(requested: nil, jobs: 1, ciDirectory: dir).skipReason(state) == nil)
    }

    @Test func artifactsAndImagesRecordWhatTheyBuilt() async throws {
        let output = FakeOutput()
        let context = PipelineFixture.context(output: output)
        var state = state()
        let artifacts = ArtifactsStage(artifacts: PipelineFixture.request(ciDirectory: dir).artifacts)
        #expect(try await artifacts.run(context, &state) == .passed)
        let images = ImagesStage(images: PipelineFixture.request(ciDirectory: dir, images: ["app", "web"]).images)
        #expect(try await images.run(context, &state) == .passed)
        #expect(state.summary.artifacts.map(\.name) == ["site"])
        #expect(state.builtImages.map(\.spec.name) == ["app", "web"])
        #expect(state.summary.images.map(\.digest) == ["sha256:" + String(repeating: "a", count: 64), "sha256:" + String(repeating: "b", count: 64)])
        #expect(output.text.contains("site /nix/store/aaaa-site\n") && output.text.contains("web sha256:bbbb"))
        #expect(ArtifactsStage(artifacts: []).skipReason(state) == "no artifacts")
        #expect(ImagesStage(images: []).skipReason(state) == "no images")
    }

    @Test func pushSaysWhyItIsSkippedAndPushesNothingWithoutImages() async throws {
        let skip = PushStage(decision: CIPushDecision(wanted: false, action: .skip(reason: "--no-push")))
        #expect(skip.skipReason(state()) == "--no-push")
        let pusher = FakePusher()
        var state = state()
        let push = PushStage(decision: CIPushDecision(wanted: true, action: .push(registry: "localhost:5000/g", tags: ["v1"])))
        #expect(push.skipReason(state) == nil)
        #expect(try await push.run(PipelineFixture.context(pusher: pusher), &state) == .passed)
        #expect(pusher.pushed.withLock { $0 }.isEmpty)
    }
}
