import Foundation
import NIOCore
import Testing
@testable import SlipwayRegistry

/// Which failures are retried, refused or fallen back from (issue 14 item 9); the integration
/// tests in RegistryFallbackTests drive the same rules through a real registry.
@Suite("Registry fallback rules")
struct RegistryFallbackRuleTests {
    @Test func onlyAMediaTypeRefusalOfTheManifestFallsBackToDocker() {
        #expect(ImagePusher.refusesOCI(.rejected(what: "PUT manifest v1", status: 400, detail: "MANIFEST_INVALID: manifest invalid")))
        #expect(ImagePusher.refusesOCI(.rejected(what: "PUT manifest v1", status: 404, detail: "MANIFEST_UNKNOWN: unknown")))
        #expect(ImagePusher.refusesOCI(.rejected(what: "PUT manifest v1", status: 415, detail: "Unsupported Media Type")))
        #expect(!ImagePusher.refusesOCI(.rejected(what: "PUT manifest v1", status: 400, detail: "BLOB_UNKNOWN: blob unknown")))
        #expect(!ImagePusher.refusesOCI(.unauthorized(registry: "r", status: 403, detail: "DENIED", hadCredentials: true)))
        #expect(!ImagePusher.refusesOCI(.unavailable(what: "PUT manifest v1", detail: "HTTP 503")))
    }

    @Test func refusalsAreNotRetriedAndTransportFailuresAreSorted() {
        #expect(RegistryError.rejected(what: "mount", status: 403, detail: "").isRefusal)
        #expect(RegistryError.unauthorized(registry: "r", status: 401, detail: "", hadCredentials: false).isRefusal)
        #expect(!RegistryError.unavailable(what: "mount", detail: "").isRefusal)
        let refused = IOError(errnoCode: ECONNREFUSED, reason: "connection reset (error set)")
        #expect(TransportFailure(refused) == .transient("connection refused"))
        #expect(RegistryError(transport: refused, registry: "r:5000", what: "GET /v2/").isTransient)
        let permanent = RegistryError.unknownHost(host: "registry.invalid", detail: "Name or service not known")
        #expect(!permanent.isTransient)
        #expect(permanent.hint?.contains("check the name registry.invalid") == true)
    }
}
