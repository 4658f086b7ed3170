import SlipwayCore
import Testing

/// `slipway --version`: a test build goes through plain `swift build`, so it records no commit
/// and must say so rather than print a made-up one (scripts/release-check covers the release).
@Suite("Version")
struct VersionTests {
    @Test("a build without SLIPWAY_COMMIT says it is a development build")
    func developmentBuild() {
        #expect(SlipwayVersion.commit == nil)
        #expect(SlipwayVersion.description == "\(SlipwayVersion.number) (development build: no commit recorded)")
    }

    @Test("the version is MAJOR.MINOR.PATCH, the form the release tarball's name uses")
    func semanticVersion() {
        let parts = SlipwayVersion.number.split(separator: ".")
        #expect(parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) })
    }
}
