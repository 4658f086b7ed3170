import SlipwayCore

/// A deploy host as written in `hosts`: `[user@]host[:port]`, host a name, IPv4 or `[IPv6]`.
public struct DeployHost: Sendable, Hashable, Codable, CustomStringConvertible {
    public var user: String?
    public var host: String
    public var port: Int?

    public init(user: String?, host: String, port: Int?) {
        self.user = user
        self.host = host
        self.port = port
    }

    /// Parses `[user@]host[:port]`.
    /// - Returns: the host, or why the address is malformed.
    public static func parse(_ text: String) -> Result<DeployHost, HostParseError> {
        var rest = Substring(text)
        var user: String?
        if let at = rest.lastIndex(of: "@") {
            user = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
            if user?.isEmpty == true { return .failure(.init("the user before '@' is empty")) }
        }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                return .failure(.init("an IPv6 address needs a closing ']'"))
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return .failure(.init("expected ':PORT' after ']'")) }
                portText = after.dropFirst()
            }
        } else if let colon = rest.firstIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        let allowed = host.allSatisfy { $0.isLetter || $0.isNumber || "-._:".contains($0) }
        if host.isEmpty || !allowed { return .failure(.init("'\(host)' is not a host name or address")) }
        var port: Int?
        if let portText {
            guard let n = Int(portText), (1...65535).contains(n) else {
                return .failure(.init("'\(portText)' is not a port between 1 and 65535"))
            }
            port = n
        }
        if let user, !user.allSatisfy({ $0.isLetter || $0.isNumber || "-._".contains($0) }) {
            return .failure(.init("'\(user)' is not a user name"))
        }
        return .success(DeployHost(user: user, host: String(host), port: port))
    }

    /// `user@host` as ssh takes it (the port goes to `-p`).
    public var destination: String { (user.map { $0 + "@" } ?? "") + host }

    /// `user@host[:port]`, as written.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return (user.map { $0 + "@" } ?? "") + shownHost + (port.map { ":\($0)" } ?? "")
    }

    /// Whether the ssh user is root (no privilege command needed); no user means ssh's default.
    public var isRoot: Bool { user == nil || user == "root" }
}

/// Why a host address could not be parsed.
public struct HostParseError: Error, Sendable, Hashable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}
