import SlipwayOCI

/// Where an image is pushed: `docker://HOST[:PORT]/REPOSITORY[:TAG]` (skopeo's transport), or
/// the same without the `docker://` prefix.
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    /// `host` or `host:port`.
    public var registry: String
    /// `group/name`, lower case (distribution-spec §"name" grammar).
    public var repository: String
    public var tag: String?

    /// - Throws: ``RegistryError/invalidReference(_:_:)``.
    public init(parsing text: String) throws {
        var rest = Substring(text)
        if rest.hasPrefix("docker://") {
            rest = rest.dropFirst(9)
        } else if let colon = rest.firstIndex(of: ":"), let slash = rest.firstIndex(of: "/"), colon < slash,
                  rest[rest.index(after: colon)...].first == "/" || !rest[rest.index(after: colon)..<slash].allSatisfy(\.isNumber) {
            // `oci:DIR`, `docker-archive:FILE`, `dir:…`: not a registry (`host:port/…` has digits after the colon).
            throw RegistryError.invalidReference(text, "push goes to a registry: docker://HOST[:PORT]/REPOSITORY[:TAG] (write files with `slipway image build --output`)")
        }
        guard let slash = rest.firstIndex(of: "/") else {
            throw RegistryError.invalidReference(text, "expected HOST[:PORT]/REPOSITORY[:TAG]")
        }
        let host = String(rest[..<slash])
        guard host.contains(".") || host.contains(":") || host == "localhost" else {
            throw RegistryError.invalidReference(text, "name the registry host (e.g. registry.example.com/app or localhost:5000/app)")
        }
        var path = String(rest[rest.index(after: slash)...])
        var tag: String?
        if let colon = path.lastIndex(of: ":") {
            tag = String(path[path.index(after: colon)...])
            path = String(path[..<colon])
        }
        if let at = path.firstIndex(of: "@") { path = String(path[..<at]) }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-/")
        guard !path.isEmpty, path.allSatisfy(allowed.contains), !path.hasPrefix("/"), !path.hasSuffix("/") else {
            throw RegistryError.invalidReference(text, "a repository is lower-case letters, digits, '.', '_', '-' and '/'")
        }
        if let tag {
            guard ImageTag.isValid(tag) else {
                throw RegistryError.invalidReference(text, "a tag is up to 128 letters, digits, '_', '.' and '-'")
            }
        }
        registry = host
        repository = path
        self.tag = tag
    }

    public var description: String { "\(registry)/\(repository)" + (tag.map { ":" + $0 } ?? "") }

    /// Whether plain HTTP is allowed without `--tls-verify=false` (loopback only).
    public var isLoopback: Bool {
        let host = registry.split(separator: ":").first.map(String.init) ?? registry
        return host == "localhost" || host == "127.0.0.1" || host == "[::1]"
    }
}
