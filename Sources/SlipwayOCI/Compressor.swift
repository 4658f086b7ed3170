import CDeflate
import CZstd
import Dispatch
import Foundation
import SlipwayCore

extension Compression {
    /// The OCI layer media type (image-spec v1.1 `media-types.md`).
    public var layerMediaType: String {
        switch self {
        case .gzip: "application/vnd.oci.image.layer.v1.tar+gzip"
        case .zstd: "application/vnd.oci.image.layer.v1.tar+zstd"
        case .none: "application/vnd.oci.image.layer.v1.tar"
        }
    }

    /// Bytes of uncompressed input per independently compressed block: 1 MiB for gzip (one
    /// gzip member each; deflate's window is only 32 KiB), 4 MiB for zstd (one frame each).
    public var blockSize: Int {
        switch self {
        case .gzip: 1 << 20
        case .zstd: 4 << 20
        case .none: 0
        }
    }

    /// A sink that compresses into `next`. The input is cut into fixed ``blockSize`` blocks,
    /// each compressed on its own (gzip: one RFC 1952 member, libdeflate level 6, header with
    /// mtime 0 and OS 3; zstd: one RFC 8878 frame, level 3, no checksum) and written in order,
    /// so the bytes depend only on the input, never on the number of cores that compressed them.
    /// Blocks are compressed `width` at a time (default: the active processor count).
    public func sink(into next: ByteSink, width: Int? = nil) -> ByteSink {
        let width = width.map { max(1, $0) } ?? ProcessorCount.active
        switch self {
        case .gzip: return BlockCompressor(into: next, blockSize: blockSize, width: width, codec: GzipBlock.init)
        case .zstd: return BlockCompressor(into: next, blockSize: blockSize, width: width, codec: ZstdBlock.init)
        case .none: return next
        }
    }
}

/// Compresses one block into a whole, independent gzip member or zstd frame. One instance
/// per worker: the underlying compressor state is never used by two threads at once (block
/// `i` of a batch always goes to codec `i`), hence `@unchecked Sendable` on the codecs.
protocol BlockCodec: AnyObject, Sendable {
    /// - Returns: the number of bytes written to `output` (sized by ``bound(_:)``).
    /// - Throws: ``ImageError/compression(_:)``.
    func compress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> Int
    /// The most bytes a block of `count` bytes can take.
    func bound(_ count: Int) -> Int
}

/// libdeflate's gzip at level 6 (smaller and about 3× cheaper than zlib's level 6).
final class GzipBlock: BlockCodec, @unchecked Sendable {
    private let compressor: OpaquePointer?

    init() { compressor = libdeflate_alloc_compressor(6) }
    deinit { libdeflate_free_compressor(compressor) }

    func bound(_ count: Int) -> Int { libdeflate_gzip_compress_bound(compressor, count) }

    func compress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        guard compressor != nil else { throw ImageError.compression("libdeflate could not allocate a compressor") }
        let n = libdeflate_gzip_compress(compressor, input.baseAddress, input.count, output.baseAddress, output.count)
        guard n >= 10 else { throw ImageError.compression("libdeflate: output buffer too small") }
        // The same header as before (XFL 0, OS 3 "Unix"); header bytes are outside the CRC.
        output[8] = 0
        output[9] = 3
        return n
    }
}

/// zstd at level 3, one frame per block, no checksum, no content size.
final class ZstdBlock: BlockCodec, @unchecked Sendable {
    private let context: OpaquePointer

    init() {
        context = ZSTD_createCCtx()
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, 3)
        ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 0)
        ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 0)
    }

    deinit { ZSTD_freeCCtx(context) }

    func bound(_ count: Int) -> Int { ZSTD_compressBound(count) }

    func compress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = ZSTD_compress2(context, output.baseAddress, output.count, input.baseAddress, input.count)
        if ZSTD_isError(n) != 0 { throw ImageError.compression(String(cString: ZSTD_getErrorName(n))) }
        return n
    }
}
