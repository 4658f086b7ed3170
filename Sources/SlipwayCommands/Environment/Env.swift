import ArgumentParser
import Foundation
import SlipwayEnvironment
import SlipwayProcess

/// `slipway env [--profile P] --format bash|json|dotenv`
struct Env: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the profile's environment (for direnv and CI).",
        discussion: #"Use it as: eval "$(slipway env --format bash)""#)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case bash, json, dotenv
    }

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: bash, json or dotenv.")
    var format: Format = .bash

    @Flag(help: "Same as --format json.")
    var json = false

    func run() async throws {
        let cached = try await ProfileEnvironment.load(global)
        let pairs = ProcessEnvironment.exported(cached, inherited: ProcessLauncher.currentEnvironment())
        Terminal.write(EnvFormatter.render(pairs, as: json ? .json : format))
    }
}

/// Renders `NAME=value` pairs for shells, JSON consumers and dotenv loaders.
enum EnvFormatter {
    static func render(_ pairs: [(String, String)], as format: Env.Format) -> String {
        switch format {
        case .bash:
            return pairs.map { "export \($0.0)=\(shellQuote($0.1))\n" }.joined()
        case .dotenv:
            return pairs.map { "\($0.0)=\(dotenvQuote($0.1))\n" }.joined()
        case .json:
            var object: [String: String] = [:]
            for (name, value) in pairs { object[name] = value }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = (try? encoder.encode(object)) ?? Data("{}".utf8)
            return String(decoding: data, as: UTF8.self) + "\n"
        }
    }

    /// POSIX single quoting: `'` becomes `'\''`.
    static func shellQuote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// Double-quoted dotenv value with `\`, `"`, `$` and newlines escaped.
    static func dotenvQuote(_ value: String) -> String {
        var out = "\""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "$": out += "\\$"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out + "\""
    }
}
