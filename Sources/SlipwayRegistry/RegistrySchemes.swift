import AsyncHTTPClient
import Foundation

/// `.slipway/registry/schemes.json`: the loopback registries found to speak plain HTTP, so that
/// a later push skips the probe (a TLS handshake with a plain-HTTP registry only fails on a
/// timeout). A missing or unreadable file knows nothing.
public struct RegistrySchemes: Sendable {
    /// The cache file, or nil to keep nothing.
    public let path: String?

    public init(path: String?) {
        self.path = path
    }

    /// Whether `registry` (`host:port`) was found to speak plain HTTP.
    public func speaksPlainHTTP(_ registry: String) -> Bool {
        known()[registry] == "http"
    }

    /// Records that `registry` speaks plain HTTP.
    /// - Throws: the file system's error when the file cannot be written.
    public func rememberPlainHTTP(_ registry: String) throws {
        guard let path else { return }
        var entries = known()
        entries[registry] = "http"
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try JSONEncoder().encode(entries).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    private func known() -> [String: String] {
        guard let path, let data = FileManager.default.contents(atPath: path) else { return [:] }
        return (try? JSONDecoder().decode([String: String].self, from: data)) ?? [:]
    }
}

extension RegistryClient {
    /// A client for `reference`: HTTPS, except a loopback registry (or any with `verifyTLS` off)
    /// that answers plain HTTP, as `schemes` remembers or the scheme probe finds.
    ///
    /// The probe (``decideScheme()`` unless a test passes another; `true` means plain HTTP)
    /// decides only from an answer, never from a 503 or a dropped connection.
    /// - Throws: ``RegistryError``, `.noAnswer` when the registry never answers.
    public static func connect(
        to reference: ImageReference, credentials: Credentials?, options: Options, schemes: RegistrySchemes,
        probe: (@Sendable (RegistryClient) async throws -> Bool)? = nil
    ) async throws -> RegistryClient {
        guard reference.isLoopback || !options.verifyTLS else {
            return try RegistryClient(reference: reference, credentials: credentials, options: options, plainHTTP: false)
        }
        let client = try RegistryClient(reference: reference, credentials: credentials, options: options, plainHTTP: true)
        if schemes.speaksPlainHTTP(reference.registry) { return client }
        do {
            if try await (probe ?? { try await $0.decideScheme() })(client) {
                try? schemes.rememberPlainHTTP(reference.registry)
            } else {
                client.useTLS()
            }
        } catch {
            await client.shutdown()
            throw error
        }
        return client
    }

    /// Whether the registry speaks plain HTTP (`true`) or TLS (`false`), from its first answer
    /// that says so. A plain `GET /v2/` answered with anything but 400, a 5xx or a 429 means
    /// plain HTTP; a 400 is a TLS server's answer to a plain request (Go's "client sent an HTTP
    /// request to an HTTPS server"); after two plain tries without an answer, each round also
    /// tries `https://` (a TLS server that drops plain requests), whose answer (any status but 5xx
    /// or 429) means TLS. A 503, a dropped connection or a timeout decides nothing: they are
    /// retried on plain HTTP as ``RegistryRetry`` says.
    /// - Throws: `.unavailable` after every try, `.noAnswer` when nothing ever answered.
    func decideScheme() async throws -> Bool {
        let host = reference.registry
        var failures = 0
        var unanswered = 0
        while true {
            let error: RegistryError
            do {
                let status = try await probe("http://\(host)/v2/")
                if status == 400 { return false }
                if status < 500 && status != 429 { return true }
                error = .unavailable(what: "GET /v2/ on \(host)", detail: "HTTP \(status)")
                unanswered = 0
            } catch let failure as RegistryError where failure.isTransient {
                error = failure
                unanswered += 1
                if unanswered >= 2, let status = try? await probe("https://\(host)/v2/", timeout: .seconds(2)),
                   status < 500 && status != 429 {
                    return false
                }
            }
            failures += 1
            try await wait(afterFailure: failures, of: error)
        }
    }

    /// One `GET` of `url`, for the scheme probe: the status, or `.unavailable` for no answer.
    private func probe(_ url: String, timeout: Duration? = nil) async throws -> Int {
        let started = ContinuousClock.now
        if silentSince == nil { silentSince = started }
        let request = try HTTPClient.Request(url: url, method: .GET)
        do {
            let response = try await http.execute(request: request, deadline: deadline(from: started, timeout: timeout)).get()
            answered()
            Self.logger.debug("GET \(url) \(response.status.code)")
            return Int(response.status.code)
        } catch {
            Self.logger.debug("GET \(url): \(error)")
            throw RegistryError.unavailable(what: "GET /v2/ on \(reference.registry)", detail: TransportFailure.describe(error))
        }
    }
}
