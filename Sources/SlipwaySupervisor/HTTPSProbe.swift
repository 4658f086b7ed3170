import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL

/// `ready = { http = "https://...", ca = "FILE" | insecure = true }`: one GET through
/// AsyncHTTPClient, whose TLS (swift-nio-ssl) verifies the certificate and its host name against
/// `ca` or the system's roots, or skips verification with `insecure`.
enum HTTPSProbe {
    /// `true` when `url` answers 2xx or 3xx within `timeout` seconds (redirects not followed).
    static func check(_ url: String, ca: String?, insecure: Bool, timeout: Double) async -> Bool {
        var tls = TLSConfiguration.makeClientConfiguration()
        if insecure { tls.certificateVerification = .none }
        if let ca { tls.trustRoots = .file(ca) }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow)
        let limit = TimeAmount.milliseconds(Int64(timeout * 1000))
        configuration.timeout = .init(connect: limit, read: limit)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: "slipway-probe")
        let answered: Bool
        do {
            let response = try await client.execute(request, timeout: limit)
            answered = (200..<400).contains(Int(response.status.code))
            _ = try? await response.body.collect(upTo: 1 << 20)
        } catch {
            answered = false
        }
        try? await client.shutdown()
        return answered
    }
}
