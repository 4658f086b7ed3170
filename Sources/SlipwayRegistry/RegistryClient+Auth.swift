import AsyncHTTPClient
import Foundation
import NIOCore

extension RegistryClient {
    /// Takes the registry's `WWW-Authenticate` challenge from a 401 (tokens fetched again).
    /// - Throws: ``RegistryError/unauthorized(registry:status:detail:hadCredentials:)`` when it
    ///   asks for Basic credentials and there are none.
    func adopt(_ challenge: AuthChallenge, response: HTTPClient.Response) throws {
        self.challenge = challenge
        tokens.removeAll()
        if challenge.scheme == "basic" && credentials == nil {
            throw RegistryError.unauthorized(registry: reference.registry, status: 401, detail: Self.detail(response), hadCredentials: false)
        }
    }

    /// The `Authorization` header for the current challenge, if any.
    func authorization(extraScopes: [String]) async throws -> String? {
        guard let challenge else { return nil }
        switch challenge.scheme {
        case "basic":
            guard let credentials else { return nil }
            return "Basic " + Data("\(credentials.username):\(credentials.secret)".utf8).base64EncodedString()
        case "bearer":
            let scopes = ["repository:\(reference.repository):pull,push"] + extraScopes
            let key = scopes.joined(separator: " ")
            if let cached = tokens[key], cached.expires > Date() { return "Bearer " + cached.token }
            let token = try await fetchToken(challenge, scopes: scopes)
            tokens[key] = token
            return "Bearer " + token.token
        default:
            return nil
        }
    }

    /// The token flow (distribution `docs/spec/auth/token.md`).
    private func fetchToken(_ challenge: AuthChallenge, scopes: [String]) async throws -> (token: String, expires: Date) {
        guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm) else {
            throw RegistryError.protocolError("\(reference.registry) asked for a Bearer token without a realm")
        }
        var items = components.queryItems ?? []
        if let service = challenge.parameters["service"] { items.append(URLQueryItem(name: "service", value: service)) }
        for scope in scopes { items.append(URLQueryItem(name: "scope", value: scope)) }
        components.queryItems = items
        guard let tokenURL = components.url?.absoluteString else { throw RegistryError.protocolError("bad token realm \(realm)") }
        var request = try HTTPClient.Request(url: tokenURL, method: .GET)
        if let credentials {
            request.headers.add(name: "Authorization", value: "Basic " + Data("\(credentials.username):\(credentials.secret)".utf8).base64EncodedString())
        }
        let response: HTTPClient.Response
        do {
            response = try await http.execute(request: request, deadline: deadline(from: .now)).get()
            Self.logger.debug("GET \(tokenURL) \(response.status.code)")
        } catch {
            Self.logger.debug("GET \(tokenURL): \(error)")
            throw RegistryError(transport: error, registry: components.host ?? realm, what: "token request to \(components.host ?? realm)")
        }
        guard response.status.code == 200 else {
            throw RegistryError.unauthorized(registry: reference.registry, status: Int(response.status.code),
                                             detail: "token service: " + Self.detail(response), hadCredentials: credentials != nil)
        }
        var body = response.body ?? ByteBuffer()
        guard let bytes = body.readBytes(length: body.readableBytes),
              let answer = RegistryJSON.decode(RegistryJSON.Token.self, Data(bytes)),
              let token = answer.token ?? answer.access_token else {
            throw RegistryError.protocolError("the token service answered without a token")
        }
        let lifetime = answer.expires_in ?? 60
        return (token, Date().addingTimeInterval(max(10, lifetime - 10)))
    }
}
