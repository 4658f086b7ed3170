import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayEnvironment
import SlipwayManifest
import SlipwayOCI

/// `slipway image build|inspect|load`
struct Image: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build, inspect and load container images.",
        subcommands: [ImageBuild.self, ImageInspect.self, ImageLoad.self, ImagePush.self])
}

/// Shared loading of the manifest's images.
struct ImageContext {
    let planning: ImagePlanning
    let images: [ImageSpec]

    static func load(_ options: GlobalOptions) throws -> ImageContext {
        let layout = try options.layout()
        let display = EnvironmentResolver(layout: layout).displayName
        let manifest = try ManifestLoader.load(path: layout.manifest, displayName: display)
        return ImageContext(planning: ImagePlanning(layout: layout, manifest: manifest, displayName: display), images: try manifest.images())
    }

    func select(_ names: [String]) throws -> [ImageSpec] {
        if names.isEmpty {
            if images.isEmpty { throw ImageError.noImages }
            return images
        }
        return try names.map { name in
            guard let spec = images.first(where: { $0.name == name }) else { throw ImageError.unknownImage(name, known: images.map(\.name)) }
            return spec
        }
    }

    /// Plans and builds one image and writes its build record.
    /// - Throws: ``ManifestError``, ``NixError``, ``ImageError``.
    func build(_ spec: ImageSpec) async throws -> (BuildRecord, ImageBuilder.Statistics) {
        let plan = try await planning.plan(spec)
        let (record, stats) = try await ImageBuilder().build(plan)
        let path = planning.recordPath(spec.name)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(record).write(to: URL(fileURLWithPath: path), options: .atomic)
        return (record, stats)
    }

    func record(_ name: String) throws -> BuildRecord {
        guard images.contains(where: { $0.name == name }) else { throw ImageError.unknownImage(name, known: images.map(\.name)) }
        guard let data = FileManager.default.contents(atPath: planning.recordPath(name)),
              let record = try? JSONDecoder().decode(BuildRecord.self, from: data),
              record.formatVersion == BuildRecord.formatVersion else { throw ImageError.notBuilt(name) }
        return record
    }
}

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
        let context = try ImageContext.load(global)
        let specs = try context.select(names)
        if destination != nil && specs.count > 1 {
            throw ValidationError("--output takes one image; name it: slipway image build NAME --output ...")
        }
        var records: [BuildRecord] = []
        for spec in specs {
            let (record, stats) = try await context.build(spec)
            if let destination {
                try ImageWriter.write(record, to: destination, defaultReference: context.planning.defaultReference(record))
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

/// `slipway image inspect NAME [--json]`
struct ImageInspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Show an image's layers, config and digest.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON.") var json = false
    @Argument(help: "The image.") var name: String

    func run() async throws {
        let context = try ImageContext.load(global)
        let record = try context.record(name)
        if json {
            struct Inspection: Encodable {
                var name: String
                var digest: Digest
                var configDigest: Digest
                var profile: String
                var compression: Compression
                var layers: [Layer]
                var config: ImageConfiguration
                struct Layer: Encodable {
                    var kind: String
                    var digest: Digest
                    var diffID: Digest
                    var size: Int64
                    var diffSize: Int64
                    var storePaths: [String]
                    var paths: [String]
                }
            }
            let config = try JSONDecoder().decode(ImageConfiguration.self, from: Data(record.configBytes))
            let inspection = Inspection(
                name: record.name, digest: record.manifestDigest, configDigest: record.configDigest, profile: record.profile,
                compression: record.compression,
                layers: record.layers.map { .init(kind: $0.spec.kind.rawValue, digest: $0.digest, diffID: $0.diffID, size: $0.size,
                                                  diffSize: $0.diffSize, storePaths: $0.spec.storePaths, paths: $0.spec.entries.map { "/" + $0.name }) },
                config: config)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Terminal.write(String(decoding: try encoder.encode(inspection), as: UTF8.self) + "\n")
            return
        }
        var text = "image \(record.name) (profile \(record.profile))\ndigest \(record.manifestDigest)\nconfig \(record.configDigest)\n"
        text += "layers (\(record.layers.count), \(record.compression.rawValue)):\n"
        for (i, layer) in record.layers.enumerated() {
            text += String(format: "%3d  %@  %10@  ", i + 1, String(layer.digest.hex.prefix(12)), ByteCount.format(layer.size))
            text += layer.spec.summary.prefix(110) + "\n"
        }
        if let config = try? JSONDecoder().decode(ImageConfiguration.self, from: Data(record.configBytes)).config {
            if let user = config.User { text += "user \(user)\n" }
            if let entrypoint = config.Entrypoint { text += "entrypoint \(entrypoint)\n" }
            if let cmd = config.Cmd { text += "cmd \(cmd)\n" }
            if let ports = config.ExposedPorts { text += "ports \(ports.keys.sorted().joined(separator: " "))\n" }
            for variable in config.Env ?? [] { text += "env \(variable)\n" }
        }
        Terminal.write(text)
    }
}

/// `slipway image load NAME`
struct ImageLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load", abstract: "Stream the image as a docker-archive into `podman load` (or `docker load`).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The image.") var name: String

    func run() async throws {
        let context = try ImageContext.load(global)
        let record = try context.record(name)
        let reference = context.planning.defaultReference(record)
        try await ArchiveLoader.load(record, reference: reference)
        Terminal.write("loaded \(reference) (\(record.manifestDigest))\n")
    }
}
