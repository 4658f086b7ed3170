import Foundation
import SlipwayCore

/// A content descriptor (OCI image-spec v1.1 `descriptor.md`).
public struct Descriptor: Codable, Sendable, Hashable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var annotations: [String: String]?

    public init(mediaType: String, digest: Digest, size: Int64, annotations: [String: String]? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
    }
}

/// An image manifest (image-spec `manifest.md`).
public struct ImageManifest: Codable, Sendable {
    public var schemaVersion = 2
    public var mediaType = MediaTypes.manifest
    public var config: Descriptor
    public var layers: [Descriptor]
}

/// An image index (image-spec `image-index.md`), as `index.json` of an OCI layout.
public struct ImageIndex: Codable, Sendable {
    public var schemaVersion = 2
    public var mediaType = MediaTypes.index
    public var manifests: [Descriptor]
}

/// The image configuration (image-spec `config.md`). Keys as the spec spells them.
public struct ImageConfiguration: Codable, Sendable {
    public struct Config: Codable, Sendable {
        public var User: String?
        public var Env: [String]?
        public var Entrypoint: [String]?
        public var Cmd: [String]?
        public var WorkingDir: String?
        public var ExposedPorts: [String: EmptyObject]?
        public var Labels: [String: String]?
        /// The signal `stop` sends (`SIGINT`); absent: the runtime's default, SIGTERM.
        public var StopSignal: String?

        public init(
            User: String? = nil, Env: [String]? = nil, Entrypoint: [String]? = nil, Cmd: [String]? = nil, WorkingDir: String? = nil,
            ExposedPorts: [String: EmptyObject]? = nil, Labels: [String: String]? = nil
        ) {
            self.User = User
            self.Env = Env
            self.Entrypoint = Entrypoint
            self.Cmd = Cmd
            self.WorkingDir = WorkingDir
            self.ExposedPorts = ExposedPorts
            self.Labels = Labels
        }

        /// This configuration with `StopSignal` set.
        public func stopping(with signal: String?) -> Config {
            var config = self
            config.StopSignal = signal
            return config
        }
    }

    public struct RootFS: Codable, Sendable {
        public var type = "layers"
        public var diff_ids: [Digest]
    }

    public struct History: Codable, Sendable {
        public var created: String
        public var created_by: String
        public var comment: String?
    }

    public var created: String
    public var architecture: String
    public var os = "linux"
    public var config: Config
    public var rootfs: RootFS
    public var history: [History]
}

/// `{}` in JSON (for `ExposedPorts`).
public struct EmptyObject: Codable, Sendable, Hashable {
    public init() {}
}

/// Media types Slipway writes (image-spec `media-types.md`; Docker's for docker-archive).
public enum MediaTypes {
    public static let manifest = "application/vnd.oci.image.manifest.v1+json"
    public static let index = "application/vnd.oci.image.index.v1+json"
    public static let config = "application/vnd.oci.image.config.v1+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
}

/// Canonical JSON: sorted keys, no escaped slashes, no whitespace. The same value always gives
/// the same bytes, so digests of configs and manifests are reproducible.
public enum CanonicalJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }
}
