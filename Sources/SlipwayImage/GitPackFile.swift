import Foundation

extension GitRepository.ObjectStore {
    /// One pack: its `.idx` (version 2: fan-out, sorted names, CRCs, 4-byte offsets, 8-byte
    /// offsets) and the `.pack` (entries: a type-and-size header, then zlib data; deltas name
    /// their base by a negative offset, `OFS_DELTA`, or by object name, `REF_DELTA`).
    struct PackFile {
        let index: Data
        let pack: Data
        let hashSize: Int

        /// `nil` when the index is not version 2.
        /// - Throws: the file system's error.
        init?(index indexPath: String, pack packPath: String, hashSize: Int) throws {
            index = try Data(contentsOf: URL(fileURLWithPath: indexPath), options: .alwaysMapped)
            pack = try Data(contentsOf: URL(fileURLWithPath: packPath), options: .alwaysMapped)
            self.hashSize = hashSize
            guard index.count > 8 + 1024, Array(index.prefix(8)) == [0xFF, 0x74, 0x4F, 0x63, 0, 0, 0, 2] else { return nil }
        }

        private func uint32(_ data: Data, _ at: Int) -> UInt32 {
            data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> UInt32 in
                var value: UInt32 = 0
                for i in 0..<4 { value = value << 8 | UInt32(raw[at + i]) }
                return value
            }
        }

        /// The pack offset of object `name`, by binary search in its fan-out bucket.
        func offset(of name: [UInt8]) -> Int? {
            guard let first = name.first else { return nil }
            let count = Int(uint32(index, 8 + 255 * 4))
            var low = first == 0 ? 0 : Int(uint32(index, 8 + (Int(first) - 1) * 4))
            var high = Int(uint32(index, 8 + Int(first) * 4))
            let names = 8 + 1024
            while low < high {
                let middle = (low + high) / 2
                let start = names + middle * hashSize
                let candidate = Array(index[(index.startIndex + start)..<(index.startIndex + start + hashSize)])
                if candidate == name {
                    let offsets = names + count * hashSize + count * 4
                    let small = uint32(index, offsets + middle * 4)
                    guard small & 0x8000_0000 != 0 else { return Int(small) }
                    let large = offsets + count * 4 + Int(small & 0x7FFF_FFFF) * 8
                    return Int(UInt64(uint32(index, large)) << 32 | UInt64(uint32(index, large + 4)))
                }
                if candidate.lexicographicallyPrecedes(name) { low = middle + 1 } else { high = middle }
            }
            return nil
        }

        /// The object at `offset`, deltas applied; `byName` reads a `REF_DELTA` base.
        /// - Throws: ``GitError/corrupt(_:)``.
        func object(at offset: Int, depth: Int = 0, byName: ([UInt8]) throws -> Object) throws -> Object {
            guard depth < 1000, offset >= 12, offset < pack.count else { throw GitError.corrupt("pack offset \(offset)") }
            let bytes = pack.withUnsafeBytes { Array($0[offset..<min(pack.count, offset + 32 + hashSize)]) }
            var at = 0
            var byte = Int(bytes[at]); at += 1
            let type = (byte >> 4) & 7
            var size = byte & 0x0F, shift = 4
            while byte & 0x80 != 0, at < bytes.count {
                byte = Int(bytes[at]); at += 1
                size |= (byte & 0x7F) << shift
                shift += 7
            }
            var base: Object?
            if type == 6 {  // OFS_DELTA: base at offset - (a big-endian base-128 number, each continuation +1)
                byte = Int(bytes[at]); at += 1
                var distance = byte & 0x7F
                while byte & 0x80 != 0, at < bytes.count {
                    byte = Int(bytes[at]); at += 1
                    distance = ((distance + 1) << 7) | (byte & 0x7F)
                }
                base = try object(at: offset - distance, depth: depth + 1, byName: byName)
            } else if type == 7 {  // REF_DELTA: the base's object name
                base = try byName(Array(bytes[at..<(at + hashSize)]))
                at += hashSize
            }
            let start = offset + at
            let inflated = try pack.withUnsafeBytes { raw in
                try Zlib.inflate(UnsafeRawBufferPointer(rebasing: raw[start...]), capacity: size, exact: true)
            }
            guard let (inflated, _) = inflated else {
                throw GitError.corrupt("pack entry at \(offset) is larger than its header says")
            }
            if let base { return Object(type: base.type, data: try Self.apply(delta: inflated, to: base.data)) }
            guard let objectType = ObjectType(rawValue: type) else { throw GitError.corrupt("pack entry type \(type) at \(offset)") }
            return Object(type: objectType, data: inflated)
        }

        /// A git delta: base size, result size (base-128, little-endian), then copy
        /// (`1xxxxxxx`: offset and size bytes by bit) and insert (`0nnnnnnn`: n literal bytes).
        static func apply(delta: [UInt8], to base: [UInt8]) throws -> [UInt8] {
            var at = 0
            func varint() -> Int {
                var value = 0, shift = 0
                while at < delta.count {
                    let byte = Int(delta[at]); at += 1
                    value |= (byte & 0x7F) << shift
                    shift += 7
                    if byte & 0x80 == 0 { break }
                }
                return value
            }
            guard varint() == base.count else { throw GitError.corrupt("delta base size") }
            let size = varint()
            var result: [UInt8] = []
            result.reserveCapacity(size)
            while at < delta.count {
                let command = Int(delta[at]); at += 1
                if command & 0x80 != 0 {
                    var offset = 0, length = 0
                    for bit in 0..<4 where command & (1 << bit) != 0 { offset |= Int(delta[at]) << (8 * bit); at += 1 }
                    for bit in 0..<3 where command & (0x10 << bit) != 0 { length |= Int(delta[at]) << (8 * bit); at += 1 }
                    if length == 0 { length = 0x10000 }
                    guard offset + length <= base.count else { throw GitError.corrupt("delta copy out of range") }
                    result += base[offset..<(offset + length)]
                } else if command != 0 {
                    guard at + command <= delta.count else { throw GitError.corrupt("delta insert out of range") }
                    result += delta[at..<(at + command)]
                    at += command
                } else {
                    throw GitError.corrupt("delta command 0")
                }
            }
            guard result.count == size else { throw GitError.corrupt("delta result size") }
            return result
        }
    }
}
