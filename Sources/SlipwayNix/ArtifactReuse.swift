import Foundation
import SlipwayCore
import SlipwayManifest

/// Reusing a built artifact without running Nix (issue 15 item 4): the last build of each
/// artifact (and sub-path) is recorded in `.slipway/cache/artifact-<NAME>[-<SUB>].json` with a
/// key over everything its derivation is made from: the generated flake's text (expression,
/// packages, `build_packages`, the ignored files), the attribute and link, `slipway.lock`, the
/// project's files (``ProjectSource/fingerprint``: names, sizes, modification times; what
/// `.gitignore` ignores left out) and every local `path:` input (``TreeFingerprint``). While
/// the key is the same, the outputs exist and the `result-*` link (a GC root) still points at
/// them, the record is the build. Flake-ref artifacts (`ref#attr`) always go to Nix. (The
/// first build of a project writes `slipway.lock`, so the build after it may go to Nix once.)
struct ArtifactReuse {
    struct Record: Codable {
        var key: String
        var outputs: [String: String]
    }

    let file: String
    let key: String

    /// - Parameters:
    ///   - flake: the generated flake's text; `sourceFingerprint`: the project scan it was made with.
    init(layout: ProjectLayout, manifest: Manifest, link: String, attribute: String, flake: String, sourceFingerprint: String?) {
        let base = (link as NSString).lastPathComponent.replacingOccurrences(of: "result-", with: "artifact-")
        file = layout.cacheDir + "/" + base + ".json"
        let lock = (try? FileText.readBytes(layout.lockFile)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let inputs = NixBackend.localInputs(of: manifest).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let parts = [flake, attribute, link, lock, sourceFingerprint ?? "no source"] + inputs
        key = Digest.of(Array(parts.joined(separator: "\u{0}").utf8)).description
    }

    /// The recorded outputs when the key matches, each output exists and `link` resolves to `out`.
    func reusable(link: String) -> [String: String]? {
        guard let data = FileManager.default.contents(atPath: file),
              let record = try? JSONDecoder().decode(Record.self, from: data), record.key == key,
              let out = record.outputs["out"] ?? record.outputs.values.first,
              record.outputs.values.allSatisfy({ access($0, F_OK) == 0 }),
              (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == out
        else { return nil }
        return record.outputs
    }

    /// Records a build (a failure to write costs only a Nix run next time).
    func record(_ outputs: [String: String]) {
        guard let data = try? JSONEncoder().encode(Record(key: key, outputs: outputs)) else { return }
        try? FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? data.write(to: URL(fileURLWithPath: file), options: .atomic)
    }
}

extension NixBackend {
    /// Folders of the manifest's local `path:` flake refs (nixpkgs, `[nix.inputs]`, `{ flake = }`
    /// packages of every profile), with their current ``TreeFingerprint``.
    public static func localInputs(of manifest: Manifest) -> [String: String] {
        var refs = [manifest.nix.nixpkgs].compactMap { $0 } + manifest.nix.inputs.map(\.ref)
        let layers = [manifest.base] + manifest.profiles.values.map(\.layer)
        for layer in layers {
            for entry in layer.packages {
                if case .flake(let ref, _)? = entry.spec { refs.append(ref) }
            }
        }
        var result: [String: String] = [:]
        for ref in refs where ref.hasPrefix("path:") {
            var folder = String(ref.dropFirst(5))
            if let query = folder.firstIndex(of: "?") { folder = String(folder[..<query]) }
            if let fingerprint = TreeFingerprint.of(folder) { result[folder] = fingerprint }
        }
        return result
    }
}
