import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayRegistry

/// `slipway registry login HOST`
struct Registry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Registry credentials.", subcommands: [RegistryLogin.self])
}

struct RegistryLogin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Check credentials against a registry and store them as podman and docker do.",
        discussion: """
            Stored in REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json, else \
            $DOCKER_CONFIG/config.json (~/.docker/config.json), as base64 USER:PASSWORD under "auths", mode 0600.
            """)

    @Argument(help: "The registry: HOST[:PORT].") var host: String
    @Option(name: [.short, .long], help: "The user name.") var username: String
    @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input.") var passwordStdin = false
    @Option(name: [.short, .long], help: "The password (prefer --password-stdin: arguments are visible to other users).") var password: String?
    @Option(name: .customLong("cert-dir"), help: "A folder of extra CA certificates.") var certDir: String?
    @Option(name: .customLong("tls-verify"), help: "Verify TLS certificates.") var tlsVerify: Bool = true

    func run() async throws {
        var secret = password ?? ""
        if passwordStdin {
            secret = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                .trimmingCharacters(in: .newlines)
        }
        guard !secret.isEmpty else { throw ValidationError("give the password with --password-stdin (or --password)") }
        let reference = try ImageReference(parsing: host + "/slipway-login-check")
        let credentials = Credentials(username: username, secret: secret, source: "login")
        let client = try await RegistryPush.client(
            for: reference, credentials: credentials, options: .init(certDir: certDir, tlsVerify: tlsVerify), schemesFile: nil)
        do {
            try await client.ping()
            await client.shutdown()
        } catch {
            await client.shutdown()
            throw error
        }
        let store = RegistryLoginStore()
        try store.save(credentials, host: host)
        Terminal.write("Login Succeeded (credentials stored in \(store.file))\n")
    }
}
