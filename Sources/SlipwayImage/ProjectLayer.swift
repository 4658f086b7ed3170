import Foundation
import SlipwayCore
import SlipwayManifest
import SlipwayOCI

/// The project's own files (`copy`): one top layer, checked against the generated layer.
struct ProjectLayer {
    let spec: ImageSpec
    /// The project folder; no `copy` source may lead outside it.
    let root: String

    /// - Returns: no layer without `copy`, else one.
    /// - Throws: ``ManifestError`` for a missing source, a symbolic link out of the project, a
    ///   copy onto a generated file, a bad owner, or `max_layers` below 3.
    func layers(generated entries: [TarEntry]) throws -> [[TarEntry]] {
        if !spec.copy.isEmpty && spec.maxLayers < 3 {
            throw ManifestError.invalid([Diagnostic(.invalidValue(
                key: "images.\(spec.name).max_layers",
                reason: "with 'copy', an image needs at least 3 layers (store paths, customisation, project files)"), at: spec.location)])
        }
        var generated = LayerTree()
        for entry in entries { try? generated.add(entry, origin: "generated") }
        let realRoot = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        var project = LayerTree()
        for copy in spec.copy { try add(copy, to: &project, generated: generated, realRoot: realRoot) }
        Self.addOwnedParents(of: &project, from: generated)
        return project.entries.isEmpty ? [] : [project.sorted]
    }

    private func add(_ copy: ImageSpec.Copy, to project: inout LayerTree, generated: LayerTree, realRoot: String) throws {
        func problem(_ reason: String) -> ManifestError {
            .invalid([Diagnostic(.invalidValue(key: "images.\(spec.name).copy", reason: reason), at: copy.location)])
        }
        guard FileManager.default.fileExists(atPath: copy.source) else { throw problem("\(copy.source) does not exist") }
        let real = URL(fileURLWithPath: copy.source).resolvingSymlinksInPath().path
        guard real == realRoot || real.hasPrefix(realRoot + "/") else {
            throw problem("\(copy.source) leads outside the project folder (through a symbolic link to \(real))")
        }
        let (uid, gid, name) = try ImageOwner.resolve(copy.owner, spec: spec, at: copy.location)
        var single = LayerTree()
        do {
            try single.addProjectTree(source: copy.source, destination: copy.destination, uid: uid, gid: gid, user: name,
                                      fileMode: copy.mode, origin: "copy at \(copy.location)")
            if let clash = generated.conflicts(with: single).first(where: { !(generated.entries[String($0.0.dropFirst())]?.kind == .directory) }) {
                throw problem("it copies onto \(clash.0), which the image generates; copy elsewhere, or turn the generated file off")
            }
            for entry in single.sorted { try project.add(entry, origin: "copy at \(copy.location)") }
        } catch let error as ImageError {
            throw problem(error.message)
        }
    }

    /// Parent folders the project layer must list take the customisation's owner and mode
    /// (a `dirs` entry), not root's defaults, which would override it from the top layer.
    private static func addOwnedParents(of project: inout LayerTree, from generated: LayerTree) {
        for name in Array(project.entries.keys) {
            var parts = name.split(separator: "/").dropLast()
            while !parts.isEmpty {
                let parent = parts.joined(separator: "/")
                if project.entries[parent] == nil, let folder = generated.entries[parent], folder.kind == .directory {
                    try? project.add(folder, origin: "dirs")
                }
                parts = parts.dropLast()
            }
        }
    }
}
