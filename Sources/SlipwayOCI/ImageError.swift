import SlipwayCore

/// Why an image could not be built or written.
public enum ImageError: SlipwayError, Sendable {
    case io(String, String)
    case compression(String)
    /// Two sources for one image path with different content.
    case conflict(path: String, first: String, second: String)
    /// Regenerated layer bytes did not match the recorded digest (a store path changed?).
    case digestMismatch(layer: String, expected: Digest, got: Digest)
    case invalidOutput(String)
    /// The requested image is not in the manifest or has no build record.
    case unknownImage(String, known: [String])
    case notBuilt(String)
    /// The manifest has no `[images.NAME]`.
    case noImages
    case tool(String)
    /// A setting (an environment variable) has a value that cannot be used.
    case invalidSetting(String)
    /// A blob in the ``BlobStore`` does not hash to its name (it was removed; produce it again).
    case corruptBlob(Digest)
    /// The build record is older than a file it was built from (the manifest, a `copy` source,
    /// an artifact's `include`): the image and the project differ.
    case stale(image: String, newer: String)

    public var message: String {
        switch self {
        case .io(let path, let reason): "\(path): \(reason)"
        case .compression(let reason): "compression failed: \(reason)"
        case .conflict(let path, let first, let second):
            "two different sources for \(path) in the image: \(first) and \(second)"
        case .digestMismatch(let layer, let expected, let got):
            "layer \(layer) came out as \(got), but the build record says \(expected)"
        case .invalidOutput(let text): text
        case .unknownImage(let name, _): "no image named '\(name)'"
        case .notBuilt(let name): "image '\(name)' has not been built"
        case .noImages: "the manifest has no [images.NAME] table"
        case .tool(let text): text
        case .invalidSetting(let text): text
        case .corruptBlob(let digest): "the stored blob \(digest) is corrupt (its bytes have another digest); it was removed"
        case .stale(let image, let newer): "image '\(image)' was built before \(newer) changed; rebuild it before pushing"
        }
    }

    public var hint: String? {
        switch self {
        case .conflict: "keep one of them, or copy to another path"
        case .digestMismatch: "rebuild the image: `slipway image build`"
        case .invalidOutput: "use oci:DIR[:TAG], oci-archive:FILE[:TAG] or docker-archive:FILE[:REPO:TAG]"
        case .unknownImage(_, let known): known.isEmpty ? "add an [images.NAME] table to slipway.toml" : "images: \(known.joined(separator: ", "))"
        case .notBuilt(let name): "run `slipway image build \(name)` first"
        case .stale(let image, _): "rebuild: `slipway image build \(image)`, then push again"
        case .noImages: "add one, e.g. [images.app] with contents = [\"php\"] and entrypoint = [\"php-fpm\"] (docs/manifest.md)"
        default: nil
        }
    }
}
