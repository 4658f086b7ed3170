import Foundation

/// The JSON documents the registry client reads, as typed values.
enum RegistryJSON {
    /// A Docker `config.json` or a containers `auth.json`: `auths.HOST.{auth, identitytoken}`,
    /// `credHelpers.HOST`, `credsStore`. Other keys are ignored.
    struct AuthFile: Decodable {
        struct Entry: Decodable {
            var auth: String?
            var identitytoken: String?
        }

        var auths: [String: Entry]?
        var credHelpers: [String: String]?
        var credsStore: String?
    }

    /// `{"errors": [{"code", "message"}]}` (distribution spec, "Error codes").
    struct Errors: Decodable {
        struct Entry: Decodable {
            var code: String?
            var message: String?
        }

        var errors: [Entry]
    }

    /// A token service's answer (distribution `docs/spec/auth/token.md`): `token` or
    /// `access_token`, `expires_in` seconds.
    struct Token: Decodable {
        var token: String?
        var access_token: String?
        var expires_in: Double?
    }

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) -> T? {
        try? JSONDecoder().decode(T.self, from: data)
    }
}
