import Foundation
import SlipwayCore
import Testing

/// The typed values every module shares: digests, store paths, compression.
@Suite("Typed values")
struct TypedValueTests {
    @Test("SHA-256 of known bytes, as sha256:<hex>")
    func digestOfBytes() {
        #expect(
            Digest.of(Array("abc".utf8)).description
                == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.of([UInt8]()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test(
        "digests parse only sha256 with 64 lowercase hex digits",
        arguments: [
            ("sha256:" + String(repeating: "a", count: 64), true),
            ("sha256:" + String(repeating: "A", count: 64), false),
            ("sha512:" + String(repeating: "a", count: 64), false), ("sha256:abc", false),
        ])
    func digestParsing(_ text: String, _ valid: Bool) {
        #expect((Digest(text) != nil) == valid)
    }

    @Test(
        "store paths: the shape of /nix/store/<hash>-<name>",
        arguments: [
            ("/nix/store/0c0xp3aqlyl4ycigx4mqgjmyr2fjjkqg-hello-2.12.1", true),
            ("/nix/store/0c0xp3aqlyl4ycigx4mqgjmyr2fjjkqg-hello/bin/hello", false),
            ("/nix/store/short-hello", false), ("/usr/bin/hello", false),
            ("/nix/store/0c0xp3aqlyl4ycigx4mqgjmyr2fjjkqe-hello", false),  // 'e' is not in Nix's base-32
        ])
    func storePathParsing(_ text: String, _ valid: Bool) {
        #expect((StorePath(text) != nil) == valid)
    }

    @Test("a store path's parts, and its JSON is the plain string")
    func storePathParts() throws {
        let path = try #require(StorePath("/nix/store/0c0xp3aqlyl4ycigx4mqgjmyr2fjjkqg-hello-2.12.1"))
        #expect(path.hash == "0c0xp3aqlyl4ycigx4mqgjmyr2fjjkqg")
        #expect(path.name == "hello-2.12.1")
        let json = try JSONEncoder().encode([path])
        #expect(
            String(decoding: json, as: UTF8.self) == #"["\/nix\/store\/0c0xp3aqlyl4ycigx4mqgjmyr2fjjkqg-hello-2.12.1"]"#
        )
        #expect(try JSONDecoder().decode([StorePath].self, from: json) == [path])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([StorePath].self, from: Data(#"["/tmp/x"]"#.utf8))
        }
    }

    @Test("digest JSON round trip and rejection")
    func digestJSON() throws {
        let digest = Digest.of(Array("x".utf8))
        let json = try JSONEncoder().encode([digest])
        #expect(try JSONDecoder().decode([Digest].self, from: json) == [digest])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Digest].self, from: Data(#"["md5:00"]"#.utf8)) }
    }

    @Test("compression names as the manifest writes them")
    func compression() {
        #expect(Compression.allCases.map(\.rawValue) == ["gzip", "zstd", "none"])
        #expect(Compression(rawValue: "zstd") == .zstd)
    }

    @Test("Duration in seconds")
    func durationSeconds() {
        #expect(Duration.milliseconds(1500).seconds == 1.5)
    }

    @Test("seconds with one decimal, as %.1f prints them")
    func oneDecimalSeconds() {
        for value in [0, 0.04, 0.05001, 0.96, 1.5, 12.345, 59.96, 3601.27, 86_400.9] {
            #expect(oneDecimal(value) == String(format: "%.1f", value), "\(value)")
        }
        #expect(oneDecimal(-2.26) == "-2.3")
    }

    @Test("a SHA-256 digest's hex, from the raw bytes")
    func digestHex() {
        // FIPS 180-2, appendix B.1: SHA-256("abc").
        #expect(Digest.of(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.of([UInt8]()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
