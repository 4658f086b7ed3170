#if canImport(Glibc)
import Glibc
#endif

/// A deterministic tar writer (POSIX ustar with pax extended headers, as GNU tar reads them).
///
/// Every header has the same mtime (`mtime`, seconds since the epoch), the entry's uid/gid and
/// names; no atime/ctime, no device numbers. Names longer than 100 bytes, link targets longer
/// than 100 bytes and sizes of 8 GiB or more go in a pax `x` header before the entry (POSIX.1-2001
/// `pax` format). Hard links are never written: files are always written with their bytes.
/// The caller sorts entries; ``LayerTree`` does.
public final class TarWriter {
    private let sink: ByteSink
    public let mtime: Int

    public init(sink: ByteSink, mtime: Int) {
        self.sink = sink
        self.mtime = mtime
    }

    /// Writes one entry (header, then the file's bytes and padding).
    /// - Throws: ``ImageError/io(_:_:)`` when a source file cannot be read or changed size.
    public func write(_ entry: TarEntry) throws {
        var name = entry.name
        var typeflag: UInt8 = 0x30  // '0'
        var linkname = ""
        switch entry.kind {
        case .directory:
            name += "/"
            typeflag = 0x35  // '5'
        case .symlink(let target):
            typeflag = 0x32  // '2'
            linkname = target
        case .file, .bytes:
            break
        }
        try writeHeader(name: name, typeflag: typeflag, linkname: linkname, size: entry.size, mode: entry.mode,
                        uid: entry.uid, gid: entry.gid, uname: entry.uname, gname: entry.gname)
        switch entry.kind {
        case .file(let path, let size):
            try copyFile(path, size: size)
            try pad(size)
        case .bytes(let bytes):
            try sink.write(bytes)
            try pad(Int64(bytes.count))
        default:
            break
        }
    }

    /// Writes a regular-file header for `size` bytes that the caller then streams with
    /// ``body(_:)`` and ends with ``pad(_:)`` (used for archives of blobs).
    public func writeFileHeader(name: String, size: Int64, mode: UInt32 = 0o644) throws {
        try writeHeader(name: name, typeflag: 0x30, linkname: "", size: size, mode: mode, uid: 0, gid: 0, uname: "root", gname: "root")
    }

    public func writeDirectoryHeader(name: String) throws {
        try writeHeader(name: name.hasSuffix("/") ? name : name + "/", typeflag: 0x35, linkname: "", size: 0, mode: 0o755,
                        uid: 0, gid: 0, uname: "root", gname: "root")
    }

    /// The sink, for streaming a file body after ``writeFileHeader(name:size:mode:)``.
    public var body: ByteSink { sink }

    /// Zero bytes up to the next 512-byte boundary after `size` bytes of content.
    public func pad(_ size: Int64) throws {
        let rest = Int(size % 512)
        if rest != 0 { try sink.write([UInt8](repeating: 0, count: 512 - rest)) }
    }

    /// The end-of-archive marker (two zero blocks), then ``ByteSink/finish()``.
    public func finish() throws {
        try sink.write([UInt8](repeating: 0, count: 1024))
        try sink.finish()
    }

    // MARK: - Headers

    private func writeHeader(
        name: String, typeflag: UInt8, linkname: String, size: Int64, mode: UInt32, uid: Int, gid: Int,
        uname: String, gname: String
    ) throws {
        var pax: [(String, String)] = []
        let nameBytes = Array(name.utf8)
        let linkBytes = Array(linkname.utf8)
        if nameBytes.count > 100 { pax.append(("path", name)) }
        if linkBytes.count > 100 { pax.append(("linkpath", linkname)) }
        if size > 0o77777777777 { pax.append(("size", String(size))) }
        if uid > 0o7777777 { pax.append(("uid", String(uid))) }
        if gid > 0o7777777 { pax.append(("gid", String(gid))) }
        if !pax.isEmpty {
            var records: [UInt8] = []
            for (key, value) in pax { records += Self.paxRecord(key, value) }
            let paxName = "PaxHeaders/" + String(decoding: nameBytes.suffix(80), as: UTF8.self)
            try sink.write(Self.header(name: Array(paxName.utf8).prefix(100).map { $0 }, typeflag: 0x78, linkname: [],
                                       size: Int64(records.count), mode: 0o644, uid: 0, gid: 0, mtime: mtime, uname: "", gname: ""))
            try sink.write(records)
            try pad(Int64(records.count))
        }
        try sink.write(Self.header(
            name: Array(nameBytes.prefix(100)), typeflag: typeflag, linkname: Array(linkBytes.prefix(100)),
            size: size > 0o77777777777 ? 0 : size, mode: mode, uid: min(uid, 0o7777777), gid: min(gid, 0o7777777),
            mtime: mtime, uname: uname, gname: gname))
    }

    /// `"<length> key=value\n"` where length counts the whole record (POSIX pax).
    static func paxRecord(_ key: String, _ value: String) -> [UInt8] {
        let body = " \(key)=\(value)\n"
        var length = body.utf8.count + 1
        while String(length).utf8.count + body.utf8.count > length { length += 1 }
        return Array((String(length) + body).utf8)
    }

    static func header(
        name: [UInt8], typeflag: UInt8, linkname: [UInt8], size: Int64, mode: UInt32, uid: Int, gid: Int, mtime: Int,
        uname: String, gname: String
    ) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ bytes: [UInt8], at offset: Int, width: Int) {
            for (i, byte) in bytes.prefix(width).enumerated() { block[offset + i] = byte }
        }
        func octal(_ value: Int64, at offset: Int, width: Int) {
            let digits = String(value, radix: 8)
            let padded = String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits
            put(Array(padded.utf8), at: offset, width: width - 1)
        }
        put(name, at: 0, width: 100)
        octal(Int64(mode & 0o7777), at: 100, width: 8)
        octal(Int64(uid), at: 108, width: 8)
        octal(Int64(gid), at: 116, width: 8)
        octal(size, at: 124, width: 12)
        octal(Int64(mtime), at: 136, width: 12)
        block[156] = typeflag
        put(linkname, at: 157, width: 100)
        put(Array("ustar\0".utf8), at: 257, width: 6)
        put(Array("00".utf8), at: 263, width: 2)
        put(Array(uname.utf8), at: 265, width: 31)
        put(Array(gname.utf8), at: 297, width: 31)
        for i in 148..<156 { block[i] = 0x20 }
        let checksum = block.reduce(0) { $0 + Int($1) }
        let text = String(checksum, radix: 8)
        put(Array((String(repeating: "0", count: max(0, 6 - text.count)) + text).utf8), at: 148, width: 6)
        block[154] = 0
        block[155] = 0x20
        return block
    }

    private func copyFile(_ path: String, size: Int64) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ImageError.io(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var total: Int64 = 0
        while total < size {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, Int(size - total))) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ImageError.io(path, String(cString: strerror(errno)))
            }
            if n == 0 { break }
            try buffer.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            total += Int64(n)
        }
        guard total == size else { throw ImageError.io(path, "changed size while it was read (\(total) of \(size) bytes)") }
    }
}
