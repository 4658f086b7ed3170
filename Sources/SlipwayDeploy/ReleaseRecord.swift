import Foundation

/// `releases/<dir>/release.json` on the host: what the release is and where it came from.
/// The outcome lives beside it in `outcome` (`activating`, `good`, `failed`, `rolled_back`).
public struct ReleaseRecord: Codable, Sendable, Hashable {
    public struct Image: Codable, Sendable, Hashable {
        public var name: String
        /// `sha256:<hex>` image id.
        public var id: String
        public var reference: String
    }

    public var formatVersion = 1
    public var target: String
    /// `sha256:<hex>` or a store path.
    public var id: String
    public var mode: String
    /// ISO 8601 UTC time the deploy started.
    public var time: String
    public var commit: String?
    public var images: [Image]?
    public var storePath: String?
    /// sha256 of the rendered units and env file: a release with the same id but other
    /// settings or secrets is a new release folder.
    public var configHash: String

    public init(target: String, release: Release, time: Date, configHash: String) {
        self.target = target
        self.id = release.id
        self.time = ISO8601DateFormatter().string(from: time)
        self.commit = release.commit
        self.configHash = configHash
        switch release.content {
        case .images(let images):
            mode = "image"
            self.images = images.map { Image(name: $0.name, id: $0.id.description, reference: $0.reference) }
        case .closure(let closure):
            mode = "closure"
            storePath = closure.storePath
        }
    }

    /// One line of JSON, keys sorted (the host's listing prints it on one line).
    public func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
