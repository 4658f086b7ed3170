import SlipwayManifest
import SlipwayOCI

/// ``ReleaseSource`` over images another stage already built, and maybe pushed: `slipway ci`'s
/// deploy stage deploys the digests it just pushed instead of building again. Targets of other
/// modes get their release from `fallback`.
public struct BuiltReleaseSource: ReleaseSource {
    /// One built image: its build record, and where the host may pull it by digest.
    public struct Image: Sendable {
        public var record: BuildRecord
        public var pull: ImagePull?

        public init(record: BuildRecord, pull: ImagePull?) {
            self.record = record
            self.pull = pull
        }
    }

    /// By `[images]` key.
    public let images: [String: Image]
    /// The project root (for the git commit in the release record).
    public let root: String
    public let fallback: any ReleaseSource

    public init(images: [String: Image], root: String, fallback: any ReleaseSource) {
        self.images = images
        self.root = root
        self.fallback = fallback
    }

    /// - Throws: ``DeployError/release(_:)`` when an image of an image-mode target was not built;
    ///   `fallback`'s errors for other modes.
    public func release(for spec: DeploySpec) async throws -> Release {
        guard spec.mode == .image else { return try await fallback.release(for: spec) }
        let list = try spec.images.map { name in
            guard let built = images[name] else {
                throw DeployError.release(
                    "[deploy.\(spec.name)] runs image '\(name)', which this run did not build "
                        + "(built: \(images.keys.sorted().joined(separator: ", ")))")
            }
            var image = ReleaseImage(target: spec.name, name: name, record: built.record)
            image.pull = built.pull
            return image
        }
        return Release(content: .images(list), commit: GitCommit.read(root: root))
    }
}
