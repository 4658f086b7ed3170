import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Why a request got no HTTP answer, sorted into what another try can fix (a refused, reset or
/// timed-out connection: the registry may be starting or overloaded) and what it cannot (the
/// host name does not resolve, the certificate is not trusted or names another host), as
/// containers/image's retry rules do (`pkg/retry`: DNS and x509 errors are not retried).
enum TransportFailure: Equatable {
    /// The host name does not resolve (getaddrinfo's answer, e.g. "Name or service not known").
    case unknownHost(String)
    /// The TLS handshake failed: an untrusted or wrong certificate, or not TLS at all.
    case tls(String)
    /// Anything else: worth another try. The text is short, for "no answer from HOST (…)".
    case transient(String)

    /// Sorts `error`, an AsyncHTTPClient/NIO transport error.
    init(_ error: any Error) {
        if let failure = Self.dns(error) {
            self = failure
        } else if let tls = error as? NIOSSLError, case .handshakeFailed = tls {
            self = .tls("\(tls)")
        } else if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            self = .tls("the certificate does not name this host (\(extra))")
        } else {
            self = .transient(Self.describe(error))
        }
    }

    private static func dns(_ error: any Error) -> TransportFailure? {
        if let unknown = error as? SocketAddressError.UnknownHost { return .unknownHost(unknown.errorDescription) }
        guard let connection = error as? NIOConnectionError, connection.connectionErrors.isEmpty,
              let lookup = connection.dnsAError ?? connection.dnsAAAAError else { return nil }
        if let unknown = lookup as? SocketAddressError.UnknownHost { return .unknownHost(unknown.errorDescription) }
        return .unknownHost("\(lookup)")
    }

    /// A short text for a transient failure: "connection refused", "timed out", or NIO's own.
    static func describe(_ error: any Error) -> String {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
        if let connection = error as? NIOConnectionError, let last = connection.connectionErrors.last {
            return describe(last.error)
        }
        if let client = error as? HTTPClientError {
            switch client {
            case .connectTimeout, .deadlineExceeded, .readTimeout, .writeTimeout: return "timed out"
            case .remoteConnectionClosed: return "the connection was closed before an answer"
            default: break
            }
        }
        if let channel = error as? ChannelError, case .connectTimeout = channel { return "timed out" }
        return "\(error)"
    }
}
