import SlipwayCore
import SlipwayManifest
import SlipwayOCI

/// A project's images: their specs, how to build one (plan, layers, build record), and the
/// records of those already built (`.slipway/images/NAME.json`).
public struct ImageCatalog: Sendable {
    public let planner: ImagePlanner
    public let records: BuildRecordStore
    /// `[images.*]` of the manifest, in declaration order.
    public let images: [ImageSpec]

    public var layout: ProjectLayout { planner.layout }

    /// - Parameter status: one-line progress notes (a Nix build starting).
    public init(
        layout: ProjectLayout, manifest: Manifest, images: [ImageSpec], status: @escaping @Sendable (String) -> Void
    ) {
        planner = ImagePlanner(layout: layout, manifest: manifest, status: status)
        records = BuildRecordStore(layout: layout)
        self.images = images
    }

    /// The images `names` picks, in that order; every image when `names` is empty.
    /// - Throws: ``ImageError/noImages``, ``ImageError/unknownImage(_:known:)``.
    public func select(_ names: [String]) throws -> [ImageSpec] {
        try NameSelection.select(names, from: images, name: \.name, none: { ImageError.noImages },
                                 unknown: { ImageError.unknownImage($0, known: $1) })
    }

    /// Plans and builds one image and writes its build record.
    /// - Throws: ``ManifestError``, ``NixError``, ``ImageError``.
    public func build(_ spec: ImageSpec) async throws -> (BuildRecord, ImageBuilder.Statistics) {
        let plan = try await planner.plan(spec)
        let (record, stats) = try await ImageBuilder(blobs: try BlobStore()).build(plan)
        try records.save(record)
        return (record, stats)
    }

    /// The build record of image `name`.
    /// - Throws: ``ImageError/unknownImage(_:known:)``, ``ImageError/notBuilt(_:)``.
    public func record(_ name: String) throws -> BuildRecord {
        guard images.contains(where: { $0.name == name }) else { throw ImageError.unknownImage(name, known: images.map(\.name)) }
        return try records.load(name)
    }
}
