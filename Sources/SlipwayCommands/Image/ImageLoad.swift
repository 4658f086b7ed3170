import ArgumentParser
import SlipwayImage
import SlipwayOCI

/// `slipway image load NAME`
struct ImageLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load", abstract: "Stream the image as a docker-archive into `podman load` (or `docker load`).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The image.") var name: String

    func run() async throws {
        let context = try ImageCatalog.load(global)
        let record = try context.record(name)
        let reference = context.planner.defaultReference(record)
        try await ArchiveLoader.load(record, reference: reference)
        Terminal.write("loaded \(reference) (\(record.manifestDigest))\n")
    }
}
