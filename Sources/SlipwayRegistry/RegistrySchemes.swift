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
    /// that answers plain HTTP, as `schemes` remembers or a one-attempt probe finds.
    ///
    /// The probe tries plain HTTP first: a TLS registry answers a plain request at once (Go's
    /// "client sent an HTTP request to an HTTPS server", 400), while a TLS handshake with a
    /// plain-HTTP registry only fails on a timeout.
    /// - Throws: ``RegistryError`` when the client cannot be made.
    public static func connect(
        to reference: ImageReference, credentials: Credentials?, options: Options, schemes: RegistrySchemes,
        probe: (@Sendable (RegistryClient) async -> Bool)? = nil
    ) async throws -> RegistryClient {
        guard reference.isLoopback || !options.verifyTLS else {
            return try RegistryClient(reference: reference, credentials: credentials, options: options, plainHTTP: false)
        }
        if schemes.speaksPlainHTTP(reference.registry) {
            return try RegistryClient(reference: reference, credentials: credentials, options: options, plainHTTP: true)
        }
        var probeOptions = options
        probeOptions.attempts = 1
        probeOptions.connectTimeout = 2
        let plainProbe = try RegistryClient(reference: reference, credentials: credentials, options: probeOptions, plainHTTP: true)
        let speaksHTTP = await (probe ?? Self.answersPlainHTTP)(plainProbe)
        await plainProbe.shutdown()
        if speaksHTTP {
            try? schemes.rememberPlainHTTP(reference.registry)
            return try RegistryClient(reference: reference, credentials: credentials, options: options, plainHTTP: true)
        }
        return try RegistryClient(reference: reference, credentials: credentials, options: options, plainHTTP: false)
    }

    /// `GET /v2/` over plain HTTP answered (even with 401).
    @Sendable static func answersPlainHTTP(_ client: RegistryClient) async -> Bool {
        do {
            try await client.ping()
            return true
        } catch RegistryError.unauthorized {
            return true
        } catch {
            return false
        }
    }

    /// Whether this client speaks plain HTTP (`http://`).
    public nonisolated var isPlainHTTP: Bool { base.hasPrefix("http://") }
}
