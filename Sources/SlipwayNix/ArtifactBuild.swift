import Foundation
import SlipwayCore
import SlipwayManifest
import Synchronization

/// Artifacts built by this process, by project root and name.
private let builtArtifacts = Mutex<[String: BuiltArtifact]>([:])

/// A built `[artifacts.NAME]`.
public struct BuiltArtifact: Sendable, Codable, Equatable {
    public var name: String
    /// Output name (`out`, ...) to store path.
    public var outputs: [String: String]
    /// The output store paths, `out` first.
    public var storePaths: [String] {
        outputs.keys.sorted { ($0 == "out" ? "" : $0) < ($1 == "out" ? "" : $1) }.compactMap { outputs[$0] }
    }
    /// The `result-NAME` link in the project folder (a GC root).
    public var link: String
}

extension NixBackend {
    /// Builds one artifact and links `<project>/result-NAME` to it (also a GC root).
    ///
    /// Expressions are built from the generated flake of the artifact's profile
    /// (`slipway.artifacts.NAME`, with `--impure` so that `src` can read the project folder);
    /// flake refs with `nix build REF#ATTR` run in the project folder.
    /// - Parameter part: a sub-path of the artifact (`public`, `app/public`) that an image takes
    ///   (`artifact:NAME:SUB`): built as a store path of its own holding only `SUB`, linked at
    ///   `result-NAME-SUB` (with `/` as `-`). Only for `nix` expressions.
    /// - Throws: ``NixError/packages(_:)`` at the artifact's manifest line when Nix fails.
    public func buildArtifact(_ artifact: ArtifactSpec, part: String? = nil) async throws(NixError) -> BuiltArtifact {
        // One build per artifact and process (`slipway ci` needs it for the stage and each image).
        let memoKey = layout.root + "\u{0}" + artifact.name + "\u{0}" + (part ?? "")
        if let built = builtArtifacts.withLock({ $0[memoKey] }) { return built }
        let built = try await buildArtifactOnce(artifact, part: part)
        builtArtifacts.withLock { $0[memoKey] = built }
        return built
    }

    private func buildArtifactOnce(_ artifact: ArtifactSpec, part: String?) async throws(NixError) -> BuiltArtifact {
        let link = layout.root + "/result-" + artifact.name + (part.map { "-" + $0.replacingOccurrences(of: "/", with: "-") } ?? "")
        let missing = (artifact.include ?? []).filter { !FileManager.default.fileExists(atPath: layout.root + "/" + $0) }
        if !missing.isEmpty {
            throw .packages([Diagnostic(.invalidValue(
                key: "artifacts.\(artifact.name).include",
                reason: "\(missing.map { "'\($0)'" }.joined(separator: ", ")) not found in \(layout.root)"), at: artifact.location)])
        }
        let output: NixCommand.Output
        do throws(NixError) {
            switch artifact.source {
            case .expression:
                guard let profile = try? manifest.resolve(profile: artifact.profile) else {
                    throw NixError.packages([Diagnostic(.invalidValue(key: "artifacts.\(artifact.name).profile", reason: "no profile named '\(artifact.profile)'"), at: artifact.location)])
                }
                let generated = generate(profile)
                let genDir = layout.generatedFlakeDir(profile: profile.name)
                try prepare(genDir: genDir, flake: generated.text)
                let attribute = part.map { "slipway.artifactParts.\(artifact.name).\(nixString($0))" } ?? "slipway.artifacts.\(artifact.name)"
                output = try await nix.run(
                    ["build", "--json", "--impure", "--out-link", link, "\(NixBackend.generatedFlakeRef)#\(attribute)"],
                    workingDirectory: genDir)
                try syncLock(genDir: genDir)
            case .flake(let ref, let attribute):
                output = try await nix.run(["build", "--json", "--out-link", link, "\(ref)#\(attribute)"], workingDirectory: layout.root)
            }
        } catch {
            if case .commandFailed(_, _, let stderr) = error {
                let detail = NixCommand.errorLines(stderr)
                let name = "artifact:\(artifact.name)" + (part.map { ":" + $0 } ?? "")
                throw .packages([Diagnostic(.packageFailed(package: name, detail: detail), at: artifact.location)])
            }
            throw error
        }
        let list = try NixJSON.decode([NixJSON.BuildResult].self, output.stdout, arguments: ["build", "--json"])
        guard let outputs = list.first?.outputs, !outputs.isEmpty else {
            throw .unexpectedOutput(arguments: ["build", "--json"], detail: String(output.stdout.prefix(300)))
        }
        return BuiltArtifact(name: artifact.name, outputs: outputs, link: link)
    }
}
