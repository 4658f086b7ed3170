import Foundation
import SlipwayCore
import SlipwayManifest
import SlipwayOCI
import Synchronization
import Testing
@testable import SlipwayDeploy

/// A host that answers the image commands as scripted: `has` says whether the image is there
/// (it appears once pulled or loaded), `pullWorks` whether `podman pull` succeeds.
final class ScriptedImageHost: CommandRunner {
    let commands = Mutex<[String]>([])
    let has = Mutex(false)
    let pullWorks: Bool

    init(pullWorks: Bool) { self.pullWorks = pullWorks }

    func run(
        _ argv: [String], environment: [String: String], input: CommandInput, timeout: Double,
        onOutput: (@Sendable (String) -> Void)?
    ) async throws -> CommandResult {
        let script = argv.last ?? ""
        let verb = ["image inspect", "pull", "tag", "load"].first { script.contains("podman \($0)") } ?? script
        commands.withLock { $0.append(verb == "pull" ? script : verb) }
        switch verb {
        case "image inspect": return CommandResult(status: has.withLock { $0 } ? 0 : 1, stdout: "", stderr: "")
        case "pull":
            guard pullWorks else { return CommandResult(status: 125, stdout: "", stderr: "Error: connection refused\n") }
            has.withLock { $0 = true }
        case "load": has.withLock { $0 = true }
        default: break
        }
        return CommandResult(status: 0, stdout: "", stderr: "")
    }
}

@Suite("Image transfer: pull by digest, else send")
struct ImagePullTests {
    static let digest = Fixtures.digest("app")

    func image(pull: ImagePull?) -> ReleaseImage {
        var image = ReleaseImage(name: "app", id: Self.digest, reference: "localhost/slipway/web-app:x", size: 1) { _ in }
        image.pull = pull
        return image
    }

    func transfer(_ host: ScriptedImageHost) -> ImageTransfer {
        let connection = SSHConnection(
            host: DeployHost(user: "root", host: "127.0.0.2", port: 2222), settings: .init(), sudo: nil,
            controlDirectory: "/tmp", runner: host)
        return ImageTransfer(connection: connection, runtime: "podman")
    }

    @Test func aReachableRegistryIsPulledByDigestAndNothingIsSent() async throws {
        let host = ScriptedImageHost(pullWorks: true)
        let lines = Mutex<[String]>([])
        let pull = ImagePull(reference: "127.0.0.1:5000/g/app@sha256:\(String(repeating: "e", count: 64))", verifyTLS: false)
        try await transfer(host).send(image(pull: pull)) { line in lines.withLock { $0.append(line) } }
        let commands = host.commands.withLock { $0 }
        #expect(commands.count == 4 && commands[0] == "image inspect" && commands[2] == "image inspect" && commands[3] == "tag")
        #expect(commands[1].contains("podman pull -q --tls-verify=false 127.0.0.1:5000/g/app@sha256:eee"))
        #expect(!commands.contains("load"))
        #expect(lines.withLock { $0 }.last == "pulled image app \(Self.digest)")
    }

    @Test func anUnreachableRegistryFallsBackToSendingTheArchive() async throws {
        let host = ScriptedImageHost(pullWorks: false)
        let lines = Mutex<[String]>([])
        let pull = ImagePull(reference: "registry.example.com/g/app@sha256:\(String(repeating: "e", count: 64))", verifyTLS: true)
        try await transfer(host).send(image(pull: pull)) { line in lines.withLock { $0.append(line) } }
        let commands = host.commands.withLock { $0 }
        #expect(commands.contains("load"), "\(commands)")
        #expect(!(commands.first { $0.contains("pull") } ?? "").contains("--tls-verify"), "TLS is verified when asked")
        #expect(lines.withLock { $0 }.contains { $0.contains("cannot pull") && $0.contains("connection refused") })
    }

    @Test func withoutAPullReferenceTheArchiveIsSentAsBefore() async throws {
        let host = ScriptedImageHost(pullWorks: true)
        try await transfer(host).send(image(pull: nil)) { _ in }
        #expect(host.commands.withLock { $0 } == ["image inspect", "load", "image inspect"])
    }

    @Test func builtImagesMakeTheReleaseAndOtherModesUseTheFallback() async throws {
        let json = """
            {"formatVersion":1,"name":"app","profile":"prod","compression":"gzip","mtime":1,"layers":[],
             "config":"{}","configDigest":"\(Self.digest)","manifest":"{}","manifestDigest":"\(Self.digest)","tags":[]}
            """
        let record = try JSONDecoder().decode(BuildRecord.self, from: Data(json.utf8))
        let pull = ImagePull(reference: "r.example.com/app@\(Self.digest)", verifyTLS: true)
        let source = BuiltReleaseSource(
            images: ["app": .init(record: record, pull: pull)], root: "/nonexistent", fallback: FixedSource())
        let release = try await source.release(for: Fixtures.imageSpec(images: ["app"]))
        guard case .images(let images) = release.content else { Issue.record("not an image release"); return }
        #expect(images.map(\.id) == [Self.digest] && images[0].pull == pull)
        #expect(images[0].reference == "localhost/slipway/web-app:\(Self.digest.hex.prefix(12))")
        await #expect(throws: DeployError.self) { try await source.release(for: Fixtures.imageSpec()) }
        #expect(try await source.release(for: Fixtures.closureSpec()).id == Fixtures.storePath)
    }

    struct FixedSource: ReleaseSource {
        func release(for spec: DeploySpec) async throws -> Release { Fixtures.closureRelease() }
    }
}
