import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayEnvironment
import SlipwayProcess

/// `slipway shell [--profile P] [--pure|--impure]`
struct Shell: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "Start your $SHELL in the profile's environment, with a prompt marker.",
        discussion: """
            bash, zsh, fish and POSIX sh read your startup files as usual; then the profile's PATH \
            is put back in front and [shell] on_enter runs.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var purity: PurityOptions

    /// Words after the options: refused with a pointer to `exec` (as `nix develop -c` users try).
    @Argument(parsing: .captureForPassthrough, help: .hidden)
    var command: [String] = []

    func run() async throws {
        if !command.isEmpty {
            let words = command.first == "--" ? Array(command.dropFirst()) : command
            throw ValidationError("slipway shell takes no command; to run one in the profile's environment: "
                + "slipway exec -- \(words.joined(separator: " "))")
        }
        let cached = purity.apply(try await ProfileEnvironment.load(global))
        let layout = try global.layout()
        var env = try ProcessEnvironment.make(cached, inherited: ProcessLauncher.currentEnvironment())
        env["SLIPWAY_SHELL"] = cached.profile
        let shell = env["SHELL"].flatMap { $0.isEmpty ? nil : $0 } ?? "/bin/sh"
        let dir = layout.shellDir(profile: cached.profile)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let startup = ShellStartup(
            shell: shell, environment: env, directory: dir, marker: "(slipway:\(cached.profile)) ",
            onEnter: cached.onEnter)
        for file in startup.files { try file.text.write(toFile: file.path, atomically: true, encoding: .utf8) }
        try ProcessLauncher.exec(startup.arguments, environment: startup.environment)
    }
}
