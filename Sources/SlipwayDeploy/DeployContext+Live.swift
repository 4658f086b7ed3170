import Foundation
import SlipwayCore
import SlipwayManifest

extension DeployContext {
    /// A context over the real `ssh` and `nix`, with ssh control sockets in
    /// `/tmp/slipway-ssh-<uid>/` (mode 0700; short, as a socket path must be).
    /// - Throws: a file error when the control folder cannot be made.
    public static func live(
        root: String, environment: [String: String], progress: @escaping @Sendable (String) -> Void
    ) throws -> DeployContext {
        let controls = "/tmp/slipway-ssh-\(getuid())"
        try FileManager.default.createDirectory(
            atPath: controls, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return DeployContext(
            runner: ProcessRunner(), progress: progress, environment: environment, root: root, controlDirectory: controls)
    }
}

extension DeploySpec {
    /// The hosts `names` picks (each as written in `hosts`, or its host name); every host when
    /// `names` is empty.
    /// - Throws: ``DeployHostSelectionError`` for a name no host has.
    public func hosts(named names: [String]) throws -> [DeployHost] {
        try names.map { text in
            guard let match = hosts.first(where: { $0.description == text || $0.host == text }) else {
                throw DeployHostSelectionError(name: text, target: name, hosts: hosts.map(\.description))
            }
            return match
        }
    }
}

/// `--host H` names none of the target's hosts (a usage error: exit status 64).
public struct DeployHostSelectionError: SlipwayError {
    public var name: String
    public var target: String
    public var hosts: [String]

    public var message: String {
        "--host \(name) is not one of [deploy.\(target)] hosts: " + hosts.joined(separator: ", ")
    }
    public var exitCode: Int32 { 64 }
}
