import Foundation
import Logging
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
    static let logger = Logger(label: "slipway.image")

    public var layout: ProjectLayout { planner.layout }

    /// - Parameters:
    ///   - status: one-line progress notes (a Nix build starting).
    ///   - warning: build warnings, located, with their hint line.
    public init(
        layout: ProjectLayout, manifest: Manifest, images: [ImageSpec], status: @escaping @Sendable (String) -> Void,
        warning: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        planner = ImagePlanner(layout: layout, manifest: manifest, status: status, warning: warning)
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
        Self.logger.debug("\(spec.name): \(plan.dateSummary ?? "")")
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

    /// The build record of image `name`, refused when a file it was built from changed since
    /// (the manifest, `slipway.lock`, a `copy` source, an artifact's sources): pushing it would
    /// publish an image that is not the project's. Records of older versions, which list no
    /// sources, are checked against the manifest and the lock.
    /// - Throws: ``ImageError/stale(image:newer:)`` (hint: rebuild), and what ``record(_:)`` throws.
    public func currentRecord(_ name: String) throws -> BuildRecord {
        let record = try record(name)
        let recordPath = layout.imageRecord(name: name)
        guard let builtAt = record.builtAt ?? SourceTimes.modified(recordPath) else { return record }
        let sources = record.sources ?? [layout.manifest, layout.root + "/slipway.lock"]
        if let newer = SourceTimes.firstNewer(than: builtAt, in: sources) {
            let shown = newer.hasPrefix(layout.root + "/") ? String(newer.dropFirst(layout.root.count + 1)) : newer
            throw ImageError.stale(image: name, newer: shown)
        }
        return record
    }
}

/// Modification times of the files an image is built from.
enum SourceTimes {
    /// Seconds since the epoch, with fractions; `nil` when `path` does not exist.
    static func modified(_ path: String) -> Double? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
    }

    /// The first file or folder under `paths` (recursively, without `.slipway`, `.git` and `.cache*`)
    /// modified after `time`. A source that is gone counts as changed.
    static func firstNewer(than time: Double, in paths: [String]) -> String? {
        for path in paths {
            guard let own = modified(path) else {
                if path.hasSuffix("/slipway.lock") { continue }
                return path
            }
            if own > time { return path }
            guard let walker = FileManager.default.enumerator(atPath: path) else { continue }
            while let relative = walker.nextObject() as? String {
                let name = (relative as NSString).lastPathComponent
                if name == ".slipway" || name == ".git" || name.hasPrefix(".cache") { walker.skipDescendants(); continue }
                if let when = modified(path + "/" + relative), when > time { return path + "/" + relative }
            }
        }
        return nil
    }
}
