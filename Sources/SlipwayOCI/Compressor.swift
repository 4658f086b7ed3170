import CZlib
import CZstd
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

    /// A sink that compresses into `next`. Output is deterministic: gzip at level 6 with an
    /// empty header (no name, mtime 0, OS 3), zstd at level 3, single-threaded, no checksum.
    public func sink(into next: ByteSink) -> ByteSink {
        switch self {
        case .gzip: GzipSink(into: next)
        case .zstd: ZstdSink(into: next)
        case .none: next
        }
    }
}

/// zlib deflate with a gzip wrapper.
final class GzipSink: ByteSink {
    private var stream = z_stream()
    private let next: ByteSink
    private var output = [UInt8](repeating: 0, count: 1 << 18)

    init(into next: ByteSink) {
        self.next = next
        _ = slipway_deflate_init_gzip(&stream, 6)
    }

    deinit {
        deflateEnd(&stream)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(bytes.count)
        try pump(flush: Z_NO_FLUSH)
    }

    func finish() throws {
        stream.next_in = nil
        stream.avail_in = 0
        try pump(flush: Z_FINISH)
        try next.finish()
    }

    /// zlib's documented loop (zpipe.c): call deflate until it leaves output space unused.
    private func pump(flush: Int32) throws {
        var full = true
        while full {
            let produced: Int = try output.withUnsafeMutableBytes { out in
                stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(out.count)
                if deflate(&stream, flush) == Z_STREAM_ERROR { throw ImageError.compression("deflate failed") }
                full = stream.avail_out == 0
                return out.count - Int(stream.avail_out)
            }
            if produced > 0 { try output.withUnsafeBytes { try next.write(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) } }
        }
    }
}

/// zstd streaming compression.
final class ZstdSink: ByteSink {
    private let context: OpaquePointer
    private let next: ByteSink
    private var output = [UInt8](repeating: 0, count: Int(ZSTD_CStreamOutSize()))

    init(into next: ByteSink) {
        self.next = next
        context = ZSTD_createCCtx()
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, 3)
        ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 0)
        ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 0)
    }

    deinit {
        ZSTD_freeCCtx(context)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        var input = ZSTD_inBuffer(src: bytes.baseAddress, size: bytes.count, pos: 0)
        while input.pos < input.size {
            try step(&input, ZSTD_e_continue)
        }
    }

    func finish() throws {
        var input = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
        while try step(&input, ZSTD_e_end) != 0 {}
        try next.finish()
    }

    @discardableResult
    private func step(_ input: inout ZSTD_inBuffer, _ mode: ZSTD_EndDirective) throws -> Int {
        var remaining = 0
        let produced: Int = try output.withUnsafeMutableBytes { out in
            var buffer = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
            remaining = ZSTD_compressStream2(context, &buffer, &input, mode)
            if ZSTD_isError(remaining) != 0 { throw ImageError.compression(String(cString: ZSTD_getErrorName(remaining))) }
            return buffer.pos
        }
        if produced > 0 { try output.withUnsafeBytes { try next.write(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) } }
        return remaining
    }
}
