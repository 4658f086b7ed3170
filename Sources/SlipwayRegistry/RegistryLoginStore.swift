import Foundation
import SlipwayCore

/// Where `slipway registry login` keeps credentials: the first auth file of the resolver's
/// search order (``CredentialResolver/loginFile``), as `auths.HOST.auth` (base64 `USER:PASSWORD`),
/// the format of podman's `auth.json` and Docker's `config.json`. Other keys of the file are kept.
public struct RegistryLoginStore: Sendable {
    /// The auth file written.
    public let file: String

    public init(resolver: CredentialResolver = CredentialResolver()) {
        file = resolver.loginFile
    }

    /// Adds or replaces `host`'s entry; the file is written atomically with mode 0600.
    /// - Throws: a file error when the folder or the file cannot be written, or the file holds
    ///   something other than a JSON object.
    public func save(_ credentials: Credentials, host: String) throws {
        var object: [String: Any] = [:]
        if let data = FileManager.default.contents(atPath: file) {
            // Untyped on purpose: keys Slipway does not know must survive the rewrite.
            guard let existing = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw RegistryError.credentials("\(file) is not a JSON object")
            }
            object = existing
        }
        var auths = object["auths"] as? [String: Any] ?? [:]
        auths[host] = ["auth": Data("\(credentials.username):\(credentials.secret)".utf8).base64EncodedString()]
        object["auths"] = auths
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try writePrivate(try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]))
    }

    private func writePrivate(_ data: Data) throws {
        let partial = file + ".partial-\(getpid())"
        guard FileManager.default.createFile(atPath: partial, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file])
        }
        guard rename(partial, file) == 0 else {
            unlink(partial)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file])
        }
    }
}
