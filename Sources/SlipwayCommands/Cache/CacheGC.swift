import ArgumentParser
import SlipwayCore
import SlipwayOCI

/// `slipway cache gc [--max-size SIZE] [--json]`
struct CacheGC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove least recently used blobs until the blob store fits its cap (or --max-size).")

    @Option(name: .customLong("max-size"), help: "Keep at most this much: bytes, or e.g. 512M, 10G; 0 removes every blob.")
    var maxSize: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let store = try BlobStore()
        var limit: Int64?
        if let maxSize {
            guard let parsed = ByteCount.parse(maxSize) else { throw ValidationError("--max-size \(maxSize) is not a size (bytes, or e.g. 512M, 10G)") }
            limit = parsed
        }
        let eviction = store.evict(toFit: limit)
        if json {
            Terminal.write(try PrettyJSON.text(eviction) + "\n")
            return
        }
        let left = store.usage()
        Terminal.write("removed \(eviction.removed.count) blobs (\(ByteCount.format(eviction.bytes))); "
                       + "\(left.count) blobs, \(ByteCount.format(left.bytes)) left in \(left.directory)\n")
    }
}
