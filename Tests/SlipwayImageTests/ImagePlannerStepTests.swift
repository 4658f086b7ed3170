import Foundation
import SlipwayCore
import SlipwayEnvironment
import Testing
@testable import SlipwayImage
@testable import SlipwayManifest
import SlipwayOCI

/// The steps of image planning, each on its own: no Nix, no podman.
@Suite("Image planning steps")
struct ImagePlannerStepTests {
    static let location = SlipwayCore.SourceLocation(file: "slipway.toml", line: 1, column: 1)
    let dir: String

    init() throws {
        dir = NSTemporaryDirectory() + "slipway-plan-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir + "/project/app", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/outside", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/store/bin", withIntermediateDirectories: true)
        for program in ["sh", "env"] { try Data().write(to: URL(fileURLWithPath: dir + "/store/bin/" + program)) }
        try "x\n".write(toFile: dir + "/project/app/a.txt", atomically: true, encoding: .utf8)
    }

    func spec(_ change: (inout ImageSpec) -> Void = { _ in }) -> ImageSpec {
        var spec = ImageSpec(name: "app", location: Self.location)
        change(&spec)
        return spec
    }

    func names(_ entries: [TarEntry]) -> [String] { entries.map(\.name) }

    @Test func usersAndFHSFixesInTheirOrder() {
        var customisation = ImageCustomisation(spec: spec { $0.user = .init(name: "app", uid: 1000, gid: 1000) })
        customisation.addUsers()
        customisation.addFHSFixes(bins: [dir + "/store/bin"])
        #expect(names(customisation.entries) == ["home/app", "etc/passwd", "etc/group", "root", "tmp", "var/tmp",
                                                 "etc/nsswitch.conf", "bin/sh", "usr/bin/env"])
        let passwd = customisation.entries.first { $0.name == "etc/passwd" }
        #expect(passwd?.kind == .bytes(Array("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\napp:x:1000:1000::/home/app:/bin/sh\n".utf8)))
        #expect(customisation.entries.first { $0.name == "bin/sh" }?.kind == .symlink(target: dir + "/store/bin/sh"))
    }

    @Test func fixesTurnedOffAreLeftOut() {
        var customisation = ImageCustomisation(spec: spec { $0.tmp = false; $0.nsswitch = false; $0.binSh = false; $0.usrBinEnv = false })
        customisation.addUsers()
        customisation.addFHSFixes(bins: [dir + "/store/bin"])
        #expect(names(customisation.entries) == ["etc/passwd", "etc/group", "root"])
    }

    @Test func certificatesAndZoneinfoGetLinksAndVariables() {
        var customisation = ImageCustomisation(spec: spec())
        let env = customisation.addCertificatesAndZoneinfo(["cacert": "/nix/store/c", "tzdata": "/nix/store/t"])
        #expect(env == ["SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt", "TZDIR": "/usr/share/zoneinfo"])
        #expect(names(customisation.entries) == ["etc/ssl/certs/ca-certificates.crt", "etc/ssl/certs/ca-bundle.crt",
                                                 "etc/pki/tls/certs/ca-bundle.crt", "etc/ssl/cert.pem", "usr/share/zoneinfo"])
    }

    @Test func dirsTakeTheirOwnerAndAnUnknownOwnerIsAManifestError() throws {
        let user = ImageSpec.User(name: "app", uid: 1000, gid: 1001)
        var customisation = ImageCustomisation(spec: spec {
            $0.user = user
            $0.dirs = [.init(path: "/data", owner: "app", mode: 0o750, location: Self.location)]
        })
        try customisation.addDirs()
        #expect(customisation.entries.map { "\($0.name) \($0.uid):\($0.gid) \(String($0.mode, radix: 8))" } == ["data 1000:1001 750"])
        var wrong = ImageCustomisation(spec: spec { $0.dirs = [.init(path: "/data", owner: "www", mode: 0o755, location: Self.location)] })
        #expect(throws: ManifestError.self) { try wrong.addDirs() }
    }

    @Test func theProjectLayerRefusesALinkOutOfTheProject() throws {
        let root = dir + "/project"
        let copy = ImageSpec.Copy(source: root + "/app", destination: "/app", owner: nil, mode: nil, location: Self.location)
        let layers = try ProjectLayer(spec: spec { $0.copy = [copy] }, root: root).layers(generated: [])
        #expect(layers.count == 1)
        #expect(layers.first?.contains { $0.name == "app/a.txt" } == true)
        try FileManager.default.createSymbolicLink(atPath: root + "/escape", withDestinationPath: dir + "/outside")
        let escape = ImageSpec.Copy(source: root + "/escape", destination: "/x", owner: nil, mode: nil, location: Self.location)
        #expect(throws: ManifestError.self) { try ProjectLayer(spec: spec { $0.copy = [escape] }, root: root).layers(generated: []) }
        #expect(throws: ManifestError.self, "copy needs 3 layers") {
            try ProjectLayer(spec: spec { $0.copy = [copy]; $0.maxLayers = 2 }, root: root).layers(generated: [])
        }
        #expect(try ProjectLayer(spec: spec(), root: root).layers(generated: []).isEmpty, "no copy: no layer")
    }

    @Test func theConfigEnvIsPathProfileFixesThenTheManifestsInOrder() {
        let env = ImageEnvironment.variables(
            spec: spec { $0.profile = "prod"; $0.env = [EnvEntry(name: "GREETING", value: "hi $NAME", location: Self.location)] },
            bins: ["/nix/store/a/bin"], extra: ["TZDIR": "/usr/share/zoneinfo", "SSL_CERT_FILE": "/etc/ssl/cert.pem"],
            profileEnv: [CachedEnvironment.Entry(name: "NAME", value: "world")])
        #expect(env == ["PATH=/nix/store/a/bin:/usr/local/bin:/usr/bin:/bin", "SLIPWAY_PROFILE=prod",
                        "SSL_CERT_FILE=/etc/ssl/cert.pem", "TZDIR=/usr/share/zoneinfo", "NAME=world", "GREETING=hi world"])
    }

    @Test func compressionIsTypedAndAnUnknownValueIsAManifestError() throws {
        #expect(try ImagePlanner.compression(spec { $0.compression = "zstd" }) == .zstd)
        #expect(throws: ManifestError.self) { try ImagePlanner.compression(spec { $0.compression = "brotli" }) }
    }
}
