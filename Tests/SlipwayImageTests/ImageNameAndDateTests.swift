import Foundation
import SlipwayCore
import Testing
@testable import SlipwayImage
@testable import SlipwayManifest
@testable import SlipwayOCI

/// Issue 14 items 7 and 8 in units: one name per image, tags only, the `usr_bin_env` warning,
/// dated app layers over fixed store layers, a single copied file's path, stale records.
@Suite("Image names, dates and checks")
struct ImageNameAndDateTests {
    static let location = SlipwayCore.SourceLocation(file: "slipway.toml", line: 3, column: 1)

    func images(_ toml: String) throws -> [ImageSpec] {
        try ManifestLoader.parse("[packages]\nbusybox = \"busybox\"\n" + toml, file: "slipway.toml", root: "/p").images()
    }

    func problems(_ toml: String) -> [String] {
        do {
            _ = try images(toml)
            return []
        } catch {
            return ((error as? ManifestError)?.diagnostics ?? []).map { "\($0.location.line):\($0.location.column): \($0.message)" }
        }
    }

    @Test func nameDefaultsToTheKeyAndMayCarryARegistryHost() throws {
        let specs = try images("[images.app]\n[images.web]\nname = \"registry.example.com:5000/shop/web\"\ntags = [\"1.4\", \"$CI_COMMIT_SHORT_SHA\"]\n")
        #expect(specs.map(\.repository) == ["app", "registry.example.com:5000/shop/web"])
        #expect(specs[1].tags == ["1.4", "$CI_COMMIT_SHORT_SHA"])
        #expect(ImageNames.split("registry.example.com:5000/shop/web") == ("registry.example.com:5000", "shop/web"))
        #expect(ImageNames.split("shop/web") == (nil, "shop/web"))
        #expect(ImageNames.split("localhost/web") == ("localhost", "web"))
    }

    @Test func badNamesAndReferencesInTagsAreLocatedWithTheFix() {
        #expect(problems("[images.app]\nname = \"Shop/App\"\n") == [
            "4:8: invalid value for 'images.app.name': 'Shop/App' is not a repository name (lower-case letters, digits, '.', '_', '-' between '/', after an optional registry host)"])
        #expect(problems("[images.app]\nname = \"shop/app:1.4\"\n").first?.hasSuffix("; put the tag in `tags`") == true)
        #expect(problems("[images.app]\ntags = [\"latest\", \"registry.example.com/shop/app:1.4\"]\n") == [
            "4:19: invalid value for 'images.app.tags[1]': 'registry.example.com/shop/app:1.4' is a reference, not a tag; the repository goes in `name`: use name = \"registry.example.com/shop/app\" and tags = [\"1.4\"]"])
        #expect(problems("[images.app]\ntags = [\"127.0.0.1:5000/app\"]\n").first?.hasSuffix("use name = \"127.0.0.1:5000/app\"") == true)
    }

    @Test func loadReferenceIsTheOneName() throws {
        let planner = ImagePlanner(layout: ProjectLayout(manifest: "/p/slipway.toml"), manifest: try ManifestLoader.parse("", file: "slipway.toml", root: "/p"))
        func reference(_ repository: String?, _ tags: [String]) -> String {
            var record = BuildRecord(name: "app", profile: "prod", compression: .gzip, mtime: 1, layers: [], config: "", configDigest: Digest.of([]),
                                     manifest: "", manifestDigest: Digest.of([]), tags: tags)
            record.repository = repository
            return planner.defaultReference(record)
        }
        #expect(reference(nil, []) == "localhost/app:latest", "a record of an older version: the key")
        #expect(reference("shop/web", ["$CI_COMMIT_SHORT_SHA", "1.4"]) == "localhost/shop/web:1.4")
        #expect(reference("registry.example.com/shop/web", []) == "registry.example.com/shop/web:latest")
    }

    @Test func usrBinEnvWithoutEnvWarnsWithTheFix() {
        var spec = ImageSpec(name: "web", location: Self.location)
        var customisation = ImageCustomisation(spec: spec)
        let warning = customisation.addFHSFixes(bins: [])
        #expect(warning?.hasPrefix("slipway.toml:3:1: warning: images.web.usr_bin_env is on, but nothing in the image provides `env`") == true)
        #expect(warning?.contains("\n  hint: add a package with `env` to contents (busybox or coreutils") == true)
        #expect(!customisation.entries.contains { $0.name == "usr/bin/env" })
        spec.usrBinEnv = false
        var off = ImageCustomisation(spec: spec)
        #expect(off.addFHSFixes(bins: []) == nil, "switched off: nothing to warn about")
    }

    func plan(created: Int) -> ImagePlan {
        var plan = ImagePlan(
            name: "web", profile: "prod",
            closure: [.init(path: "/nix/store/aaa-glibc", size: 100, references: []),
                      .init(path: "/nix/store/bbb-nginx", size: 50, references: ["/nix/store/aaa-glibc"]),
                      .init(path: "/nix/store/cccccccccccccccccccccccccccccccc-site", size: 1, references: ["/nix/store/aaa-glibc"])],
            customisation: [TarEntry(name: "tmp", kind: .directory, mode: 0o1777)],
            projectLayers: [[TarEntry(name: "etc/nginx/nginx.conf", kind: .file(path: "/p/nginx.conf", size: 3), mode: 0o644)]],
            config: .init(), maxLayers: 10, compression: .gzip, mtime: 1, architecture: "amd64", tags: [])
        plan.artifactLayers = [LayerSpec(kind: .artifact, storePaths: ["/nix/store/cccccccccccccccccccccccccccccccc-site"],
                                         entries: [TarEntry(name: "site", kind: .symlink(target: "/nix/store/cccccccccccccccccccccccccccccccc-site/site"), mode: 0o777)])]
        plan.created = created
        return plan
    }

    @Test func artifactsGetLayersOfTheirOwnDatedStoreLayersKeepTheFixedMtime() throws {
        let specs = try ImageBuilder().layers(plan(created: 1_765_000_000))
        #expect(specs.map(\.kind) == [.store, .store, .customisation, .artifact, .project])
        #expect(!specs.filter { $0.kind == .store }.flatMap(\.storePaths).contains("/nix/store/cccccccccccccccccccccccccccccccc-site"), "the artifact is in its own layer only")
        #expect(specs.filter { $0.kind == .store || $0.kind == .customisation }.allSatisfy { $0.mtime == nil })
        #expect(specs.filter { $0.kind == .artifact || $0.kind == .project }.allSatisfy { $0.mtime == 1_765_000_000 })
        let later = try ImageBuilder().layers(plan(created: 1_765_086_400))
        #expect(Array(later.prefix(3)) == Array(specs.prefix(3)), "another commit: the same store and customisation layers")
        #expect(specs[3].summary == "artifact: site")
        #expect(specs[4].summary == "project file: /etc/nginx/nginx.conf")
        var tight = plan(created: 1)
        tight.maxLayers = 3
        #expect(throws: ImageError.self) { try ImageBuilder().layers(tight) }
    }

    @Test func aLayerTarCarriesItsOwnMtime() throws {
        final class Bytes: ByteSink, @unchecked Sendable {
            var data: [UInt8] = []
            func write(_ bytes: UnsafeRawBufferPointer) throws { data += bytes }
            func finish() throws {}
        }
        func mtimeField(_ spec: LayerSpec) throws -> String {
            let sink = Bytes()
            try spec.writeTar(to: sink, mtime: 1)
            return String(decoding: sink.data[136..<147], as: UTF8.self)
        }
        let entries = [TarEntry(name: "site", kind: .symlink(target: "/x"), mode: 0o777)]
        #expect(try mtimeField(LayerSpec(kind: .artifact, entries: entries)) == "00000000001")
        #expect(try mtimeField(LayerSpec(kind: .artifact, entries: entries, mtime: 1_765_000_000)) == String(1_765_000_000, radix: 8).leftPadded(11))
    }

    @Test func sourcesNewerThanTheRecordAreFound() throws {
        let dir = NSTemporaryDirectory() + "slipway-sources-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir + "/public/css", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/public/.cache", withIntermediateDirectories: true)
        try "a".write(toFile: dir + "/public/css/site.css", atomically: false, encoding: .utf8)
        try "m".write(toFile: dir + "/slipway.toml", atomically: false, encoding: .utf8)
        let built = Date().timeIntervalSince1970 + 1
        #expect(SourceTimes.firstNewer(than: built, in: [dir + "/slipway.toml", dir + "/public", dir + "/slipway.lock"]) == nil,
                "nothing changed; a missing lock is no change")
        let later = Date(timeIntervalSince1970: built + 5)
        try FileManager.default.setAttributes([.modificationDate: later], ofItemAtPath: dir + "/public/.cache")
        #expect(SourceTimes.firstNewer(than: built, in: [dir + "/public"]) == nil, "caches do not count")
        try FileManager.default.setAttributes([.modificationDate: later], ofItemAtPath: dir + "/public/css/site.css")
        #expect(SourceTimes.firstNewer(than: built, in: [dir + "/slipway.toml", dir + "/public"]) == dir + "/public/css/site.css")
        #expect(SourceTimes.firstNewer(than: built, in: [dir + "/gone"]) == dir + "/gone", "a source that is gone changed")
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
