import CDeflate
import Foundation

extension GitRepository {
    /// `objects/`: loose objects (`xx/yyyy…`, zlib) and packs (`pack/*.idx` + `*.pack`).
    struct ObjectStore {
        enum ObjectType: Int, CustomStringConvertible {
            case commit = 1, tree = 2, blob = 3, tag = 4

            init?(name: String) {
                switch name {
                case "commit": self = .commit
                case "tree": self = .tree
                case "blob": self = .blob
                case "tag": self = .tag
                default: return nil
                }
            }

            var description: String { ["", "commit", "tree", "blob", "tag"][rawValue] }
        }

        struct Object {
            var type: ObjectType
            var data: [UInt8]
        }

        let directory: String

        /// The object named `id` (hex), loose first, then from each pack.
        /// - Throws: ``GitError``.
        func read(_ id: String) throws -> Object {
            let loosePath = directory + "/" + id.prefix(2) + "/" + id.dropFirst(2)
            if let data = FileManager.default.contents(atPath: loosePath) { return try Self.loose(Array(data), id: id) }
            let packs = ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/pack")) ?? []).filter { $0.hasSuffix(".idx") }.sorted()
            let name = Self.bytes(hex: id)
            for index in packs {
                let base = directory + "/pack/" + index.dropLast(4)
                guard let pack = try PackFile(index: base + ".idx", pack: base + ".pack", hashSize: name.count),
                      let offset = pack.offset(of: name) else { continue }
                return try pack.object(at: offset) { try read(Self.hex($0)) }
            }
            throw GitError.missing(id)
        }

        /// `TYPE SIZE\0DATA`, zlib-compressed.
        static func loose(_ compressed: [UInt8], id: String) throws -> Object {
            var capacity = max(4096, compressed.count * 4)
            while capacity <= 1 << 30 {
                if let (raw, _) = try Zlib.inflate(compressed[...], capacity: capacity, exact: false) {
                    guard let nul = raw.firstIndex(of: 0) else { break }
                    let header = String(decoding: raw[..<nul], as: UTF8.self).split(separator: " ")
                    guard header.count == 2, let type = ObjectType(name: String(header[0])), let size = Int(header[1]),
                          size == raw.count - nul - 1 else { break }
                    return Object(type: type, data: Array(raw[(nul + 1)...]))
                }
                capacity *= 4
            }
            throw GitError.corrupt("loose object \(id)")
        }

        static func bytes(hex: String) -> [UInt8] {
            var result: [UInt8] = []
            var index = hex.startIndex
            while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
                result.append(UInt8(hex[index..<next], radix: 16) ?? 0)
                index = next
            }
            return result
        }

        static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
    }
}

/// zlib streams through libdeflate (whole buffers: the output size must be known or bounded).
enum Zlib {
    /// Inflates one zlib stream at the start of `input` into at most `capacity` bytes
    /// (exactly `capacity` when `exact`).
    /// - Returns: the bytes and how many input bytes the stream used; `nil` when `capacity` was too small.
    /// - Throws: ``GitError/corrupt(_:)`` for bad data.
    static func inflate(_ input: ArraySlice<UInt8>, capacity: Int, exact: Bool) throws -> ([UInt8], Int)? {
        try input.withUnsafeBytes { try inflate($0, capacity: capacity, exact: exact) }
    }

    static func inflate(_ source: UnsafeRawBufferPointer, capacity: Int, exact: Bool) throws -> ([UInt8], Int)? {
        guard let decompressor = libdeflate_alloc_decompressor() else { throw GitError.corrupt("out of memory") }
        defer { libdeflate_free_decompressor(decompressor) }
        var output = [UInt8](repeating: 0, count: max(capacity, 1))
        var used = 0, written = 0
        let result = output.withUnsafeMutableBytes { target in
            libdeflate_zlib_decompress_ex(decompressor, source.baseAddress, source.count, target.baseAddress, capacity, &used, &written)
        }
        switch result {
        case LIBDEFLATE_SUCCESS:
            guard !exact || written == capacity else { throw GitError.corrupt("inflated \(written) bytes, expected \(capacity)") }
            return (Array(output.prefix(written)), used)
        case LIBDEFLATE_INSUFFICIENT_SPACE: return nil
        default: throw GitError.corrupt("bad zlib data")
        }
    }
}
