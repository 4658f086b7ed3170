import Foundation
import SlipwayCore
import SlipwayDeploy
import SlipwayManifest
import SlipwayOCI

/// Specs and releases shared by the deploy tests.
enum Fixtures {
    static let location = SourceLocationFixture.at

    static func imageSpec(images: [String] = ["app", "web"]) -> DeploySpec {
        var spec = DeploySpec(name: "web", location: location)
        spec.hosts = [DeployHost(user: "root", host: "127.0.0.2", port: 2222)]
        spec.images = images
        spec.health.check = .http("http://127.0.0.1:8080/health")
        var settings = DeploySpec.ImageSettings()
        settings.ports = ["8080:80"]
        settings.volumes = ["data:/var/lib/data"]
        spec.imageSettings["web"] = settings
        return spec
    }

    static func closureSpec() -> DeploySpec {
        var spec = DeploySpec(name: "api", location: location)
        spec.mode = .closure
        spec.service = "web"
        spec.hosts = [DeployHost(user: "root", host: "127.0.0.3", port: nil)]
        spec.health.check = .command(["/bin/check", "it's"])
        return spec
    }

    static func digest(_ seed: String) -> Digest { Digest.of(Array(seed.utf8)) }

    static func imageRelease(_ names: [String] = ["app", "web"]) -> Release {
        Release(
            content: .images(
                names.map { name in
                    ReleaseImage(name: name, id: digest(name), reference: "localhost/slipway/web-\(name):x", size: 1000)
                    { _ in }
                }), commit: "abc123")
    }

    static let storePath = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-slipway-api"

    static func closureRelease() -> Release {
        Release(content: .closure(ReleaseClosure(storePath: storePath, user: "app")), commit: nil)
    }

    /// Runs `sh -n` on a script: a syntax error fails the test.
    static func shellSyntaxErrors(_ script: String) throws -> String {
        let path = NSTemporaryDirectory() + "slipway-syntax-\(UUID().uuidString).sh"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-n", path]
        let pipe = Pipe()
        process.standardError = pipe
        try process.run()
        process.waitUntilExit()
        let errors = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return process.terminationStatus == 0 ? "" : "status \(process.terminationStatus): " + errors
    }
}

enum SourceLocationFixture {
    static let at = SourceLocation(file: "slipway.toml", line: 1, column: 1)
}
