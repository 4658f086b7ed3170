import ArgumentParser

/// `slipway cache info|gc`
struct Cache: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Show and trim the per-user caches (layer digests and the blob store).",
        discussion: """
            The blob store ($XDG_CACHE_HOME/slipway/blobs) keeps every compressed layer blob a build \
            made, so `image push` and `--output oci:` stream it instead of compressing again. It holds \
            at most SLIPWAY_BLOB_STORE_MAX_SIZE bytes (default 10G; 0 keeps none); the least recently \
            used blobs go first. A blob that is gone is produced again, with the same digest.
            """,
        subcommands: [CacheInfo.self, CacheGC.self, CacheExport.self])
}
