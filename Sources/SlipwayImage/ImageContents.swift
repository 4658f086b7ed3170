import Foundation
import SlipwayCore
import SlipwayEnvironment
import SlipwayManifest
import SlipwayNix
import SlipwayOCI

extension ImagePlanner {
    /// What `contents` selects: the profile's packages by key, and artifacts (`artifact:NAME`,
    /// built here; their first store path is linked at the image root).
    struct Contents {
        var packages: [ProfileBuild.Package] = []
        /// Each artifact's store paths (its outputs), the first linked at the image root.
        var artifacts: [[String]] = []
        /// The project files the artifacts are built from (their `include`, else the project).
        var artifactSources: [String] = []
    }

    /// - Throws: ``ManifestError`` naming every unknown key (with the closest known one).
    func contents(of spec: ImageSpec, cached: CachedEnvironment) async throws -> Contents {
        guard let keys = spec.contents else { return Contents(packages: cached.build.packages) }
        var contents = Contents()
        var problems: [Diagnostic] = []
        let artifacts = try manifest.artifacts()
        // Every bad `artifact:` entry is reported before anything is built.
        for (key, location) in keys {
            guard let part = ArtifactPart(contentsKey: key), let artifact = artifacts.first(where: { $0.name == part.artifact }) else { continue }
            if let problem = Self.partProblem(part, artifact: artifact, image: spec.name, at: location) { problems.append(problem) }
        }
        if !problems.isEmpty { throw ManifestError.invalid(problems) }
        for (key, location) in keys {
            if let part = ArtifactPart(contentsKey: key) {
                let name = part.artifact
                guard let artifact = artifacts.first(where: { $0.name == name }) else {
                    let near = Spelling.closest(to: name, in: artifacts.map(\.name)).map { "; did you mean 'artifact:\($0)'?" } ?? ""
                    problems.append(Diagnostic(.invalidValue(key: "images.\(spec.name).contents", reason: "no [artifacts.\(name)]\(near)"), at: location))
                    continue
                }
                status("building artifact \(name)" + (part.subPath.map { " (\($0))" } ?? ""))
                let backend = NixBackend(nix: try NixCommand.locate(), layout: layout, manifest: manifest)
                let built = try await backend.buildArtifact(artifact, part: part.subPath)
                contents.packages.append(ProfileBuild.Package(key: key, outputs: built.outputs))
                contents.artifacts.append(built.storePaths)
                contents.artifactSources += artifact.include.map { $0.map { layout.root + "/" + $0 } } ?? [layout.root]
            } else if let package = cached.build.packages.first(where: { $0.key == key }) {
                contents.packages.append(package)
            } else {
                let known = cached.build.packages.map(\.key)
                let near = Spelling.closest(to: key, in: known).map { "; did you mean '\($0)'?" } ?? ""
                problems.append(Diagnostic(.invalidValue(
                    key: "images.\(spec.name).contents",
                    reason: "profile '\(spec.profile)' has no package '\(key)'\(near) (it has: \(known.joined(separator: ", ")))"), at: location))
            }
        }
        if !problems.isEmpty { throw ManifestError.invalid(problems) }
        return contents
    }

    /// Why `artifact:NAME:SUB` cannot be built, or `nil`.
    static func partProblem(_ part: ArtifactPart, artifact: ArtifactSpec, image: String, at location: SourceLocation) -> Diagnostic? {
        guard let sub = part.subPath else { return nil }
        if !part.hasValidSubPath {
            return Diagnostic(.invalidValue(key: "images.\(image).contents", reason: "'\(sub)' in 'artifact:\(part.artifact):\(sub)' is not a "
                + "relative path inside the artifact (letters, digits, '.', '_', '-' and '/', no '..'), e.g. 'artifact:\(part.artifact):public'"), at: location)
        }
        if case .flake = artifact.source {
            return Diagnostic(.invalidValue(key: "images.\(image).contents", reason: "'artifact:\(part.artifact):\(sub)' takes part of a `nix` "
                + "artifact; [artifacts.\(part.artifact)] is a flake: use 'artifact:\(part.artifact)'"), at: location)
        }
        return nil
    }

    /// The extras' store paths and the closure graph of `storePaths`, `artifactPaths` and the
    /// extras, from Nix or from two caches, so that a rebuild after an app-only change asks Nix
    /// only for the new artifact's closure (one `nix path-info`), and an unchanged one runs no Nix:
    /// - `.slipway/cache/closure-<sha256>.json`, keyed by the profile's environment key, the
    ///   packages' store paths and the extras' names: the extras and the packages' closure;
    /// - the same folder, keyed by the artifacts' store paths alone (a store path's closure never
    ///   changes): the artifacts' closure.
    ///
    /// An entry naming a store path that is gone counts as a miss. A cache that cannot be written
    /// is only a slower next build.
    /// - Returns: extra attribute name to store path, and every node of the closure once.
    /// - Throws: ``NixError`` when Nix fails.
    func closure(
        storePaths: [String], artifactPaths: [String], extraNames: [String], resolved: ResolvedProfile, environmentKey: String
    ) async throws -> ([String: String], [LayerPlanner.Node]) {
        let baseKey = environmentKey + "\n" + storePaths.joined(separator: "\n") + "\n" + extraNames.joined(separator: ",")
        let base = try await cachedClosure(key: baseKey) { () async throws -> ClosureCacheEntry in
            let backend = NixBackend(nix: try NixCommand.locate(), layout: layout, manifest: manifest)
            let extras = try await backend.buildExtras(extraNames, profile: resolved)
            return ClosureCacheEntry(extras: extras, nodes: try await backend.closure(of: storePaths + extras.values.sorted()))
        }
        var nodes = base.nodes
        if !artifactPaths.isEmpty {
            let artifacts = try await cachedClosure(key: "artifacts\n" + artifactPaths.sorted().joined(separator: "\n")) {
                let backend = NixBackend(nix: try NixCommand.locate(), layout: layout, manifest: manifest)
                return ClosureCacheEntry(extras: [:], nodes: try await backend.closure(of: artifactPaths))
            }
            let known = Set(nodes.map(\.path))
            nodes += artifacts.nodes.filter { !known.contains($0.path) }
        }
        return (base.extras, nodes.sorted { $0.path < $1.path }.map { LayerPlanner.Node(path: $0.path, size: $0.size, references: $0.references) })
    }

    /// One closure cache file: `.slipway/cache/closure-<sha256 of key>.json`, read when every
    /// store path it names still exists, else made by `make` and written.
    private func cachedClosure(key: String, make: () async throws -> ClosureCacheEntry) async throws -> ClosureCacheEntry {
        let path = layout.closureCache(key: Digest.of(Array(key.utf8)).hex)
        if let data = FileManager.default.contents(atPath: path), let hit = try? JSONDecoder().decode(ClosureCacheEntry.self, from: data),
           hit.nodes.allSatisfy({ access($0.path, F_OK) == 0 }) {
            return hit
        }
        let entry = try await make()
        if let data = try? JSONEncoder().encode(entry) { try? data.write(to: URL(fileURLWithPath: path), options: .atomic) }
        return entry
    }
}

/// What a closure cache file holds: extra attribute name to store path, and the closure's nodes.
struct ClosureCacheEntry: Codable {
    var extras: [String: String]
    var nodes: [Node]
    struct Node: Codable { var path: String; var size: Int; var references: [String] }

    init(extras: [String: String], nodes: [ProfileBuild.StorePathInfo]) {
        self.extras = extras
        self.nodes = nodes.map { Node(path: $0.path, size: $0.narSize, references: $0.references) }
    }
}
