import AsyncHTTPClient
import Foundation
import NIOCore
import SlipwayCore
import SlipwayOCI

extension RegistryClient {
    /// What one blob upload cost, in bytes.
    public struct UploadCost: Sendable, Equatable {
        /// Bytes sent to the registry, resent ones included.
        public var sent: Int64
        /// Bytes produced from the store (tar and compression work), produced-again ones included.
        public var produced: Int64
    }

    /// Uploads one blob: `POST …/blobs/uploads/`, then one `PUT <Location>?digest=` with the
    /// bytes `produce` writes, streamed as they are made. A failed `PUT` is tried again on the
    /// same upload (on a new one when the registry answers that it does not know it), sending
    /// the bytes kept from the first try (produced again only when the first try did not get
    /// them all). Blobs over ``Options/chunkSize`` go up in chunks
    /// (``uploadInChunks(_:size:onBytes:produce:)``). The registry checks the digest.
    /// - Throws: ``RegistryError`` after the tries ``RegistryRetry`` allows; ``ImageError``.
    public func upload(
        _ digest: Digest, size: Int64, onBytes: @escaping @Sendable (Int) -> Void = { _ in },
        produce: @escaping @Sendable (ByteSink) throws -> Void
    ) async throws -> UploadCost {
        if size > options.chunkSize { return try await uploadInChunks(digest, size: size, onBytes: onBytes, produce: produce) }
        let tally = UploadTally()
        var capture = BlobCapture(limit: Int(size))
        var failures = 0
        var location: String?
        let loop = http.eventLoopGroup.next()
        while true {
            do {
                let target: String
                if let location { target = location } else { target = try await startUpload(digest) }
                location = target
                let body: @Sendable () -> HTTPClient.Body?
                if let kept = capture.whole(size: size) {
                    body = { onBytes(kept.count); tally.add(sent: kept.count); return .bytes(kept) }
                } else {
                    let fresh = BlobCapture(limit: Int(size))
                    capture = fresh
                    body = { Self.streamed(size: size, loop: loop, tally: tally, capture: fresh, onBytes: onBytes, produce: produce) }
                }
                _ = try await send(.PUT, target + (target.contains("?") ? "&" : "?") + "digest=\(digest)",
                                   what: "upload of \(digest)", expect: [201], headers: [("Content-Type", "application/octet-stream")],
                                   retries: false, streaming: true, body: body)
                return UploadCost(sent: tally.sent, produced: tally.produced)
            } catch let error as RegistryError where error.isTransient || [400, 404, 416].contains(error.status) {
                // A 5xx or no answer leaves the upload open: PUT to it again. A registry that
                // no longer knows it (404, 400, 416) gets a new one.
                if !error.isTransient { location = nil }
                failures += 1
                try await wait(afterFailure: failures, of: error)
            }
        }
    }

    /// A body streamed from `produce` on its own thread, as the bytes are made.
    static func streamed(
        size: Int64, loop: any EventLoop, tally: UploadTally, capture: BlobCapture?,
        onBytes: @escaping @Sendable (Int) -> Void, produce: @escaping @Sendable (ByteSink) throws -> Void
    ) -> HTTPClient.Body {
        .stream(contentLength: size) { writer in
            let promise = loop.makePromise(of: Void.self)
            Thread {
                do {
                    let sink = StreamSink(writer: writer, tally: tally, capture: capture, onBytes: onBytes)
                    try produce(sink)
                    try sink.finish()
                    promise.succeed(())
                } catch {
                    promise.fail(error)
                }
            }.start()
            return promise.futureResult
        }
    }

    /// `POST …/blobs/uploads/` → the upload's `Location`.
    func startUpload(_ digest: Digest) async throws -> String {
        let start = try await send(.POST, "/v2/\(reference.repository)/blobs/uploads/", what: "start upload of \(digest)",
                                   expect: [202], body: { .bytes([UInt8]()) })
        guard let location = start.headers.first(name: "Location") else {
            throw RegistryError.protocolError("the registry answered 202 without a Location for the upload of \(digest)")
        }
        return location
    }

    /// `PUT <Location>?digest=` with no body, ending an upload. A retried commit whose first
    /// try did land gets a 404 for the upload; the blob is then there, which is checked.
    func commit(_ digest: Digest, at location: String) async throws {
        let target = location + (location.contains("?") ? "&" : "?") + "digest=\(digest)"
        do {
            _ = try await send(.PUT, target, what: "commit of \(digest)", expect: [201], body: { .bytes([UInt8]()) })
        } catch RegistryError.rejected(let what, 404, let detail) {
            guard try await blobExists(digest) else { throw RegistryError.rejected(what: what, status: 404, detail: detail) }
        }
    }

    /// `GET <Location>` → how many bytes the registry has (`Range: 0-N` means N+1; distribution
    /// answers `0-0` for an empty upload too, and chunks are never 1 byte) and the next Location.
    func uploadStatus(
        _ digest: Digest, at location: String, failures: inout Int
    ) async throws -> (offset: Int64, location: String) {
        while true {
            do {
                let status = try await send(.GET, location, what: "status of the upload of \(digest)", expect: [204], retries: false)
                let next = status.headers.first(name: "Location") ?? location
                guard let range = status.headers.first(name: "Range"),
                      let end = range.split(separator: "-").last.flatMap({ Int64($0) }) else { return (0, next) }
                return (end == 0 ? 0 : end + 1, next)
            } catch let error as RegistryError where error.isTransient {
                failures += 1
                try await wait(afterFailure: failures, of: error)
            }
        }
    }
}
