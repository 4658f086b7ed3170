import ArgumentParser
import Foundation
import SlipwayImage
import SlipwayCore
import SlipwayOCI

/// `slipway image inspect NAME [--json]`
struct ImageInspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Show an image's layers, config and digest.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON.") var json = false
    @Argument(help: "The image.") var name: String

    func run() async throws {
        let context = try ImageCatalog.load(global)
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
