import ArgumentParser
import SlipwayEnvironment
import SlipwayManifest
import SlipwayNix

/// `slipway update`
struct Update: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Re-pin the flake inputs in slipway.lock and drop cached environments.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let layout = try global.layout()
        let resolver = EnvironmentResolver(layout: layout)
        let manifest = try ManifestLoader.load(path: layout.manifest, displayName: resolver.displayName)
        let nix = try NixCommand.locate()
        Terminal.status("re-pinning inputs")
        try await NixBackend(nix: nix, layout: layout, manifest: manifest).update()
        EnvironmentStore(layout: layout).invalidateAll()
        Terminal.write("updated \(layout.lockFile)\n")
    }
}
