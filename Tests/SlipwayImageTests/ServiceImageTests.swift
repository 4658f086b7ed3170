import Foundation
import SlipwayCore
import Testing
@testable import SlipwayImage
@testable import SlipwayManifest

/// `[images.NAME] service = "..."`: what the image takes from the service (no Nix, no podman;
/// ServiceImageIntegrationTests runs one).
@Suite("Service images")
struct ServiceImageTests {
    func image(_ toml: String, _ name: String = "db") throws -> ImageSpec {
        let manifest = try ManifestLoader.parse(toml, file: "slipway.toml", root: "/p")
        let spec = try #require(try manifest.images().first { $0.name == name })
        return try ServiceImage.apply(spec, services: manifest.services(of: manifest.resolve(profile: spec.profile)))
    }

    @Test func aPresetServiceBecomesTheEntrypointAsANonRootUserOwningItsState() throws {
        let spec = try image("""
            [services.db]
            preset = "postgresql"
            databases = ["app"]
            [images.db]
            service = "db"
            """)
        #expect(spec.user == ImageSpec.User(name: "db", uid: 1000, gid: 1000))
        #expect(spec.dirs.map(\.path) == ["/var/lib/db"] && spec.dirs.first?.owner == "db" && spec.dirs.first?.mode == 0o700)
        #expect(spec.ports == ["5432/tcp"])
        #expect(spec.stopSignal == "SIGINT")
        let env = Dictionary(spec.env.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(env["STATE_DIR"] == "/var/lib/db" && env["PORT"] == "5432" && env["SLIPWAY_LISTEN"] == "0.0.0.0" && env["DB_PORT"] == "5432")
        let entrypoint = try #require(spec.entrypoint)
        #expect(entrypoint.count == 4 && entrypoint[0] == "/bin/sh" && entrypoint[1] == "-c" && entrypoint[3] == "db")
        #expect(entrypoint[2].contains("initdb") && entrypoint[2].contains("is not writable"))
        #expect(entrypoint[2].hasSuffix(#"-h "${SLIPWAY_LISTEN:-127.0.0.1}" -p "$PORT""# + "\n"))
    }

    @Test func theImagesOwnKeysWin() throws {
        let spec = try image("""
            [services.cache]
            preset = "redis"
            port = 7000
            [images.db]
            service = "cache"
            user = { name = "redis", uid = 999, gid = 999 }
            entrypoint = ["redis-server"]
            ports = [7000]
            env = { PORT = "7001" }
            """)
        #expect(spec.user?.name == "redis" && spec.user?.uid == 999)
        #expect(spec.entrypoint == ["redis-server"])
        #expect(spec.ports == ["7000/tcp"])
        #expect(spec.dirs.first?.owner == "redis")
        #expect(spec.env.last?.name == "PORT" && spec.env.last?.value == "7001", "the image's env comes after the service's")
        #expect(spec.env.contains { $0.name == "PORT" && $0.value == "7000" }, "the fixed port is the image's PORT")
    }

    @Test func anUnknownServiceOrAnAutoPortWithoutPresetIsALocatedError() throws {
        do {
            _ = try image("[services.web]\ncommand = \"exec web\"\n[images.db]\nservice = \"db\"\n")
            Issue.record("no error")
        } catch let error as ManifestError {
            let message = error.diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" }.joined()
            #expect(message.contains("4:11") && message.contains("no [services.db]") && message.contains("its services: web"), "\(message)")
        }
        do {
            _ = try image("[services.web]\ncommand = \"exec web\"\nport = \"auto\"\n[images.db]\nservice = \"web\"\n")
            Issue.record("no error")
        } catch let error as ManifestError {
            let message = error.diagnostics.map(\.message).joined()
            #expect(message.contains("port = \"auto\" and no preset"), "\(message)")
        }
    }

    @Test func loginNamesFollowUseradd() {
        #expect(ServiceImage.loginName(for: "db") == "db")
        #expect(ServiceImage.loginName(for: "Main_DB") == "main_db")
        #expect(ServiceImage.loginName(for: "1db") == "service")
        #expect(ServiceImage.loginName(for: "nobody") == "service")
    }
}
