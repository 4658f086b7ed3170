/// Where a target lives on a host (`docs/deploy.md` "Host layout").
public struct HostPaths: Sendable, Hashable {
    public let target: String

    public init(target: String) { self.target = target }

    /// `/var/lib/slipway/<target>`: `releases/`, `current`, `previous`, `order`, `lock`.
    public var base: String { "/var/lib/slipway/" + target }
    public var releases: String { base + "/releases" }
    public func release(_ directory: String) -> String { releases + "/" + directory }
    /// The Nix profile whose generations are the closure releases.
    public var profile: String { "/nix/var/nix/profiles/slipway/" + target }
    public var unitDirectory: String { "/etc/systemd/system" }
    /// `slipway-<target>.service`, or `slipway-<target>-<image>.service` when a release has
    /// several images.
    public func unitName(image: String?) -> String {
        image.map { "slipway-\(target)-\($0).service" } ?? "slipway-\(target).service"
    }
    public func containerName(image: String) -> String { "slipway-\(target)-\(image)" }
    public var network: String { "slipway-" + target }
    public var activationUnit: String { "slipway-activate-" + target }
    public var deadmanUnit: String { "slipway-deadman-" + target }
    /// State of a closure-mode service (systemd `StateDirectory=`), kept across releases.
    public var stateDirectory: String { "/var/lib/slipway-" + target }
}
