import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayManifest

/// `slipway init`
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented starter slipway.toml and git-ignore .slipway/.")

    @Option(help: "Project name (default: the folder's name).")
    var name: String?

    @Option(help: "The package set's flake ref.")
    var nixpkgs: String = Manifest.defaultNixpkgs

    @Flag(help: "Overwrite an existing slipway.toml.")
    var force = false

    func run() throws {
        let root = FilePaths.currentDirectory()
        let manifest = root + "/slipway.toml"
        if FileManager.default.fileExists(atPath: manifest) && !force {
            throw InitError.exists(manifest)
        }
        let project = name ?? FilePaths.normalize(root).split(separator: "/").last.map(String.init) ?? "app"
        try StarterManifest.text(name: project, nixpkgs: nixpkgs).write(toFile: manifest, atomically: true, encoding: .utf8)
        let gitignore = root + "/.gitignore"
        let existing = (try? String(contentsOfFile: gitignore, encoding: .utf8)) ?? ""
        if let updated = StarterManifest.gitignore(adding: existing) {
            try updated.write(toFile: gitignore, atomically: true, encoding: .utf8)
        }
        Terminal.write("wrote slipway.toml\nnext: edit [packages], then run `slipway shell`\n")
    }

    enum InitError: SlipwayError {
        case exists(String)
        var message: String {
            if case .exists(let path) = self { return "\(path) already exists" }
            return ""
        }
        var hint: String? { "pass --force to overwrite it" }
    }
}
