import SlipwayCore
import SlipwayEnvironment
import SlipwayImage
import SlipwayManifest
import SlipwayOCI

/// Shared loading of the manifest's images.
struct ImageContext: Sendable {
    let planner: ImagePlanner
    let records: BuildRecordStore
    let images: [ImageSpec]

    var layout: ProjectLayout { planner.layout }

    init(layout: ProjectLayout, manifest: Manifest, images: [ImageSpec]) {
        planner = ImagePlanner(layout: layout, manifest: manifest) { Terminal.status($0) }
        records = BuildRecordStore(layout: layout)
        self.images = images
    }

    static func load(_ options: GlobalOptions) throws -> ImageContext {
        let layout = try options.layout()
        let manifest = try ManifestLoader.load(path: layout.manifest, displayName: EnvironmentResolver(layout: layout).displayName)
        return ImageContext(layout: layout, manifest: manifest, images: try manifest.images())
    }

    func select(_ names: [String]) throws -> [ImageSpec] {
        try NameSelection.select(names, from: images, name: \.name, none: { ImageError.noImages },
                                 unknown: { ImageError.unknownImage($0, known: $1) })
    }

    /// Plans and builds one image and writes its build record.
    /// - Throws: ``ManifestError``, ``NixError``, ``ImageError``.
    func build(_ spec: ImageSpec) async throws -> (BuildRecord, ImageBuilder.Statistics) {
        let plan = try await planner.plan(spec)
        let (record, stats) = try await ImageBuilder().build(plan)
        try records.save(record)
        return (record, stats)
    }

    /// - Throws: ``ImageError/unknownImage(_:known:)``, ``ImageError/notBuilt(_:)``.
    func record(_ name: String) throws -> BuildRecord {
        guard images.contains(where: { $0.name == name }) else { throw ImageError.unknownImage(name, known: images.map(\.name)) }
        return try records.load(name)
    }
}
