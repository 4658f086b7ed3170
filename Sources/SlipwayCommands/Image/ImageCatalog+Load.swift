import SlipwayEnvironment
import SlipwayImage
import SlipwayManifest

extension ImageCatalog {
    /// The images of the manifest `options` names, with build progress on the terminal.
    static func load(_ options: GlobalOptions) throws -> ImageCatalog {
        let layout = try options.layout()
        let manifest = try ManifestLoader.load(path: layout.manifest, displayName: EnvironmentResolver(layout: layout).displayName)
        return ImageCatalog(layout: layout, manifest: manifest, images: try manifest.images(), status: { Terminal.status($0) },
                            warning: { Terminal.writeError($0 + "\n") })
    }
}
