import SlipwayCore

/// Reads `slipway.toml` into a ``Manifest``, collecting every problem first.
public enum ManifestLoader {
    /// Reads and validates the manifest at `path`.
    ///
    /// - Parameters:
    ///   - path: the manifest file (absolute, or relative to the working directory).
    ///   - displayName: the name used in diagnostics; defaults to `path` as given.
    /// - Throws: ``ManifestError/unreadable(path:reason:)`` or ``ManifestError/invalid(_:)``
    ///   with every problem found.
    public static func load(path: String, displayName: String? = nil) throws(ManifestError) -> Manifest {
        let source: String
        do {
            source = try FileText.read(path)
        } catch {
            throw .unreadable(path: path, reason: error.reason)
        }
        let absolute = FilePaths.absolute(path)
        let root = FilePaths.parent(absolute)
        return try parse(source, file: displayName ?? path, root: root)
    }

    /// Validates manifest text.
    ///
    /// - Parameters:
    ///   - source: TOML text.
    ///   - file: the name used in diagnostics.
    ///   - root: the absolute folder that relative flake refs are resolved against.
    /// - Throws: ``ManifestError/invalid(_:)`` with every problem, in source order.
    public static func parse(_ source: String, file: String, root: String) throws(ManifestError) -> Manifest {
        if let nul = source.firstIndex(of: "\0") {
            let before = source[..<nul]
            let line = before.filter { $0 == "\n" }.count + 1
            let column = before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0) + 1
            throw .invalid([Diagnostic(.syntax("the file contains a NUL byte; is it a text file?"), at: SourceLocation(file: file, line: line, column: column))])
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

