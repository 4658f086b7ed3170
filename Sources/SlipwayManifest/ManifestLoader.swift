import Foundation
import SlipwayCore

/// Reads `slipway.toml` into a ``Manifest``, collecting every problem first.
public enum ManifestLoader {
    /// Reads and validates the manifest at `path`.
    ///
    /// - Parameters:
    ///   - path: the manifest file (absolute, or relative to the working directory).
    ///   - displayName: the name used in diagnostics; defaults to `path` as given.
    /// - Throws: ``ManifestError/unreadable(path:reason:)`` or ``ManifestError/invalid(_:)``
    ///   with every problem found; a file over ``ManifestText/maximumSize`` bytes, one that is not
    ///   UTF-8 or one nested deeper than ``ManifestText/maximumDepth`` fails with one located
    ///   problem before it is parsed.
    public static func load(path: String, displayName: String? = nil) throws(ManifestError) -> Manifest {
        let bytes: [UInt8]
        do {
            bytes = try FileText.readBytes(path, limit: ManifestText.maximumSize)
        } catch {
            throw .unreadable(path: path, reason: error.reason)
        }
        let file = displayName ?? path
        let source = try ManifestText.decode(bytes, file: file)
        let absolute = FilePaths.absolute(path)
        let root = FilePaths.parent(absolute)
        var manifest = try parse(source, file: file, root: root)
        ManifestOverrides.apply(to: &manifest)
        return manifest
    }

    /// Validates manifest text.
    ///
    /// - Parameters:
    ///   - source: TOML text.
    ///   - file: the name used in diagnostics.
    ///   - root: the absolute folder that relative flake refs are resolved against.
    /// - Throws: ``ManifestError/invalid(_:)`` with every problem, in source order.
    public static func parse(_ source: String, file: String, root: String) throws(ManifestError) -> Manifest {
        if let nul = source.utf8.firstIndex(of: 0) {
            let bytes = Array(source.utf8)
            let offset = source.utf8.distance(from: source.utf8.startIndex, to: nul)
            let at = ManifestText.location(of: offset, in: bytes, file: file)
            throw .invalid([Diagnostic(.notText("it contains a NUL byte"), at: at)])
        }
        let document: TOMLNode
        do {
            document = try TOMLDocument.parse(source, file: file)
        } catch {
            throw .invalid([error])
        }
        var decoder = ManifestDecoder(root: root)
        var manifest = decoder.decode(document, file: file)
        var problems = decoder.diagnostics
        problems += ProfileGraph.validate(manifest)
        let (sections, sectionProblems) = SectionDecoder.decode(manifest)
        manifest.sections = sections
        problems += sectionProblems
        if !problems.isEmpty {
            throw .invalid(problems.sorted { $0.location < $1.location })
        }
        return manifest
    }
}


/// Per-machine settings that replace the manifest's without editing it, from the environment:
/// `SLIPWAY_NIXPKGS=REF` replaces `[nix] nixpkgs` (a runner with a mirror or a local checkout of
/// the package set). A relative path ref is made absolute against the working directory.
/// While an override is active, `slipway.lock` is read but never written (the lock pins the
/// manifest's package set, not the machine's). `SLIPWAY_NIX_CACHE=DIR` adds the binary cache
/// folder `slipway cache export DIR` wrote (`file://DIR?trusted=1`) to the substituters, when
/// DIR holds one (`nix-cache-info`).
public enum ManifestOverrides {
    public static let nixpkgsVariable = "SLIPWAY_NIXPKGS"
    public static let nixCacheVariable = "SLIPWAY_NIX_CACHE"

    /// `file://DIR?trusted=1` for `SLIPWAY_NIX_CACHE=DIR` when DIR has a `nix-cache-info`.
    public static var nixCacheSubstituter: String? {
        guard let value = getenv(nixCacheVariable).map({ String(cString: $0) }), !value.isEmpty else { return nil }
        let folder = FilePaths.absolute(value)
        guard FileManager.default.fileExists(atPath: folder + "/nix-cache-info") else { return nil }
        return "file://\(folder)?trusted=1"
    }

    /// `SLIPWAY_NIXPKGS`'s value when set and not empty.
    public static var nixpkgs: String? {
        guard let value = getenv(nixpkgsVariable).map({ String(cString: $0) }), !value.isEmpty else { return nil }
        return value
    }

    /// What the overrides add to an environment's cache key (empty without overrides).
    public static var keyPart: [UInt8] { nixpkgs.map { Array(("nixpkgs=" + $0).utf8) } ?? [] }

    /// Replaces `manifest.nix.nixpkgs` by ``nixpkgs`` when set.
    public static func apply(to manifest: inout Manifest) {
        if let cache = nixCacheSubstituter { manifest.nix.substituters.append(cache) }
        guard let ref = nixpkgs else { return }
        manifest.nix.nixpkgs = FlakeRefs.resolve(ref, root: FileManager.default.currentDirectoryPath)
        manifest.nix.nixpkgsOverridden = true
    }
}
