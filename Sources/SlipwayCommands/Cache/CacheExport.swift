import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayNix

/// `slipway cache export DIR`
struct CacheExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Copy what the project built into DIR, a binary cache Nix reads (file://DIR).",
        discussion: """
            The environments' closures, the artifacts' outputs and the images' closures that the \
            project's .slipway/cache records, zstd-compressed. A later run on another machine reads \
            DIR with SLIPWAY_NIX_CACHE=DIR (or [nix] substituters = ["file://DIR?trusted=1"]) and \
            substitutes instead of building. Generated pipelines keep DIR between jobs.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The binary cache folder (created when missing).")
    var directory: String

    func run() async throws {
        let layout = try global.layout()
        let target = FilePaths.absolute(directory)
        let paths = try await BinaryCacheExport.export(layout, to: target, nix: try NixCommand.locate())
        Terminal.write("exported \(paths.count) store path\(paths.count == 1 ? "" : "s") with their closures to file://\(target)\n")
    }
}
