import AsyncHTTPClient
import SlipwayCore
import SlipwayOCI

extension RegistryClient {
    /// A chunked upload (distribution-spec §"Pushing a blob in chunks"): `POST`, then `PATCH`es
    /// with inclusive `Content-Range`s, following each new `Location`, then
    /// `PUT <Location>?digest=`. The blob is produced once, chunk after chunk
    /// (``ChunkProducer``). After a failed `PATCH` it asks the registry how much it has
    /// (`GET <Location>` → `Range`) and sends the rest of the chunk in hand; only when the
    /// registry lost bytes of earlier chunks is the blob produced again, from byte 0, skipping
    /// what the registry has. Each chunk gets the tries ``RegistryRetry`` allows.
    /// - Throws: ``RegistryError``; ``ImageError`` when the layer cannot be produced again.
    public func uploadInChunks(
        _ digest: Digest, size: Int64, onBytes: @escaping @Sendable (Int) -> Void = { _ in },
        produce: @escaping @Sendable (ByteSink) throws -> Void
    ) async throws -> UploadCost {
        let tally = UploadTally()
        let chunkSize = Int(options.chunkSize)
        var location = try await startUpload(digest)
        var source = ChunkProducer(chunkSize: chunkSize, tally: tally, produce: produce)
        defer { source.stop() }
        var chunkStart: Int64 = 0  // the blob offset of `chunk`'s first byte
        var offset: Int64 = 0      // what the registry has
        var chunk = try await source.next()
        var failures = 0
        while let bytes = chunk {
            let last = chunkStart + Int64(bytes.count) - 1
            let piece = Array(bytes[Int(offset - chunkStart)...])
            do {
                let response = try await send(
                    .PATCH, location, what: "upload of \(digest) (bytes \(offset)-\(last))", expect: [202],
                    headers: [("Content-Type", "application/octet-stream"), ("Content-Range", "\(offset)-\(last)")], retries: false,
                    body: { onBytes(piece.count); tally.add(sent: piece.count); return .bytes(piece) })
                if let next = response.headers.first(name: "Location") { location = next }
                failures = 0
                offset = last + 1
                chunkStart = offset
                chunk = try await source.next()
            } catch let error as RegistryError where error.isTransient || error.status == 416 {
                failures += 1
                try await wait(afterFailure: failures, of: error)
                let status = try await uploadStatus(digest, at: location, failures: &failures)
                location = status.location
                if status.offset >= chunkStart && status.offset <= last + 1 {
                    offset = status.offset
                    if offset == last + 1 {
                        chunkStart = offset
                        chunk = try await source.next()
                    }
                } else {
                    // The registry lost earlier chunks (or counts more than was sent): produce again.
                    source.stop()
                    offset = min(status.offset, chunkStart)
                    chunkStart = offset
                    source = ChunkProducer(chunkSize: chunkSize, skip: offset, tally: tally, produce: produce)
                    chunk = try await source.next()
                }
            }
        }
        guard offset == size else {
            throw RegistryError.protocolError("the blob \(digest) came out as \(offset) bytes, its build record says \(size)")
        }
        try await commit(digest, at: location)
        return UploadCost(sent: tally.sent, produced: tally.produced)
    }
}

extension RegistryError {
    /// The HTTP status of a rejection, if it is one.
    var status: Int? {
        if case .rejected(_, let status, _) = self { return status }
        return nil
    }
}
