import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayEnvironment
import SlipwayProcess

/// `slipway shell [--profile P]`
struct Shell: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start your $SHELL in the profile's environment, with a prompt marker.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let cached = try await ProfileEnvironment.load(global)
        let layout = try global.layout()
        var env = ProcessEnvironment.make(cached, inherited: ProcessLauncher.currentEnvironment())
        let marker = "(slipway:\(cached.profile)) "
        env["SLIPWAY_SHELL"] = cached.profile
        let shell = env["SHELL"].flatMap { $0.isEmpty ? nil : $0 } ?? "/bin/sh"
        let name = shell.split(separator: "/").last.map(String.init) ?? shell
        let dir = layout.shellDir(profile: cached.profile)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        switch name {
        case "bash":
            let rc = dir + "/bashrc"
            try """
                [ -f "$HOME/.bashrc" ] && . "$HOME/.bashrc"
                PS1='\(marker)'"$PS1"

                """.write(toFile: rc, atomically: true, encoding: .utf8)
            try ProcessLauncher.exec([shell, "--rcfile", rc, "-i"], environment: env)
        case "zsh":
            let zshrc = dir + "/.zshrc"
            try """
                [ -f "${SLIPWAY_USER_ZDOTDIR:-$HOME}/.zshrc" ] && ZDOTDIR="${SLIPWAY_USER_ZDOTDIR:-$HOME}" . "${SLIPWAY_USER_ZDOTDIR:-$HOME}/.zshrc"
                PROMPT='\(marker)'"$PROMPT"

                """.write(toFile: zshrc, atomically: true, encoding: .utf8)
            env["SLIPWAY_USER_ZDOTDIR"] = env["ZDOTDIR"] ?? env["HOME"] ?? ""
            env["ZDOTDIR"] = dir
            try ProcessLauncher.exec([shell, "-i"], environment: env)
        default:
            env["PS1"] = marker + (env["PS1"] ?? "$ ")
            try ProcessLauncher.exec([shell, "-i"], environment: env)
        }
    }
}
