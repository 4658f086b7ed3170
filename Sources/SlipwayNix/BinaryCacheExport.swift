import Foundation
import SlipwayCore

/// Copies what a project built into a folder that Nix reads as a binary cache (`file://DIR`),
/// so a fresh machine (a CI runner with an empty store) substitutes it instead of building.
///
/// What is copied: every store path recorded in the project's `.slipway/cache/*.json` files
/// (the environments' closures, the artifacts' outputs, the images' closures) that is still in
/// the store, with its closure (`nix copy` copies closures), compressed with zstd. Paths already
/// in the folder are skipped by Nix. Read back with `SLIPWAY_NIX_CACHE=DIR`
/// (``ManifestOverrides``) or `[nix] substituters = ["file://DIR?trusted=1"]`.
public enum BinaryCacheExport {
    /// The store paths named in `layout`'s cache records that exist, sorted.
    public static func recordedPaths(_ layout: ProjectLayout) -> [StorePath] {
        let folder = layout.cacheDir
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var found = Set<StorePath>()
        for name in names where name.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: folder + "/" + name),
                  let object = try? JSONSerialization.jsonObject(with: data) else { continue }
            collect(object, into: &found)
        }
        return found.filter { access($0.path, F_OK) == 0 }.sorted()
    }

    private static func collect(_ value: Any, into found: inout Set<StorePath>) {
        if let text = value as? String, let path = StorePath(text) {
            found.insert(path)
        } else if let list = value as? [Any] {
            for item in list { collect(item, into: &found) }
        } else if let table = value as? [String: Any] {
            for item in table.values { collect(item, into: &found) }
        }
    }

    /// `nix copy --to file://DIR?compression=zstd PATHS...` (DIR absolute, made when missing).
    /// - Returns: the paths given to Nix (their closures are copied too).
    /// - Throws: ``NixError`` when Nix fails.
    public static func export(_ layout: ProjectLayout, to directory: String, nix: NixCommand) async throws(NixError) -> [StorePath] {
        let paths = recordedPaths(layout)
        guard !paths.isEmpty else { return [] }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try await nix.run(["copy", "--to", "file://\(directory)?compression=zstd"] + paths.map(\.path))
        return paths
    }
}
