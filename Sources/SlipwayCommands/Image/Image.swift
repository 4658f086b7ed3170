import ArgumentParser

/// `slipway image build|inspect|load`
struct Image: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Build, inspect and load container images.",
        subcommands: [ImageBuild.self, ImageInspect.self, ImageLoad.self, ImagePush.self])
}
