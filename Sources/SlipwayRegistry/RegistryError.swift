import SlipwayCore

/// Why a push failed. Messages never contain a secret.
public enum RegistryError: SlipwayError, Sendable {
    case invalidReference(String, String)
    /// 401/403 from the registry, with its own error message.
    case unauthorized(registry: String, status: Int, detail: String, hadCredentials: Bool)
    /// Another 4xx, with the registry's error message (distribution-spec error codes).
    case rejected(what: String, status: Int, detail: String)
    /// 5xx or a dropped connection, after every retry.
    case unavailable(what: String, detail: String)
    /// No HTTP answer at all from `registry` (`HOST[:PORT]`) for `seconds`: refused, dropped
    /// or timed-out connections only. `detail` is the last transport error.
    case noAnswer(registry: String, seconds: Int, detail: String)
    /// The TLS handshake with `registry` failed (an untrusted or wrong certificate): not retried.
    case tlsFailed(registry: String, detail: String)
    /// `host` does not resolve (DNS or /etc/hosts): not retried.
    case unknownHost(host: String, detail: String)
    case credentials(String)
    /// Neither `--to` nor `tags` says where to push.
    case noDestination(image: String)
    case protocolError(String)

    public var message: String {
        switch self {
        case .invalidReference(let text, let reason): "invalid image reference '\(text)': \(reason)"
        case .unauthorized(let registry, let status, let detail, let had):
            "\(registry) refused the \(had ? "credentials" : "anonymous request") (HTTP \(status))" + (detail.isEmpty ? "" : ": \(detail)")
        case .rejected(let what, let status, let detail): "\(what) failed (HTTP \(status))" + (detail.isEmpty ? "" : ": \(detail)")
        case .unavailable(let what, let detail): "\(what) failed after retries: \(detail)"
        case .noAnswer(let registry, let seconds, let detail): "no answer from \(registry) in \(seconds) s (\(detail))"
        case .tlsFailed(let registry, let detail): "TLS with \(registry) failed: \(detail)"
        case .unknownHost(let host, let detail): "cannot resolve the host name of \(host): \(detail)"
        case .credentials(let text): text
        case .noDestination(let image): "no destination for image '\(image)'"
        case .protocolError(let text): text
        }
    }

    /// The error for a request that got no HTTP answer (``TransportFailure``): permanent for an
    /// unknown host or a failed TLS handshake, else transient `.unavailable`.
    init(transport error: any Error, registry: String, what: String) {
        switch TransportFailure(error) {
        case .unknownHost(let detail): self = .unknownHost(host: registry, detail: detail)
        case .tls(let detail): self = .tlsFailed(registry: registry, detail: detail)
        case .transient(let detail): self = .unavailable(what: what, detail: detail)
        }
    }

    /// The registry answered with a refusal (401, 403 or another 4xx).
    var isRefusal: Bool {
        switch self {
        case .unauthorized, .rejected: true
        default: false
        }
    }

    /// A failure worth another try: a 5xx, a 429 or no answer (not a refusal or a bad request).
    var isTransient: Bool {
        switch self {
        case .unavailable: true
        default: false
        }
    }

    public var hint: String? {
        switch self {
        case .unauthorized(_, _, _, let had):
            had ? "check the user and password (`slipway registry login HOST`, SLIPWAY_REGISTRY_USER/PASSWORD, "
                + "GitLab's CI_REGISTRY_USER/CI_REGISTRY_PASSWORD in a job, or ~/.docker/config.json)"
                : "log in first: `slipway registry login HOST`, or set SLIPWAY_REGISTRY_USER and SLIPWAY_REGISTRY_PASSWORD "
                + "(in a GitLab job: CI_REGISTRY_USER and CI_REGISTRY_PASSWORD, both non-empty)"
        case .unknownHost(let host, _):
            "check the name \(host.split(separator: ":").first.map(String.init) ?? host) in --to or the image's tags (a typo?), and that this machine's DNS or /etc/hosts knows it"
        case .tlsFailed: "trust its certificate (SSL_CERT_FILE, or --cert-dir DIR holding *.crt), or pass --tls-verify=false"
        case .noDestination(let image): "pass --to docker://HOST[:PORT]/REPOSITORY[:TAG], or give [images.\(image)] a name with a registry host (name = \"registry.example.com/shop/\(image)\")"
        case .unavailable: "the registry may be down or overloaded; run the push again (blobs already there are skipped)"
        case .noAnswer(let registry, _, _): "check that a registry runs and answers at \(registry); run the push again (blobs already there are skipped)"
        default: nil
        }
    }
}
