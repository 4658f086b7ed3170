import SlipwayCore
import SlipwayManifest
import SlipwayOCI

/// One image of an image-mode release, as it reaches the host.
public struct ReleaseImage: Sendable {
    /// The `[images]` key; the container is `slipway-<target>-<name>`.
    public var name: String
    /// The image id: the digest of the image config (`podman image inspect` `.Id`).
    public var id: Digest
    /// The name it is loaded under on the host (`localhost/slipway/<target>-<name>:<hex12>`);
    /// units run the image by id, never by this tag.
    public var reference: String
    /// Compressed layer bytes, for the disk-space check.
    public var size: Int64
    /// Writes a docker-archive of the image into the descriptor (streamed into `podman load`).
    public var writeArchive: @Sendable (Int32) throws -> Void
    /// Where the host may pull the image by digest instead (an image `slipway ci` just pushed);
    /// when the pull fails the archive is sent as without it.
    public var pull: ImagePull?

    public init(
        name: String, id: Digest, reference: String, size: Int64,
        writeArchive: @escaping @Sendable (Int32) throws -> Void
    ) {
        self.name = name
        self.id = id
        self.reference = reference
        self.size = size
        self.writeArchive = writeArchive
    }
}

/// A registry reference by digest that a host can pull (`HOST[:PORT]/REPO@sha256:<manifest>`).
public struct ImagePull: Sendable, Hashable {
    /// `HOST[:PORT]/REPOSITORY@sha256:<hex>`: the manifest digest the push returned, never a tag.
    public var reference: String
    /// false: the host's podman pulls with `--tls-verify=false` (a loopback or `--tls-verify=false`
    /// registry, which may speak plain HTTP).
    public var verifyTLS: Bool

    public init(reference: String, verifyTLS: Bool) {
        self.reference = reference
        self.verifyTLS = verifyTLS
    }
}

/// A closure-mode release: one store path (a small run script referring to the service's
/// packages), whose closure is copied with `nix copy`.
public struct ReleaseClosure: Sendable, Hashable {
    /// `/nix/store/<hash>-slipway-<target>`; the Nix profile on the host points at it.
    public var storePath: String
    /// The account the unit runs as (`[services.NAME] user`), or root.
    public var user: String?

    public init(storePath: String, user: String?) {
        self.storePath = storePath
        self.user = user
    }
}

/// What one deploy puts on every host. Its ``id`` is content-addressed: an image digest (or a
/// digest over several images) or a store path, never a tag.
public struct Release: Sendable {
    public enum Content: Sendable {
        case images([ReleaseImage])
        case closure(ReleaseClosure)
    }

    public var content: Content
    /// The git commit of the project, when it is a git checkout.
    public var commit: String?

    public init(content: Content, commit: String?) {
        self.content = content
        self.commit = commit
    }

    /// `sha256:<hex>`: one image's id, or the digest of `name id` lines of several images;
    /// closure mode: the store path.
    public var id: String {
        switch content {
        case .images(let images) where images.count == 1: return images[0].id.description
        case .images(let images):
            let lines = images.map { "\($0.name) \($0.id)\n" }.joined()
            return Digest.of(Array(lines.utf8)).description
        case .closure(let closure): return closure.storePath
        }
    }

    /// 16 characters naming the release on the host: digest hex or store hash prefix.
    public var shortID: String { Self.short(id) }

    /// The short form of a release id (digest or store path).
    public static func short(_ id: String) -> String {
        if let digest = Digest(id) { return String(digest.hex.prefix(16)) }
        let base = id.split(separator: "/").last.map(String.init) ?? id
        return String(base.prefix(16))
    }
}

/// Makes the release of a target on the deploying machine: builds (or reuses) the images or
/// the closure of the target's profile.
///
/// The seam between SlipwayDeploy and image building / Nix: the command layer implements it
/// over today's image planner and environment resolver.
public protocol ReleaseSource: Sendable {
    /// - Throws: manifest, Nix and image errors, as the builders report them.
    func release(for spec: DeploySpec) async throws -> Release
}
