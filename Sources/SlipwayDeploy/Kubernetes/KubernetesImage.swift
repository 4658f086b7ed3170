import SlipwayCore

/// One container of a Kubernetes release: an image as the cluster pulls it, by digest.
public struct KubernetesImage: Sendable, Hashable {
    /// The `[images]` key; the container's name.
    public var name: String
    /// `<registry>/<name>`.
    public var repository: String
    /// The pushed manifest's digest (the build record's OCI manifest digest).
    public var digest: Digest
    /// The image's `ports` (`[images.NAME] ports`), as container ports.
    public var ports: [DeploySpecPort]

    /// A container port and its protocol (`TCP`/`UDP`).
    public struct DeploySpecPort: Sendable, Hashable {
        public var port: Int
        public var `protocol`: String

        public init(port: Int, protocol: String) {
            self.port = port
            self.protocol = `protocol`
        }

        /// `"9000/tcp"`, `"53/udp"`, `"80"`; `nil` when not a port.
        public init?(parsing text: String) {
            let parts = text.split(separator: "/")
            guard let first = parts.first, let port = Int(first), (1...65535).contains(port) else { return nil }
            self.port = port
            self.protocol = parts.count > 1 && parts[1].lowercased() == "udp" ? "UDP" : "TCP"
        }
    }

    public init(name: String, repository: String, digest: Digest, ports: [DeploySpecPort]) {
        self.name = name
        self.repository = repository
        self.digest = digest
        self.ports = ports
    }

    /// `<repository>@sha256:<hex>`.
    public var reference: String { "\(repository)@\(digest)" }
}
