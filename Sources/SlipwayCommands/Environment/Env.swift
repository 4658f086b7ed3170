import ArgumentParser
import SlipwayCore
import Foundation
import SlipwayEnvironment
import SlipwayProcess

/// `slipway env [--profile P] --format bash|json|dotenv`
struct Env: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the profile's environment (for direnv and CI).",
        discussion: #"Use it as: eval "$(slipway env --format bash)""#)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: bash, json or dotenv.")
    var format: EnvironmentFormat = .bash

    @Flag(help: "Same as --format json.")
    var json = false

    func run() async throws {
        let cached = try await ProfileEnvironment.load(global)
        let pairs = ProcessEnvironment.exported(cached, inherited: ProcessLauncher.currentEnvironment())
        Terminal.write((json ? .json : format).render(pairs))
    }
}

extension EnvironmentFormat: ExpressibleByArgument {}
