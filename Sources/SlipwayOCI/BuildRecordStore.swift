import Foundation
import SlipwayCore

/// The build records under `.slipway/images/<name>.json`.
public struct BuildRecordStore: Sendable {
    public let layout: ProjectLayout

    public init(layout: ProjectLayout) {
        self.layout = layout
    }

    /// Writes `record` as pretty-printed JSON with sorted keys, atomically.
    /// - Throws: the file system's error.
    public func save(_ record: BuildRecord) throws {
        let path = layout.imageRecord(name: record.name)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(record).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// The record of image `name`, if built with this format version.
    /// - Throws: ``ImageError/notBuilt(_:)`` when missing, unreadable or of another format.
    public func load(_ name: String) throws -> BuildRecord {
        guard let data = FileManager.default.contents(atPath: layout.imageRecord(name: name)),
              let record = try? JSONDecoder().decode(BuildRecord.self, from: data),
              record.formatVersion == BuildRecord.formatVersion else { throw ImageError.notBuilt(name) }
        return record
    }
}
