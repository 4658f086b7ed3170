import ArgumentParser
import SlipwayCore
import SlipwayOCI

/// `slipway cache info [--json]`
struct CacheInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show what the caches hold.")

    @Flag(help: "Print JSON.") var json = false

    /// What `cache info` reports.
    struct Info: Codable {
        var blobs: BlobStore.Usage
        var layers: LayerCache.Usage
    }

    func run() async throws {
        let info = Info(blobs: try BlobStore().usage(), layers: LayerCache().usage())
        if json {
            Terminal.write(try PrettyJSON.text(info) + "\n")
            return
        }
        let blobs = info.blobs
        Terminal.write("""
            blob store   \(blobs.directory)
                         \(blobs.count) blobs, \(ByteCount.format(blobs.bytes)) of \(ByteCount.format(blobs.capacity)) (\(BlobStore.capacityVariable))
            layer cache  \(info.layers.directory)
                         \(info.layers.count) layer digests

            """)
    }
}
