import ArgumentParser
import SlipwayCore
import SlipwayDeploy

/// `slipway releases NAME [--host H] [--json]`
struct ReleasesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "releases", abstract: "List the releases each host keeps: current, previous, outcomes, drift.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this host; repeatable.") var host: [String] = []
    @Flag(help: "Print JSON.") var json = false
    @Argument(help: "The deploy target ([deploy.NAME]).") var target: String

    func run() async throws {
        let setup = try DeploySetup.loadHosts(global, target: target, host: host, quiet: true)
        var query = ReleaseQuery(spec: setup.spec, context: setup.context)
        query.hosts = setup.hosts
        try Self.render(target: target, await query.run(), json: json)
    }

    struct Listing: Encodable {
        var target: String
        var hosts: [HostReleases]
    }

    static func render(target: String, _ hosts: [HostReleases], json: Bool) throws {
        if json {
            Terminal.write(try PrettyJSON.text(Listing(target: target, hosts: hosts)) + "\n")
        } else {
            for host in hosts { Terminal.write(text(host)) }
        }
        let unreachable = hosts.filter { $0.error != nil }
        if !unreachable.isEmpty { throw DeployError.hosts(unreachable.map { "\($0.host): \($0.error ?? "")" }) }
    }

    static func text(_ host: HostReleases) -> String {
        var text = "\(host.host)\n"
        if host.releases.isEmpty && host.error == nil { text += "  no releases\n" }
        for entry in host.releases {
            let mark = entry.directory == host.currentDirectory ? "*" : " "
            text +=
                " \(mark) \(entry.id)  \(entry.outcome)  \(entry.time ?? "-")  "
                + "\(entry.commit.map { String($0.prefix(12)) } ?? "-")\n"
        }
        for line in host.drift { text += "  drift: \(line)\n" }
        return text
    }
}
