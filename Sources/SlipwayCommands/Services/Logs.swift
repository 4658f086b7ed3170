import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayManifest
import SlipwaySupervisor

/// `slipway logs [SERVICE] [-f] [-n N]`
struct Logs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Print (and follow) service logs.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: .shortAndLong, help: "Keep printing new lines.")
    var follow = false

    @Option(name: .short, help: "Lines of history to print per service.")
    var n: Int = 50

    @Argument(help: "One service (default: all).")
    var service: String?

    func run() async throws {
        let layout = try global.layout()
        let directory = layout.serviceLogDir(profile: global.profile)
        let names = serviceNames(layout, logs: directory)
        if let service, !names.contains(service), !FileManager.default.fileExists(atPath: directory + "/\(service).log")
        {
            throw SupervisorError.unknownService(service, known: names)
        }
        try await LogFollower(directory: directory, services: names).run(lines: n, follow: follow, only: service)
    }

    /// The profile's services if the manifest can say, else the logs there are.
    private func serviceNames(_ layout: ProjectLayout, logs directory: String) -> [String] {
        if let manifest = try? ManifestLoader.load(path: layout.manifest),
            let resolved = try? manifest.resolve(profile: global.profile),
            let services = try? manifest.services(of: resolved), !services.isEmpty
        {
            return services.map(\.name)
        }
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".log") && $0 != "supervisor.log" }.map { String($0.dropLast(4)) }.sorted()
    }
}
