import SlipwayCore

/// The `mode = "kubernetes"` keys of `[deploy.NAME]`.
extension DeployDecoder {
    static let kubernetesKeys = ["namespace", "replicas", "ports", "resources", "registry", "context"]
    static let resourceKeys = ["requests", "limits"]
    static let quantityKeys = ["cpu", "memory"]

    /// Decodes one Kubernetes key into `spec.kubernetes`; false when `key` is not one.
    mutating func kubernetesField(_ key: String, _ value: TOMLNode, into spec: inout DeploySpec) -> Bool {
        switch key {
        case "namespace":
            if let text = nonEmpty(value, what: "namespace") {
                if Self.isDNSLabel(text) { spec.kubernetes.namespace = text } else {
                    invalid(value, "a namespace is a DNS label: lower-case letters, digits and '-', at most 63")
                }
            }
        case "replicas":
            if let n = integer(value) {
                if (0...1000).contains(n) {
                    spec.kubernetes.replicas = n
                } else {
                    invalid(value, "replicas is 0 to 1000")
                }
            }
        case "ports": spec.kubernetes.ports = kubernetesPorts(value)
        case "resources": spec.kubernetes.resources = resources(value)
        case "registry": spec.kubernetes.registry = nonEmpty(value, what: "registry")
        case "context": spec.kubernetes.context = nonEmpty(value, what: "context")
        default: return false
        }
        return true
    }

    /// `"8080"`, `"80:8080"` (Service port : container port), with an optional `/tcp` or `/udp`.
    mutating func kubernetesPorts(_ node: TOMLNode) -> [DeploySpec.Kubernetes.Port] {
        var result: [DeploySpec.Kubernetes.Port] = []
        for (text, at) in locatedStrings(node) ?? [] {
            let (numbers, proto) = Self.splitProtocol(text)
            let parts = numbers.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
            guard (1...2).contains(parts.count), parts.allSatisfy({ (1...65535).contains($0) }), let proto else {
                add(
                    .invalidValue(
                        key: node.dottedPath,
                        reason: "'\(text)' is not PORT or SERVICE_PORT:CONTAINER_PORT[/tcp|/udp] (e.g. \"80:8080\")"),
                    at)
                continue
            }
            result.append(.init(port: parts[0], targetPort: parts.last ?? parts[0], protocol: proto))
        }
        return result
    }

    static func splitProtocol(_ text: String) -> (String, String?) {
        guard let slash = text.firstIndex(of: "/") else { return (text, "TCP") }
        let proto = text[text.index(after: slash)...].lowercased()
        return (String(text[..<slash]), ["tcp": "TCP", "udp": "UDP"][proto])
    }

    mutating func resources(_ node: TOMLNode) -> DeploySpec.Kubernetes.Resources {
        var result = DeploySpec.Kubernetes.Resources()
        for (key, value) in table(node) ?? [] {
            guard Self.resourceKeys.contains(key) else {
                unknown(key, value, in: node.dottedPath, allowed: Self.resourceKeys)
                continue
            }
            var quantities: [String: String] = [:]
            for (name, quantity) in table(value) ?? [] {
                guard Self.quantityKeys.contains(name) else {
                    unknown(name, quantity, in: value.dottedPath, allowed: Self.quantityKeys)
                    continue
                }
                guard let text = string(quantity) else { continue }
                if Self.isQuantity(text) { quantities[name] = text } else {
                    invalid(
                        quantity, "'\(text)' is not a Kubernetes quantity (e.g. \"250m\", \"0.5\", \"256Mi\", \"1G\")")
                }
            }
            if key == "requests" { result.requests = quantities } else { result.limits = quantities }
        }
        return result
    }

    /// Kubernetes' quantity grammar (a decimal number, then a binary, decimal or exponent suffix).
    static func isQuantity(_ text: String) -> Bool {
        text.range(of: #"^[0-9]+(\.[0-9]+)?([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$"#, options: .regularExpression)
            != nil
    }

    /// RFC 1123 label, as Kubernetes names namespaces.
    static func isDNSLabel(_ text: String) -> Bool {
        text.count <= 63 && text.range(of: #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"#, options: .regularExpression) != nil
    }
}
