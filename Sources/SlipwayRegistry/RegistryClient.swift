import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import SlipwayCore
import SlipwayOCI

/// An OCI distribution client for one repository (distribution-spec v1.1 §Push).
///
/// Authentication follows the registry's `WWW-Authenticate` challenge: anonymous, Basic, or the
/// Bearer token flow (token fetched from `realm` with `service` and `scope`, cached until it
/// expires, fetched again on a 401). 5xx answers and dropped connections are retried with
/// exponential backoff (0.25 s doubling, 8 attempts); other 4xx fail with the registry's own
/// error message. Credentials never appear in errors.
public actor RegistryClient {
    /// TLS and transport options.
    public struct Options: Sendable {
        /// `false`: accept any certificate, and plain HTTP for any host (prints a warning).
        public var verifyTLS = true
        /// Extra CA certificates (`*.crt`, `*.pem`) to trust, besides the system's and `SSL_CERT_FILE`.
        public var certificateDirectory: String?
        public var attempts = 8
        /// Seconds to wait for a connection (and for each read: 12 times that).
        public var connectTimeout: Int64 = 10
        /// Blobs larger than this go up in `PATCH` chunks of this size (bytes), resumable.
        public var chunkSize: Int64 = 32 << 20

        public init(verifyTLS: Bool = true, certificateDirectory: String? = nil) {
            self.verifyTLS = verifyTLS
            self.certificateDirectory = certificateDirectory
        }
    }

    public let reference: ImageReference
    let base: String
    private let http: HTTPClient
    private let credentials: Credentials?
    private let options: Options
    private var challenge: AuthChallenge?
    private var tokens: [String: (token: String, expires: Date)] = [:]

    /// - Parameters:
    ///   - plainHTTP: use `http://` (allowed for loopback registries, or with `verifyTLS == false`).
    public init(reference: ImageReference, credentials: Credentials?, options: Options, plainHTTP: Bool) throws {
        self.reference = reference
        self.credentials = credentials
        self.options = options
        base = (plainHTTP ? "http://" : "https://") + reference.registry
        var tls = TLSConfiguration.makeClientConfiguration()
        if !options.verifyTLS {
            tls.certificateVerification = .none
        } else {
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
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .follow(max: 5, allowCycles: false))
        configuration.timeout = .init(connect: .seconds(options.connectTimeout), read: .seconds(options.connectTimeout * 12))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Every request, at debug level: method, URL, status (`slipway -v`); never credentials.
    static let logger = Logger(label: "slipway.registry")

    /// Closes connections. Call once done.
    public func shutdown() async {
        try? await http.shutdown()
    }

    // MARK: - Protocol

    /// `GET /v2/`: checks the registry answers and learns how it wants to be authenticated.
    public func ping() async throws {
        let response = try await send(.GET, "/v2/", what: "GET /v2/ on \(reference.registry)", expect: [200])
        _ = response
    }

    /// `HEAD /v2/<name>/blobs/<digest>`: whether the blob is already there.
    public func blobExists(_ digest: Digest) async throws -> Bool {
        let response = try await send(.HEAD, "/v2/\(reference.repository)/blobs/\(digest)", what: "HEAD blob \(digest)", expect: [200, 404])
        return response.status.code == 200
    }

    /// Cross-repository mount (`POST …/uploads/?mount=&from=`). `true` when the registry mounted it.
    public func mount(_ digest: Digest, from repository: String) async throws -> Bool {
        let path = "/v2/\(reference.repository)/blobs/uploads/?mount=\(digest)&from=\(repository)"
        let response = try await send(.POST, path, what: "mount \(digest)", expect: [201, 202], extraScopes: ["repository:\(repository):pull"],
                                      body: { .bytes([UInt8]()) })
        if response.status.code == 202, let location = response.headers.first(name: "Location") {
            _ = try? await send(.DELETE, location, what: "cancel upload", expect: [204, 404])
        }
        return response.status.code == 201
    }

    /// Uploads one blob: `POST …/blobs/uploads/`, then one `PUT <Location>?digest=` with the
    /// bytes `produce` writes (streamed as they are made; retried by producing them again).
    /// The registry checks the digest before committing the blob.
    /// - Returns: bytes sent.
    public func upload(
        _ digest: Digest, size: Int64, onBytes: @escaping @Sendable (Int) -> Void = { _ in },
        produce: @escaping @Sendable (ByteSink) throws -> Void
    ) async throws -> Int64 {
        if size > options.chunkSize { return try await uploadInChunks(digest, size: size, onBytes: onBytes, produce: produce) }
        var lastError: Error?
        for attempt in 0..<options.attempts {
            if attempt > 0 { try await Task.sleep(for: .milliseconds(250 << min(attempt - 1, 5))) }
            let start = try await send(.POST, "/v2/\(reference.repository)/blobs/uploads/", what: "start upload of \(digest)",
                                       expect: [202], body: { .bytes([UInt8]()) })
            guard let location = start.headers.first(name: "Location") else {
                throw RegistryError.protocolError("the registry answered 202 without a Location for the upload of \(digest)")
            }
            let target = location + (location.contains("?") ? "&" : "?") + "digest=\(digest)"
            let loop = http.eventLoopGroup.next()
            do {
                _ = try await send(.PUT, target, what: "upload of \(digest)", expect: [201], headers: [("Content-Type", "application/octet-stream")],
                                   retries: false, body: {
                    .stream(contentLength: size) { writer in
                        let promise = loop.makePromise(of: Void.self)
                        Thread {
                            do {
                                let sink = StreamSink(writer: writer, onBytes: onBytes)
                                try produce(sink)
                                try sink.finish()
                                promise.succeed(())
                            } catch {
                                promise.fail(error)
                            }
                        }.start()
                        return promise.futureResult
                    }
                })
                return size
            } catch let error as RegistryError {
                if case .rejected = error { throw error }
                if case .unauthorized = error { throw error }
                lastError = error
            } catch let error as ImageError {
                throw error
            } catch {
                lastError = error
            }
        }
        throw RegistryError.unavailable(what: "upload of \(digest)", detail: lastError.map { "\($0)" } ?? "unknown")
    }

    /// A chunked upload (distribution-spec §"Pushing a blob in chunks"): `POST`, then `PATCH`es
    /// with inclusive `Content-Range`s, following each new `Location`; after a failure it asks
    /// the registry how much it has (`GET <Location>` → `Range: 0-N`) and resumes from there
    /// (the bytes before are produced again and skipped); finally `PUT <Location>?digest=`.
    /// - Returns: bytes sent (more than `size` when chunks were sent again).
    public func uploadInChunks(
        _ digest: Digest, size: Int64, onBytes: @escaping @Sendable (Int) -> Void = { _ in },
        produce: @escaping @Sendable (ByteSink) throws -> Void
    ) async throws -> Int64 {
        let start = try await send(.POST, "/v2/\(reference.repository)/blobs/uploads/", what: "start upload of \(digest)",
                                   expect: [202], body: { .bytes([UInt8]()) })
        guard var location = start.headers.first(name: "Location") else {
            throw RegistryError.protocolError("the registry answered 202 without a Location for the upload of \(digest)")
        }
        var offset: Int64 = 0
        var sent: Int64 = 0
        var failures = 0
        let loop = http.eventLoopGroup.next()
        while offset < size {
            let first = offset
            let last = min(offset + options.chunkSize, size) - 1
            do {
                let response = try await send(
                    .PATCH, location, what: "upload of \(digest) (bytes \(first)-\(last))", expect: [202],
                    headers: [("Content-Type", "application/octet-stream"), ("Content-Range", "\(first)-\(last)")], retries: false,
                    body: {
                        .stream(contentLength: last - first + 1) { writer in
                            let promise = loop.makePromise(of: Void.self)
                            Thread {
                                let sink = StreamSink(writer: writer, onBytes: onBytes)
                                do {
                                    try produce(SliceSink(first: first, last: last, into: sink))
                                    promise.succeed(())
                                } catch is SliceSink.Done {
                                    do { try sink.finish(); promise.succeed(()) } catch { promise.fail(error) }
                                } catch {
                                    promise.fail(error)
                                }
                            }.start()
                            return promise.futureResult
                        }
                    })
                sent += last - first + 1
                offset = last + 1
                failures = 0  // each chunk gets its own retries
                if let next = response.headers.first(name: "Location") { location = next }
            } catch let error as RegistryError {
                if case .rejected(_, let status, _) = error, status != 416 { throw error }
                if case .unauthorized = error { throw error }
                failures += 1
                guard failures < options.attempts else { throw error }
                try await Task.sleep(for: .milliseconds(250 << min(failures - 1, 5)))
                // Where is the upload? `Range: 0-N` means N+1 bytes are there.
                let status = try await send(.GET, location, what: "status of the upload of \(digest)", expect: [204])
                if let next = status.headers.first(name: "Location") { location = next }
                if let range = status.headers.first(name: "Range"), let end = range.split(separator: "-").last.flatMap({ Int64($0) }) {
                    // distribution answers `0-0` for an empty upload too; chunks are never 1 byte.
                    offset = end == 0 ? 0 : end + 1
                } else {
                    offset = 0
                }
            } catch {
                throw error
            }
        }
        let target = location + (location.contains("?") ? "&" : "?") + "digest=\(digest)"
        _ = try await send(.PUT, target, what: "commit of \(digest)", expect: [201], body: { .bytes([UInt8]()) })
        return sent
    }

    /// `PUT /v2/<name>/manifests/<reference>`. Returns the registry's `Docker-Content-Digest`.
    public func putManifest(_ bytes: [UInt8], mediaType: String, tag: String) async throws -> String? {
        let response = try await send(.PUT, "/v2/\(reference.repository)/manifests/\(tag)", what: "PUT manifest \(tag)", expect: [201],
                                      headers: [("Content-Type", mediaType)], body: { .bytes(bytes) })
        return response.headers.first(name: "Docker-Content-Digest")
    }

    // MARK: - Requests, auth, retries

    private func url(_ path: String) -> String {
        if path.hasPrefix("http://") || path.hasPrefix("https://") { return path }
        return base + (path.hasPrefix("/") ? path : "/" + path)
    }

    private func send(
        _ method: HTTPMethod, _ path: String, what: String, expect: Set<Int>, headers: [(String, String)] = [],
        extraScopes: [String] = [], retries: Bool = true, body: (@Sendable () -> HTTPClient.Body?)? = nil
    ) async throws -> HTTPClient.Response {
        var attempt = 0
        var reauthenticated = false
        while true {
            attempt += 1
            let target = url(path)
            var request = try HTTPClient.Request(url: target, method: method)
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let authorization = try await authorization(extraScopes: extraScopes) {
                request.headers.add(name: "Authorization", value: authorization)
            }
            request.body = body?()
            let response: HTTPClient.Response
            do {
                response = try await http.execute(request: request).get()
            } catch {
                Self.logger.debug("\(method) \(target): \(error)")
                if error is ImageError { throw error }
                guard retries, attempt < options.attempts else {
                    throw RegistryError.unavailable(what: what, detail: "\(error)")
                }
                try await Task.sleep(for: .milliseconds(250 << min(attempt - 1, 5)))
                continue
            }
            let status = Int(response.status.code)
            Self.logger.debug("\(method) \(target) \(status)")
            if expect.contains(status) { return response }
            if status == 401 && !reauthenticated, let header = response.headers.first(name: "WWW-Authenticate"),
               let challenge = AuthChallenge(header: header) {
                self.challenge = challenge
                tokens.removeAll()
                reauthenticated = true
                if challenge.scheme == "basic" && credentials == nil {
                    throw RegistryError.unauthorized(registry: reference.registry, status: status, detail: Self.detail(response), hadCredentials: false)
                }
                continue
            }
            if status == 401 || status == 403 {
                throw RegistryError.unauthorized(registry: reference.registry, status: status, detail: Self.detail(response), hadCredentials: credentials != nil)
            }
            if status >= 500 || status == 429, retries, attempt < options.attempts {
                try await Task.sleep(for: .milliseconds(250 << min(attempt - 1, 5)))
                continue
            }
            if status >= 500 || status == 429 {
                throw RegistryError.unavailable(what: what, detail: "HTTP \(status) \(Self.detail(response))")
            }
            throw RegistryError.rejected(what: what, status: status, detail: Self.detail(response))
        }
    }

    /// The registry's own error text (`{"errors":[{"code","message"}]}`), or the status reason.
    static func detail(_ response: HTTPClient.Response) -> String {
        if var body = response.body, let bytes = body.readBytes(length: min(body.readableBytes, 4096)),
           let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
           let errors = object["errors"] as? [[String: Any]], !errors.isEmpty {
            return errors.map { "\($0["code"] as? String ?? "ERROR"): \($0["message"] as? String ?? "")" }.joined(separator: "; ")
        }
        return response.status.reasonPhrase
    }

    private func authorization(extraScopes: [String]) async throws -> String? {
        guard let challenge else { return nil }
        switch challenge.scheme {
        case "basic":
            guard let credentials else { return nil }
            return "Basic " + Data("\(credentials.username):\(credentials.secret)".utf8).base64EncodedString()
        case "bearer":
            let scopes = ["repository:\(reference.repository):pull,push"] + extraScopes
            let key = scopes.joined(separator: " ")
            if let cached = tokens[key], cached.expires > Date() { return "Bearer " + cached.token }
            let token = try await fetchToken(challenge, scopes: scopes)
            tokens[key] = token
            return "Bearer " + token.token
        default:
            return nil
        }
    }

    /// The token flow (distribution `docs/spec/auth/token.md`).
    private func fetchToken(_ challenge: AuthChallenge, scopes: [String]) async throws -> (token: String, expires: Date) {
        guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm) else {
            throw RegistryError.protocolError("\(reference.registry) asked for a Bearer token without a realm")
        }
        var items = components.queryItems ?? []
        if let service = challenge.parameters["service"] { items.append(URLQueryItem(name: "service", value: service)) }
        for scope in scopes { items.append(URLQueryItem(name: "scope", value: scope)) }
        components.queryItems = items
        guard let tokenURL = components.url?.absoluteString else { throw RegistryError.protocolError("bad token realm \(realm)") }
        var request = try HTTPClient.Request(url: tokenURL, method: .GET)
        if let credentials {
            request.headers.add(name: "Authorization", value: "Basic " + Data("\(credentials.username):\(credentials.secret)".utf8).base64EncodedString())
        }
        let response: HTTPClient.Response
        do {
            response = try await http.execute(request: request).get()
            Self.logger.debug("GET \(tokenURL) \(response.status.code)")
        } catch {
            Self.logger.debug("GET \(tokenURL): \(error)")
            throw RegistryError.unavailable(what: "token request to \(components.host ?? realm)", detail: "\(error)")
        }
        guard response.status.code == 200 else {
            throw RegistryError.unauthorized(registry: reference.registry, status: Int(response.status.code),
                                             detail: "token service: " + Self.detail(response), hadCredentials: credentials != nil)
        }
        var body = response.body ?? ByteBuffer()
        guard let bytes = body.readBytes(length: body.readableBytes),
              let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
              let token = (object["token"] as? String) ?? (object["access_token"] as? String) else {
            throw RegistryError.protocolError("the token service answered without a token")
        }
        let lifetime = (object["expires_in"] as? Double) ?? 60
        return (token, Date().addingTimeInterval(max(10, lifetime - 10)))
    }
}

/// Sends produced bytes to an upload in 256 KiB chunks, waiting for each write (back-pressure:
/// the tar writer never runs ahead of the network by more than one chunk).
final class StreamSink: ByteSink, @unchecked Sendable {
    private let writer: HTTPClient.Body.StreamWriter
    private let onBytes: @Sendable (Int) -> Void
    private var buffer: [UInt8] = []

    init(writer: HTTPClient.Body.StreamWriter, onBytes: @escaping @Sendable (Int) -> Void) {
        self.writer = writer
        self.onBytes = onBytes
        buffer.reserveCapacity(1 << 18)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 18 { try flush() }
    }

    func finish() throws { try flush() }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try writer.write(.byteBuffer(ByteBuffer(bytes: buffer))).wait()
        onBytes(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Passes on only bytes `first...last` of a stream; stops the producer after `last`.
final class SliceSink: ByteSink {
    struct Done: Error {}
    private let first: Int64
    private let last: Int64
    private let next: ByteSink
    private var position: Int64 = 0

    init(first: Int64, last: Int64, into next: ByteSink) {
        self.first = first
        self.last = last
        self.next = next
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        let start = position
        let end = position + Int64(bytes.count)  // exclusive
        position = end
        let from = max(start, first), to = min(end, last + 1)
        if from < to {
            try next.write(UnsafeRawBufferPointer(rebasing: bytes[Int(from - start)..<Int(to - start)]))
        }
        if position > last { throw Done() }
    }

    func finish() throws {
        try next.finish()
    }
}
