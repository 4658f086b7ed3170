import Foundation
import SystemPackage
import Subprocess

/// A user name and secret (a password or a token) for one registry. Never printed.
public struct Credentials: Sendable, Hashable {
    public var username: String
    public var secret: String
    /// Where they came from, for messages (never the secret itself).
    public var source: String

    public init(username: String, secret: String, source: String) {
        self.username = username
        self.secret = secret
        self.source = source
    }
}

/// Finds credentials for a registry host, in this order: `--creds USER:PASS`, `--authfile FILE`,
/// `SLIPWAY_REGISTRY_USER`/`SLIPWAY_REGISTRY_PASSWORD`, GitLab's `CI_REGISTRY_USER`/
/// `CI_REGISTRY_PASSWORD` (when `CI_REGISTRY` is this host), containers' `auth.json`
/// (`REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`), then Docker's `config.json`
/// (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`: `auths`, `identitytoken`,
/// `credHelpers` before `credsStore`, run as `docker-credential-NAME get`).
public struct CredentialResolver: Sendable {
    public var flagCredentials: String?
    public var authFile: String?
    public var environment: [String: String]

    public init(flagCredentials: String? = nil, authFile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.flagCredentials = flagCredentials
        self.authFile = authFile
        self.environment = environment.filter { !$0.value.isEmpty }
    }

    /// - Throws: ``RegistryError/credentials(_:)`` for malformed flags or files, or a failing helper.
    public func credentials(for host: String) async throws -> Credentials? {
        if let flag = flagCredentials {
            guard let colon = flag.firstIndex(of: ":") else { throw RegistryError.credentials("--creds takes USER:PASSWORD") }
            return Credentials(username: String(flag[..<colon]), secret: String(flag[flag.index(after: colon)...]), source: "--creds")
        }
        if let authFile, let found = try fromAuthFile(authFile, host: host, required: true) { return found }
        if let user = environment["SLIPWAY_REGISTRY_USER"], let password = environment["SLIPWAY_REGISTRY_PASSWORD"] {
            return Credentials(username: user, secret: password, source: "SLIPWAY_REGISTRY_USER/PASSWORD")
        }
        if let ci = environment["CI_REGISTRY"], ci == host, let user = environment["CI_REGISTRY_USER"], let password = environment["CI_REGISTRY_PASSWORD"] {
            return Credentials(username: user, secret: password, source: "CI_REGISTRY_USER/PASSWORD")
        }
        for file in containerAuthFiles {
            if let found = try fromAuthFile(file, host: host, required: false) { return found }
        }
        return try await fromDockerConfig(dockerConfig, host: host)
    }

    /// Containers' auth files, in search order: `REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`.
    public var containerAuthFiles: [String] {
        var files: [String] = []
        if let file = environment["REGISTRY_AUTH_FILE"] { files.append(file) }
        if let runtime = environment["XDG_RUNTIME_DIR"] { files.append(runtime + "/containers/auth.json") }
        return files
    }

    /// Docker's `config.json`: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
    public var dockerConfig: String {
        (environment["DOCKER_CONFIG"] ?? ((environment["HOME"] ?? "/root") + "/.docker")) + "/config.json"
    }

    /// Where `slipway registry login` stores credentials: the first file of the search order.
    public var loginFile: String {
        containerAuthFiles.first ?? dockerConfig
    }

    /// `auths.HOST.auth` (base64 `user:password`) or `identitytoken`.
    private func fromAuthFile(_ path: String, host: String, required: Bool) throws -> Credentials? {
        guard let data = FileManager.default.contents(atPath: path) else {
            if required { throw RegistryError.credentials("cannot read the auth file \(path)") }
            return nil
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw RegistryError.credentials("\(path) is not JSON")
        }
        return try entry(object, host: host, source: path)
    }

    private func entry(_ object: [String: Any], host: String, source: String) throws -> Credentials? {
        let auths = object["auths"] as? [String: Any] ?? [:]
        let candidates = [host, "https://" + host, "http://" + host, "https://" + host + "/v1/", "https://" + host + "/v2/"]
        guard let match = candidates.lazy.compactMap({ auths[$0] as? [String: Any] }).first else { return nil }
        if let token = match["identitytoken"] as? String, !token.isEmpty {
            return Credentials(username: "<token>", secret: token, source: source)
        }
        guard let encoded = match["auth"] as? String, !encoded.isEmpty else { return nil }
        guard let decoded = Data(base64Encoded: encoded).map({ String(decoding: $0, as: UTF8.self) }),
              let colon = decoded.firstIndex(of: ":") else {
            throw RegistryError.credentials("the auth entry for \(host) in \(source) is not base64 of USER:PASSWORD")
        }
        return Credentials(username: String(decoded[..<colon]), secret: String(decoded[decoded.index(after: colon)...]), source: source)
    }

    private func fromDockerConfig(_ path: String, host: String) async throws -> Credentials? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw RegistryError.credentials("\(path) is not JSON")
        }
        if let helper = (object["credHelpers"] as? [String: String])?[host] {
            return try await fromHelper(helper, host: host)
        }
        if let found = try entry(object, host: host, source: path) { return found }
        if let store = object["credsStore"] as? String, !store.isEmpty {
            return try await fromHelper(store, host: host)
        }
        return nil
    }

    /// `docker-credential-NAME get` with the host on standard input; JSON
    /// `{Username, Secret}` on standard output. A non-zero exit means "no credentials" (nil).
    /// - Throws: ``RegistryError/credentials(_:)`` when the helper cannot run or answers something else.
    private func fromHelper(_ name: String, host: String) async throws -> Credentials? {
        struct Answer: Decodable {
            var Username: String
            var Secret: String
        }
        let helper = "docker-credential-" + name
        // Found on this resolver's PATH (the process's unless a caller gave another environment).
        let path = environment["PATH"].map { Environment.inherit.updating(["PATH": $0]) } ?? .inherit
        // The host goes in from a file, not a pipe: swift-subprocess 1.0.2 stops the process with
        // "FileDescriptor was not closed" when a helper exits without reading a piped input.
        guard let input = Self.readOnlyFile(holding: host + "\n") else {
            throw RegistryError.credentials("cannot write the input of \(helper)")
        }
        let run = try? await Subprocess.run(
            .name(helper), arguments: ["get"], environment: path,
            input: .fileDescriptor(input, closeAfterSpawningProcess: true), output: .string(limit: 1 << 20),
            error: .discarded)
        guard let result = run else { throw RegistryError.credentials("cannot run \(helper)") }
        guard result.terminationStatus.isSuccess else { return nil }  // "credentials not found"
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(result.standardOutput.utf8)) else {
            throw RegistryError.credentials("\(helper) answered something other than {Username, Secret}")
        }
        return Credentials(username: answer.Username, secret: answer.Secret, source: helper)
    }

    /// An open, already unlinked temporary file holding `text`, positioned at its start.
    private static func readOnlyFile(holding text: String) -> FileDescriptor? {
        let path = NSTemporaryDirectory() + "/slipway-credential-" + UUID().uuidString
        guard let fd = try? FileDescriptor.open(path, .readWrite, options: [.create, .exclusiveCreate], permissions: [.ownerReadWrite])
        else { return nil }
        _ = try? FilePath(path).withPlatformString { unlink($0) }
        guard (try? fd.writeAll(Array(text.utf8))) != nil, (try? fd.seek(offset: 0, from: .start)) != nil else {
            try? fd.close()
            return nil
        }
        return fd
    }
}
