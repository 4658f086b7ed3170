import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import SlipwayCore
import SlipwayOCI
import Synchronization

/// An OCI distribution client for one repository (distribution-spec v1.1 §Push).
///
/// Authentication follows the registry's `WWW-Authenticate` challenge: anonymous, Basic, or the
/// Bearer token flow (token fetched from `realm` with `service` and `scope`, cached until it
/// expires, fetched again on a 401). 5xx and 429 answers, dropped connections and timeouts are
/// retried as ``RegistryRetry`` says; other 4xx fail with the registry's own error message.
/// Credentials never appear in errors.
public actor RegistryClient {
    /// TLS, transport and retry options.
    public struct Options: Sendable {
        /// `false`: accept any certificate, and plain HTTP for any host (prints a warning).
        public var verifyTLS = true
        /// Extra CA certificates (`*.crt`, `*.pem`) to trust, besides the system's and `SSL_CERT_FILE`.
        public var certificateDirectory: String?
        /// Tries, waits and time limits.
        public var retry = RegistryRetry()
        /// Blobs larger than this go up in `PATCH` chunks of this size (bytes), resumable.
        public var chunkSize: Int64 = 32 << 20

        public init(verifyTLS: Bool = true, certificateDirectory: String? = nil) {
            self.verifyTLS = verifyTLS
            self.certificateDirectory = certificateDirectory
        }
    }

    public let reference: ImageReference
    /// `http://HOST` or `https://HOST`; settled by the scheme probe of a loopback registry.
    private let scheme: Mutex<String>
    let http: HTTPClient
    let credentials: Credentials?
    let options: Options
    var challenge: AuthChallenge?
    var tokens: [String: (token: String, expires: Date)] = [:]
    /// When the registry last gave an HTTP answer (any status), or when the first request began.
    var silentSince: ContinuousClock.Instant?
    /// Whether the registry ever gave an HTTP answer.
    var everAnswered = false

    /// - Parameters:
    ///   - plainHTTP: use `http://` (allowed for loopback registries, or with `verifyTLS == false`).
    public init(reference: ImageReference, credentials: Credentials?, options: Options, plainHTTP: Bool) throws {
        self.reference = reference
        self.credentials = credentials
        self.options = options
        scheme = Mutex((plainHTTP ? "http://" : "https://") + reference.registry)
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: Self.tls(options), redirectConfiguration: .follow(max: 5, allowCycles: false))
        let timeout = TimeAmount.milliseconds(Int64(options.retry.requestTimeout / .milliseconds(1)))
        configuration.timeout = .init(connect: min(timeout, .seconds(5)), read: timeout, write: timeout)
        // A failed connection fails the request at once; ``send`` decides whether to try again
        // (a refused connection: yes; an unknown host or a TLS failure: no).
        configuration.connectionPool.retryConnectionEstablishment = false
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    private static func tls(_ options: Options) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if !options.verifyTLS {
            tls.certificateVerification = .none
            return tls
        }
        var extra: [NIOSSLAdditionalTrustRoots] = []
        if let file = ProcessInfo.processInfo.environment["SSL_CERT_FILE"], FileManager.default.fileExists(atPath: file) {
            extra.append(.file(file))
        }
        if let dir = options.certificateDirectory {
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
            where name.hasSuffix(".crt") || name.hasSuffix(".pem") || name.hasSuffix(".cert") {
                extra.append(.file(dir + "/" + name))
            }
        }
        tls.additionalTrustRoots = extra
        return tls
    }

    /// Every request, at debug level: method, URL, status (`slipway -v`); never credentials.
    static let logger = Logger(label: "slipway.registry")

    /// Closes connections. Call once done. Waits at most 1 s: a connection still being made
    /// to a registry that never answers would hold it until its connect timeout, and the
    /// client finishes shutting down by itself.
    public func shutdown() async {
        let http = self.http
        let resumed = Mutex(false)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeOnce: @Sendable () -> Void = {
                if resumed.withLock({ done in defer { done = true }; return !done }) { continuation.resume() }
            }
            Task { try? await http.shutdown(); resumeOnce() }
            Task { try? await Task.sleep(for: .seconds(1)); resumeOnce() }
        }
    }

    /// Whether this client speaks plain HTTP (`http://`).
    public nonisolated var isPlainHTTP: Bool { scheme.withLock { $0.hasPrefix("http://") } }

    /// Switches to `https://` (after the scheme probe found TLS).
    nonisolated func useTLS() {
        scheme.withLock { $0 = "https://" + reference.registry }
    }

    // MARK: - Protocol

    /// `GET /v2/`: checks the registry answers and learns how it wants to be authenticated.
    public func ping() async throws {
        _ = try await send(.GET, "/v2/", what: "GET /v2/ on \(reference.registry)", expect: [200])
    }

    /// `HEAD /v2/<name>/blobs/<digest>`: whether the blob is already there.
    public func blobExists(_ digest: Digest) async throws -> Bool {
        let response = try await send(.HEAD, "/v2/\(reference.repository)/blobs/\(digest)", what: "HEAD blob \(digest)", expect: [200, 404])
        return response.status.code == 200
    }

    /// Cross-repository mount (`POST …/uploads/?mount=&from=`, distribution-spec v1.1 §"Mounting
    /// a blob from another repository"). `true` when the registry mounted it; `false` when it
    /// started a plain upload instead (202) or refused the mount (401/403 — no pull right on
    /// `repository`, or mounts disabled — or another 4xx): the caller uploads the blob, as
    /// containers/image does.
    /// - Throws: ``RegistryError`` for a registry that does not answer.
    public func mount(_ digest: Digest, from repository: String) async throws -> Bool {
        let path = "/v2/\(reference.repository)/blobs/uploads/?mount=\(digest)&from=\(repository)"
        let response: HTTPClient.Response
        do {
            response = try await send(.POST, path, what: "mount \(digest)", expect: [201, 202], extraScopes: ["repository:\(repository):pull"],
                                      body: { .bytes([UInt8]()) })
        } catch let error as RegistryError where error.isRefusal {
            Self.logger.debug("mount of \(digest) from \(repository) refused (\(error.message)): uploading it")
            return false
        }
        if response.status.code == 202, let location = response.headers.first(name: "Location") {
            _ = try? await send(.DELETE, location, what: "cancel upload", expect: [204, 404])
        }
        return response.status.code == 201
    }

    /// `HEAD /v2/<name>/manifests/<reference>` (distribution-spec v1.1 §"Checking if content
    /// exists in the registry"): the digest the registry holds under `reference` (a tag or a
    /// digest), from `Docker-Content-Digest`; `nil` when absent or when the registry does not say.
    public func manifestDigest(_ reference: String, mediaType: String) async throws -> Digest? {
        let response = try await send(.HEAD, "/v2/\(self.reference.repository)/manifests/\(reference)", what: "HEAD manifest \(reference)",
                                      expect: [200, 404], headers: [("Accept", mediaType)])
        guard response.status.code == 200 else { return nil }
        return response.headers.first(name: "Docker-Content-Digest").flatMap(Digest.init)
    }

    /// `PUT /v2/<name>/manifests/<reference>`. Returns the registry's `Docker-Content-Digest`.
    public func putManifest(_ bytes: [UInt8], mediaType: String, tag: String) async throws -> String? {
        let response = try await send(.PUT, "/v2/\(reference.repository)/manifests/\(tag)", what: "PUT manifest \(tag)", expect: [201],
                                      headers: [("Content-Type", mediaType)], body: { .bytes(bytes) })
        return response.headers.first(name: "Docker-Content-Digest")
    }

    // MARK: - Requests and retries

    func url(_ path: String) -> String {
        if path.hasPrefix("http://") || path.hasPrefix("https://") { return path }
        return scheme.withLock { $0 } + (path.hasPrefix("/") ? path : "/" + path)
    }

    /// Sends one request; with `retries`, tries it again as ``RegistryRetry`` says.
    /// - Parameter streaming: the body is an upload stream, so the request has no overall
    ///   deadline, only the idle timeouts (a large blob on a slow link takes what it takes).
    /// - Throws: ``RegistryError``: `.unavailable` (transient; after every try when `retries`),
    ///   `.noAnswer`, `.unauthorized` or `.rejected`; ``ImageError`` from a body's producer.
    func send(
        _ method: HTTPMethod, _ path: String, what: String, expect: Set<Int>, headers: [(String, String)] = [],
        extraScopes: [String] = [], retries: Bool = true, streaming: Bool = false, body: (@Sendable () -> HTTPClient.Body?)? = nil
    ) async throws -> HTTPClient.Response {
        var failures = 0
        var reauthenticated = false
        while true {
            do {
                let response = try await attempt(method, path, what: what, headers: headers, extraScopes: extraScopes,
                                                 streaming: streaming, body: body)
                let status = Int(response.status.code)
                if expect.contains(status) { return response }
                if status == 401 && !reauthenticated, let header = response.headers.first(name: "WWW-Authenticate"),
                   let challenge = AuthChallenge(header: header) {
                    try adopt(challenge, response: response)
                    reauthenticated = true
                    continue
                }
                throw refusal(response, what: what)
            } catch let error as RegistryError where error.isTransient {
                failures += 1
                guard retries else { throw error }
                try await wait(afterFailure: failures, of: error)
            }
        }
    }

    /// One try of a request. An HTTP answer of any status is returned (and counts as an
    /// answer for the no-answer limit); no answer is thrown as a transient `.unavailable`.
    private func attempt(
        _ method: HTTPMethod, _ path: String, what: String, headers: [(String, String)], extraScopes: [String],
        streaming: Bool, body: (@Sendable () -> HTTPClient.Body?)?
    ) async throws -> HTTPClient.Response {
        let started = ContinuousClock.now
        if silentSince == nil { silentSince = started }
        let target = url(path)
        var request = try HTTPClient.Request(url: target, method: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let authorization = try await authorization(extraScopes: extraScopes) {
            request.headers.add(name: "Authorization", value: authorization)
        }
        request.body = body?()
        do {
            let response = try await http.execute(request: request, deadline: streaming ? nil : deadline(from: started)).get()
            answered()
            Self.logger.debug("\(method) \(target) \(response.status.code)")
            return response
        } catch {
            Self.logger.debug("\(method) \(target): \(error)")
            if error is ImageError { throw error }
            throw RegistryError(transport: error, registry: reference.registry, what: what)
        }
    }

    /// The registry answered (any status): the no-answer clock starts again.
    func answered() {
        silentSince = .now
        everAnswered = true
    }

    /// A request's deadline: its timeout, but never past the no-answer limit.
    func deadline(from start: ContinuousClock.Instant, timeout: Duration? = nil) -> NIODeadline {
        let retry = options.retry
        let silentUntil = (silentSince ?? start) + retry.noAnswerLimit
        let end = min(start + (timeout ?? retry.requestTimeout), silentUntil)
        let left = max(end - ContinuousClock.now, .milliseconds(1))
        return .now() + .nanoseconds(Int64(left / .nanoseconds(1)))
    }

    /// Waits out the backoff before the next try of a step.
    /// - Throws: `.noAnswer` when the registry has given no answer for the no-answer limit, or
    ///   never answered in all the tries; `error` itself when the step is out of tries.
    func wait(afterFailure failures: Int, of error: RegistryError) async throws {
        let retry = options.retry
        let silence = ContinuousClock.now - (silentSince ?? .now)
        if silence >= retry.noAnswerLimit || (failures >= retry.attempts && !everAnswered) {
            var detail = "\(error)"
            if case .unavailable(_, let text) = error { detail = text }
            throw RegistryError.noAnswer(registry: reference.registry, seconds: Int(silence.components.seconds), detail: detail)
        }
        guard failures < retry.attempts else { throw error }
        try await Task.sleep(for: retry.delay(afterFailure: failures))
    }

    /// The error for an answer outside `expect`: transient for 5xx and 429.
    private func refusal(_ response: HTTPClient.Response, what: String) -> RegistryError {
        let status = Int(response.status.code)
        if status == 401 || status == 403 {
            return .unauthorized(registry: reference.registry, status: status, detail: Self.detail(response), hadCredentials: credentials != nil)
        }
        if status >= 500 || status == 429 {
            return .unavailable(what: what, detail: "HTTP \(status) \(Self.detail(response))")
        }
        return .rejected(what: what, status: status, detail: Self.detail(response))
    }

    /// The registry's own error text (`{"errors":[{"code","message"}]}`), or the status reason.
    static func detail(_ response: HTTPClient.Response) -> String {
        if var body = response.body, let bytes = body.readBytes(length: min(body.readableBytes, 4096)),
           let errors = RegistryJSON.decode(RegistryJSON.Errors.self, Data(bytes))?.errors, !errors.isEmpty {
            return errors.map { "\($0.code ?? "ERROR"): \($0.message ?? "")" }.joined(separator: "; ")
        }
        return response.status.reasonPhrase
    }
}
