import ArgumentParser
import Foundation
import SlipwayImage
import SlipwayCore
import SlipwayOCI

/// `slipway image build [NAME...] [--output TRANSPORT]`
struct ImageBuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build images: layers digested and recorded in .slipway/images/NAME.json, compressed blobs kept in the blob store.")

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
                let sources = try ImageWriter.write(record, to: destination, defaultReference: context.planner.defaultReference(record),
                                                    store: try BlobStore())
                if !json && !sources.isEmpty {
                    let stored = sources.filter { $0 == .store }.count
                    Terminal.status("\(spec.name): wrote \(sources.count) layer blobs, \(stored) from the blob store, \(sources.count - stored) compressed again")
                }
            }
            records.append(record)
            if !json {
                let total = record.layers.reduce(Int64(0)) { $0 + $1.size }
                Terminal.status("\(spec.name): \(record.layers.count) layers, \(ByteCount.format(total)) compressed; \(stats.layersDigested) digested, \(stats.layersFromCache) from cache")
                Terminal.write("\(spec.name) \(record.manifestDigest)\n")
            }
        }
        if json {
            Terminal.write(try PrettyJSON.text(records) + "\n")
        }
    }
}
