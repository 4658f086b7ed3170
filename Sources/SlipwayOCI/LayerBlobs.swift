import SlipwayCore

/// Where a blob's bytes came from when it was written out (pushed, or put in a layout).
public enum BlobSource: String, Codable, Sendable {
    /// Streamed from the ``BlobStore``, with no tar or compression work.
    case store
    /// Tarred and compressed again from the layer's store paths (the store did not have it).
    case produced
    /// Held in the build record (the image config).
    case record
}

/// A built image's layer blobs, from the ``BlobStore`` when it has them, else produced again
/// from their ``LayerSpec`` exactly as the build did (same bytes, same digest) and kept in
/// the store on the way.
public struct LayerBlobs: Sendable {
    public let store: BlobStore?
    public let compression: Compression
    /// Entry mtime, seconds since the epoch (the build record's).
    public let mtime: Int

    public init(store: BlobStore?, compression: Compression, mtime: Int) {
        self.store = store
        self.compression = compression
        self.mtime = mtime
    }

    /// The blobs of `record`, with `store`.
    public init(_ record: BuildRecord, store: BlobStore?) {
        self.init(store: store, compression: record.compression, mtime: record.mtime)
    }

    /// Writes the blob of `layer` to `sink` and finishes it.
    /// - Returns: where the bytes came from.
    /// - Throws: ``ImageError/corruptBlob(_:)`` when the stored blob was corrupt (it is then
    ///   removed, and the same call again produces it); ``ImageError/digestMismatch(layer:expected:got:)``
    ///   when the layer no longer produces the recorded bytes; the sink's errors.
    public func write(_ layer: BuildRecord.Layer, to sink: ByteSink) throws -> BlobSource {
        if let store, try store.copy(layer.digest, size: layer.size, to: sink) { return .store }
        let keeper = store?.writer()
        try LayerDigest.writeBlob(layer, compression: compression, mtime: mtime, to: keeper.map { TeeSink(sink, $0) as ByteSink } ?? sink)
        keeper?.commit(layer.digest)
        return .produced
    }

    /// Writes the blob of `layer` to the file `path` (whole or not at all), producing it again
    /// when the stored one turns out corrupt.
    public func writeFile(_ layer: BuildRecord.Layer, to path: String) throws -> BlobSource {
        do {
            return try ImageWriter.atomically(path) { try write(layer, to: $0) }
        } catch ImageError.corruptBlob {
            return try ImageWriter.atomically(path) { try write(layer, to: $0) }
        }
    }
}
