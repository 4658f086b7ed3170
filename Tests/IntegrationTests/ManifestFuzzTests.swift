import Foundation
import SlipwayManifest
import Testing

/// Mutates the example manifests thousands of times: Slipway must answer every one with exit
/// 0 or 1 (never a signal), within 2 s, and write nothing when it refuses one.
///
/// Each run uses a fixed seed (the same cases every time) and a fresh seed (new cases; printed,
/// and named in every failure). `SLIPWAY_FUZZ_SEED=N` replaces the fresh seed to reproduce a
/// failure. Budgets: about 35 s in process, about 25 s through the built binary.
@Suite("Manifest fuzz", .tags(.integration), .serialized)
struct ManifestFuzzTests {
    static let fixedSeed: UInt64 = 20_261_202
    static let freshSeed: UInt64 = ProcessInfo.processInfo.environment["SLIPWAY_FUZZ_SEED"].flatMap { UInt64($0) }
        ?? UInt64.random(in: 1...UInt64.max)

    /// The seeds: the examples' manifests, and `slipway init`'s.
    static func seeds() throws -> [(name: String, bytes: [UInt8])] {
        let examples = repositoryRoot + "/examples"
        var seeds: [(String, [UInt8])] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: examples).sorted() {
            let path = examples + "/" + name + "/slipway.toml"
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            let absolute = text.replacingOccurrences(of: "\"../../nix/offline\"", with: "\"\(repositoryRoot)/nix/offline\"")
            seeds.append(("examples/\(name)", Array(absolute.utf8)))
        }
        seeds.append(("slipway init", Array(StarterManifest.text(name: "fuzz", nixpkgs: "path:" + repositoryRoot + "/nix/offline").utf8)))
        #expect(seeds.count >= 2, "no example manifests under \(examples)")
        return seeds
    }

    /// Case `index` of `seed`: which manifest it mutates, and the mutated bytes.
    static func mutated(_ seeds: [(name: String, bytes: [UInt8])], seed: UInt64, index: Int) -> (String, [UInt8]) {
        var generator = ManifestMutator.Generator(state: ManifestMutator.caseSeed(seed, index))
        let base = seeds[index % seeds.count]
        return (base.name, ManifestMutator.mutate(base.bytes, using: &generator))
    }

    @Test func mutatedManifestsLoadOrFailWithLocatedErrorsInProcess() throws {
        let seeds = try Self.seeds()
        print("manifest fuzz (in process): fixed seed \(Self.fixedSeed), fresh seed \(Self.freshSeed)")
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/slipway.toml"
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(35)
        var counts = (accepted: 0, refused: 0)
        for (seed, cases) in [(Self.fixedSeed, 2_000), (Self.freshSeed, 1_000)] {
            for index in 0..<cases where clock.now < deadline {
                let (name, bytes) = Self.mutated(seeds, seed: seed, index: index)
                let label = "seed \(seed) case \(index) (mutated \(name))"
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                // If this case crashes the test process, the last lines printed name it.
                if index % 250 == 0 { print("manifest fuzz (in process): from \(label), file \(path)") }
                let start = clock.now
                do {
                    _ = try ManifestLoader.load(path: path, displayName: "slipway.toml")
                    counts.accepted += 1
                } catch {
                    counts.refused += 1
                    let lines = bytes.count(where: { $0 == UInt8(ascii: "\n") }) + 1
                    #expect(!error.diagnostics.isEmpty, "\(label): \(error.message)")
                    for diagnostic in error.diagnostics {
                        let at = diagnostic.location
                        #expect(at.file == "slipway.toml" && at.line >= 1 && at.line <= lines && at.column >= 1,
                                "\(label): \(diagnostic)")
                    }
                }
                #expect(clock.now - start < .seconds(10), "\(label) took \(clock.now - start) (a liveness bound: hangs took minutes)")
            }
        }
        print("manifest fuzz (in process): \(counts.accepted) accepted, \(counts.refused) refused")
        #expect(counts.accepted + counts.refused >= 1_000, "the time budget allowed only \(counts) cases")
        #expect(counts.accepted > 0 && counts.refused > 0)
    }

    @Test func mutatedManifestsThroughTheBinaryExitZeroOrOneAndWriteNothingOnError() throws {
        let seeds = try Self.seeds()
        print("manifest fuzz (binary): fixed seed \(Self.fixedSeed), fresh seed \(Self.freshSeed)")
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(25)
        var counts = (accepted: 0, refused: 0)
        for (seed, cases) in [(Self.fixedSeed, 200), (Self.freshSeed, 100)] {
            // Offset from the in-process cases, so these are other mutations.
            for index in 10_000..<(10_000 + cases) where clock.now < deadline {
                let (name, bytes) = Self.mutated(seeds, seed: seed, index: index)
                let label = "seed \(seed) case \(index) (mutated \(name))"
                let dir = try temporaryDirectory()
                defer { try? FileManager.default.removeItem(atPath: dir) }
                try Data(bytes).write(to: URL(fileURLWithPath: dir + "/slipway.toml"))
                let start = clock.now
                // `ci generate` loads and validates the whole manifest, every profile included.
                let result = try runWithSignal(slipwayBinary, ["ci", "generate", "gitlab"], in: dir)
                #expect(clock.now - start < .seconds(10), "\(label) took \(clock.now - start) (a liveness bound: hangs took minutes)")
                #expect(!result.signalled && [0, 1].contains(result.status),
                        "\(label): \(result.signalled ? "signal" : "exit") \(result.status)\n\(result.stderr)")
                if result.status == 1 {
                    counts.refused += 1
                    #expect(result.stderr.contains("slipway.toml:"), "\(label): no location in \(result.stderr)")
                    let left = try FileManager.default.contentsOfDirectory(atPath: dir)
                    #expect(left == ["slipway.toml"], "\(label) wrote \(left)")
                } else {
                    counts.accepted += 1
                }
            }
        }
        print("manifest fuzz (binary): \(counts.accepted) accepted, \(counts.refused) refused")
        #expect(counts.accepted + counts.refused >= 100, "the time budget allowed only \(counts) cases")
    }

    /// Like ``run(_:_:in:environment:stdin:)``, telling a signal from an exit.
    private func runWithSignal(_ executable: String, _ arguments: [String], in directory: String) throws
        -> (status: Int32, signalled: Bool, stderr: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal, String(decoding: data, as: UTF8.self))
    }
}
