import Foundation
import Synchronization
import Testing
@testable import SlipwayRegistry

/// The HTTP/HTTPS scheme cache and the probe it saves, without a registry.
@Suite("Registry schemes")
struct RegistrySchemesTests {
    let path = NSTemporaryDirectory() + "slipway-schemes-" + UUID().uuidString.prefix(8) + "/registry/schemes.json"

    @Test func remembersPlainHTTPRegistriesAcrossInstances() throws {
        let schemes = RegistrySchemes(path: path)
        #expect(!schemes.speaksPlainHTTP("localhost:5000"), "no file: nothing known")
        try schemes.rememberPlainHTTP("localhost:5000")
        try schemes.rememberPlainHTTP("127.0.0.1:5001")
        let again = RegistrySchemes(path: path)
        #expect(again.speaksPlainHTTP("localhost:5000") && again.speaksPlainHTTP("127.0.0.1:5001"))
        #expect(!again.speaksPlainHTTP("localhost:5002"))
        try "not json".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(!again.speaksPlainHTTP("localhost:5000"), "an unreadable cache knows nothing")
    }

    @Test func theProbeRunsOnceAndItsAnswerIsCached() async throws {
        let probes = Mutex(0)
        let schemes = RegistrySchemes(path: path)
        let reference = try ImageReference(parsing: "localhost:5999/app")
        let probe: @Sendable (RegistryClient) async -> Bool = { _ in probes.withLock { $0 += 1 }; return true }
        let first = try await RegistryClient.connect(to: reference, credentials: nil, options: .init(), schemes: schemes, probe: probe)
        #expect(first.isPlainHTTP)
        await first.shutdown()
        let second = try await RegistryClient.connect(to: reference, credentials: nil, options: .init(), schemes: schemes, probe: probe)
        #expect(second.isPlainHTTP)
        await second.shutdown()
        #expect(probes.withLock { $0 } == 1, "the second connection used the cache")
    }

    @Test func aTLSRegistryIsNotCachedAndARemoteOneIsNeverProbed() async throws {
        let probes = Mutex(0)
        let schemes = RegistrySchemes(path: path)
        let probe: @Sendable (RegistryClient) async -> Bool = { _ in probes.withLock { $0 += 1 }; return false }
        let local = try await RegistryClient.connect(
            to: try ImageReference(parsing: "localhost:5998/app"), credentials: nil, options: .init(), schemes: schemes, probe: probe)
        #expect(!local.isPlainHTTP)
        await local.shutdown()
        #expect(!schemes.speaksPlainHTTP("localhost:5998"))
        let remote = try await RegistryClient.connect(
            to: try ImageReference(parsing: "registry.example.com/app"), credentials: nil, options: .init(), schemes: schemes, probe: probe)
        #expect(!remote.isPlainHTTP)
        await remote.shutdown()
        #expect(probes.withLock { $0 } == 1, "only the loopback registry was probed")
    }

    @Test func pushGroupsOneEntryPerRepositoryWithItsTags() throws {
        let refs = try ["localhost:5000/a:v1", "localhost:5000/a:v2", "localhost:5000/a:v1", "localhost:5000/b", "other.io/a:x"]
            .map { try ImageReference(parsing: $0) }
        let groups = PushGroups.group(refs)
        #expect(groups.map(\.reference.description) == ["localhost:5000/a:v1", "localhost:5000/b", "other.io/a:x"])
        #expect(groups.map(\.tags) == [["v1", "v2"], ["latest"], ["x"]])
    }
}
