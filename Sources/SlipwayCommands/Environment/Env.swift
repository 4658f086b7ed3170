import ArgumentParser
import SlipwayCore
import Foundation
import SlipwayEnvironment
import SlipwayProcess

/// `slipway env [--profile P] --format bash|json|dotenv`
struct Env: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "Print the profile's environment (for direnv and CI).",
        discussion: #"Use it as: eval "$(slipway env --format bash)""#)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var purity: PurityOptions

    @Option(help: "Output format: bash, zsh, fish, json or dotenv.")
    var format: EnvironmentFormat = .bash

    @Flag(help: "Same as --format json.")
    var json = false

    func run() async throws {
        let cached = purity.apply(try await ProfileEnvironment.load(global))
        let pairs = try ProcessEnvironment.exported(cached, inherited: ProcessLauncher.currentEnvironment())
        Terminal.write((json ? .json : format).render(pairs, onEnter: cached.onEnter))
    }
}

extension EnvironmentFormat: ExpressibleByArgument {}
