import SlipwayCore

/// The check of a `ready = { ... }` table: exactly one of `exec`, `http`, `tcp`, `log`, `unix`;
/// `http` (a path) together with `unix` is HTTP over that socket; `ca` and `insecure` go with an
/// `https://` URL only.
extension ServiceDecoder {
    mutating func probeKind(_ found: ProbeFields, node: TOMLNode) -> ServiceSpec.ProbeKind? {
        let keys = Set(found.kinds.map(\.key))
        guard found.kinds.count == 1 || (found.kinds.count == 2 && keys == ["http", "unix"]) else {
            add(.invalidValue(key: node.dottedPath, reason: "give exactly one of exec, http, tcp, log or unix "
                + "(or http = \"/path\" with unix = \"socket\")"), node.valueLocation)
            return nil
        }
        let value: (String) -> TOMLNode? = { key in found.kinds.first { $0.key == key }?.node }
        if let http = value("http"), let socket = value("unix") { return unixHTTP(http, socket: socket, found) }
        if let http = value("http") { return self.http(http, found) }
        if let extra = found.ca?.1 ?? found.insecure?.1 {
            invalid(extra, "'\(extra.path.last ?? "")' applies to an https:// probe only")
            return nil
        }
        guard let (key, node) = found.kinds.first else { return nil }
        switch key {
        case "exec": return string(node).map { .exec($0) }
        case "tcp": return tcp(node)
        case "log": return log(node)
        default: return nonEmpty(node, what: "socket path").map { .unix($0) }
        }
    }

    private mutating func unixHTTP(_ http: TOMLNode, socket: TOMLNode, _ found: ProbeFields) -> ServiceSpec.ProbeKind? {
        guard let path = string(http), let socketPath = nonEmpty(socket, what: "socket path") else { return nil }
        guard path.hasPrefix("/") else {
            invalid(http, "over a unix socket, http is a path such as \"/health\"")
            return nil
        }
        if let extra = found.ca?.1 ?? found.insecure?.1 { invalid(extra, "a unix socket probe has no TLS"); return nil }
        return .unixHTTP(socket: socketPath, path: path)
    }

    private mutating func http(_ node: TOMLNode, _ found: ProbeFields) -> ServiceSpec.ProbeKind? {
        guard let target = string(node) else { return nil }
        if target.hasPrefix("https://") {
            if let ca = found.ca?.1, found.insecure?.0 == true {
                invalid(ca, "give either ca or insecure = true, not both")
                return nil
            }
            return .https(url: target, ca: found.ca?.0, insecure: found.insecure?.0 ?? false)
        }
        if let extra = found.ca?.1 ?? found.insecure?.1 {
            invalid(extra, "'\(extra.path.last ?? "")' applies to an https:// probe only")
            return nil
        }
        guard target.hasPrefix("/") || target.hasPrefix("http://") else {
            invalid(node, "use a path such as \"/health\", or a full http:// or https:// URL")
            return nil
        }
        return .http(target)
    }

    /// A port number, or "$PORT" for the service's own port.
    private mutating func tcp(_ node: TOMLNode) -> ServiceSpec.ProbeKind? {
        if case .string("$PORT") = node.value { return .tcp(0) }
        guard let n = integer(node) else { return nil }
        guard (1...65535).contains(n) else {
            invalid(node, "a port is between 1 and 65535, or \"$PORT\"")
            return nil
        }
        return .tcp(n)
    }

    private mutating func log(_ node: TOMLNode) -> ServiceSpec.ProbeKind? {
        guard let source = string(node) else { return nil }
        do throws(LogPatternError) {
            _ = try LogPattern(source)
            return .log(source)
        } catch {
            invalid(node, "not a supported log pattern: \(error); see docs/manifest.md#log-patterns")
            return nil
        }
    }
}
