import Foundation
import Testing
@testable import SlipwayRegistry

/// Docker credential helpers, run for real: a `docker-credential-NAME` shell script on `PATH`.
@Suite("Credential helpers")
struct CredentialHelperTests {
    let dir: String

    init() throws {
        dir = NSTemporaryDirectory() + "slipway-creds-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir + "/bin", withIntermediateDirectories: true)
        // Answers for registry.example.com only; records what it was asked.
        try helper("test", """
            #!/bin/sh
            [ "$1" = get ] || exit 2
            read -r host
            echo "$host" > "\(dir)/asked"
            [ "$host" = registry.example.com ] || { echo "credentials not found in native keychain"; exit 1; }
            printf '{"ServerURL":"%s","Username":"robot","Secret":"s3cret"}' "$host"
            """)
        // Reads the host first: a helper that exits before Slipway writes would end this test
        // process with SIGPIPE (the slipway binary survives broken pipes, a test runner does not).
        try helper("broken", "#!/bin/sh\ncat > /dev/null\necho not json\n")
    }

    func helper(_ name: String, _ script: String) throws {
        let path = dir + "/bin/docker-credential-" + name
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    func resolver(config: String) throws -> CredentialResolver {
        try FileManager.default.createDirectory(atPath: dir + "/docker", withIntermediateDirectories: true)
        try config.write(toFile: dir + "/docker/config.json", atomically: true, encoding: .utf8)
        return CredentialResolver(environment: ["PATH": dir + "/bin:/usr/bin:/bin", "DOCKER_CONFIG": dir + "/docker", "HOME": dir])
    }

    @Test func credHelpersRunsTheHostsHelperWithTheHostOnStandardInput() async throws {
        let resolver = try resolver(config: #"{"credHelpers": {"registry.example.com": "test"}}"#)
        let found = try #require(try await resolver.credentials(for: "registry.example.com"))
        #expect(found.username == "robot" && found.secret == "s3cret" && found.source == "docker-credential-test")
        #expect(try String(contentsOfFile: dir + "/asked", encoding: .utf8) == "registry.example.com\n")
    }

    @Test func credsStoreIsTheFallbackAndNotFoundIsNoCredentials() async throws {
        let resolver = try resolver(config: #"{"credsStore": "test"}"#)
        #expect(try await resolver.credentials(for: "registry.example.com")?.username == "robot")
        #expect(try await resolver.credentials(for: "other.example.com") == nil, "a helper's non-zero exit: none")
    }

    @Test func aMissingOrBrokenHelperIsAnError() async throws {
        await #expect(throws: RegistryError.self) {
            _ = try await resolver(config: #"{"credsStore": "absent"}"#).credentials(for: "registry.example.com")
        }
        await #expect(throws: RegistryError.self) {
            _ = try await resolver(config: #"{"credsStore": "broken"}"#).credentials(for: "registry.example.com")
        }
    }

    @Test func loginStoresInTheFirstFileOfTheSearchOrder() {
        #expect(CredentialResolver(environment: ["REGISTRY_AUTH_FILE": "/a.json", "XDG_RUNTIME_DIR": "/run/u"]).loginFile == "/a.json")
        #expect(CredentialResolver(environment: ["XDG_RUNTIME_DIR": "/run/u", "HOME": "/h"]).loginFile == "/run/u/containers/auth.json")
        #expect(CredentialResolver(environment: ["DOCKER_CONFIG": "/d", "HOME": "/h"]).loginFile == "/d/config.json")
        #expect(CredentialResolver(environment: ["HOME": "/h", "XDG_RUNTIME_DIR": ""]).loginFile == "/h/.docker/config.json",
                "an empty variable counts as unset")
    }
}
