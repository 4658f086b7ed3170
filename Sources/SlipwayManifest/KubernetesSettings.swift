import SlipwayCore

extension DeploySpec {
    /// The `mode = "kubernetes"` keys of `[deploy.NAME]` (docs/manifest.md, docs/deploy.md "Kubernetes").
    public struct Kubernetes: Sendable, Hashable {
        /// A `ports` entry: the Service's port and the container port it forwards to.
        public struct Port: Sendable, Hashable {
            public var port: Int
            public var targetPort: Int
            /// `TCP` or `UDP` (Kubernetes' spelling).
            public var `protocol`: String

            public init(port: Int, targetPort: Int, protocol: String = "TCP") {
                self.port = port
                self.targetPort = targetPort
                self.protocol = `protocol`
            }
        }

        /// `cpu` / `memory` quantities (Kubernetes quantity syntax, e.g. `"250m"`, `"256Mi"`).
        public struct Resources: Sendable, Hashable {
            public var requests: [String: String] = [:]
            public var limits: [String: String] = [:]

            public init() {}
        }

        /// The namespace every object goes into; default `default`.
        public var namespace = "default"
        /// Pods of the Deployment; default 1.
        public var replicas = 1
        /// Service ports; none: no Service object.
        public var ports: [Port] = []
        public var resources = Resources()
        /// Where the images were pushed, `HOST[:PORT]/PATH`; each image runs as
        /// `<registry>/<image>@<manifest digest>`.
        public var registry: String?
        /// The kubeconfig context `kubectl` uses (`--context`); default: kubectl's current one.
        public var context: String?

        public init() {}
    }
}
