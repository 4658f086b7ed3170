import SlipwayCore
import SlipwayOCI

/// What a push did, for `--json` and the summary line.
public struct PushReport: Codable, Sendable {
    public struct Blob: Codable, Sendable {
        public enum Action: String, Codable, Sendable { case existed, mounted, uploaded }
        public var digest: Digest
        public var size: Int64
        public var action: Action
        public var bytesSent: Int64
        /// Bytes its producer wrote (read from the blob store, or tarred and compressed): its
        /// size once for a clean upload, more only when a retry needed them again; 0 when not uploaded.
        public var bytesProduced: Int64 = 0
        /// Where the uploaded bytes came from: `store` (the blob store, no compression during
        /// the push), `produced` (tarred and compressed again), `record` (the config); absent
        /// when nothing was uploaded.
        public var source: BlobSource?
    }

    public var repository: String
    public var tags: [String]
    public var manifestDigest: Digest
    public var blobs: [Blob]
    /// Every tag already named this manifest (one `HEAD` per tag): no blob was checked and
    /// nothing was sent; `blobs` then lists them as `existed`.
    public var upToDate = false
    /// What the user should know about how the push went (e.g. a fallback to a Docker
    /// schema 2 manifest); printed as `slipway: note:` lines.
    public var notes: [String] = []

    public var uploaded: Int { blobs.filter { $0.action == .uploaded }.count }
    public var bytesSent: Int64 { blobs.reduce(0) { $0 + $1.bytesSent } }
}
