import ArgumentParser
import Foundation
import SlipwayImage
import SlipwayCore
import SlipwayOCI

/// `slipway image build [NAME...] [--output TRANSPORT]`
struct ImageBuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build images: layers digested and recorded in .slipway/images/NAME.json; no layer bytes are kept.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Also write the image: oci:DIR[:TAG], oci-archive:FILE[:TAG] or docker-archive:FILE[:REPO:TAG].")
    var output: String?

    @Flag(help: "Print the build records as JSON.")
    var json = false

    @Argument(help: "Images to build (default: all).")
    var names: [String] = []

    func run() async throws {
        let destination = try output.map(ImageOutput.parse)
        let context = try ImageCatalog.load(global)
        let specs = try context.select(names)
        if destination != nil && specs.count > 1 {
            throw ValidationError("--output takes one image; name it: slipway image build NAME --output ...")
        }
        var records: [BuildRecord] = []
        for spec in specs {
            let (record, stats) = try await context.build(spec)
            if let destination {
                try ImageWriter.write(record, to: destination, defaultReference: context.planner.defaultReference(record))
            }
            records.append(record)
            if !json {
                let total = record.layers.reduce(Int64(0)) { $0 + $1.size }
                Terminal.status("\(spec.name): \(record.layers.count) layers, \(ByteCount.format(total)) compressed; \(stats.layersDigested) digested, \(stats.layersFromCache) from cache")
                Terminal.write("\(spec.name) \(record.manifestDigest)\n")
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Terminal.write(String(decoding: try encoder.encode(records), as: UTF8.self) + "\n")
        }
    }
}
