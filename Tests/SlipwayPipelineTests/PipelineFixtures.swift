import Foundation
import SlipwayCore
import SlipwayManifest
import SlipwayPipeline
import Yams

/// Requests the tests render, and helpers to read the rendered YAML back.
enum Fixture {
    static func ci(push: CISpec.PushRule = .never, registry: String? = nil) -> CISpec {
        var spec = CISpec(location: SourceLocation(file: "slipway.toml", line: 1, column: 1))
        spec.push = push
        spec.registry = registry
        return spec
    }

    /// The guestbook example: two images, pushed to the provider's default registry.
    static let guestbook = PipelineRequest(
        projectName: "guestbook", manifestDirectory: "examples/guestbook", ci: ci(), hasImages: true)

    /// A project at the repository root with tasks only.
    static let minimal = PipelineRequest(
        projectName: "hello", manifestDirectory: ".", ci: ci(), hasImages: false)

    /// A deploy target as `[ci] deploy` names it.
    static func target(_ name: String, manual: Bool = false, url: String? = nil, secret: String? = nil) -> DeploySpec {
        let location = SourceLocation(file: "slipway.toml", line: 1, column: 1)
        var spec = DeploySpec(name: name, location: location)
        spec.hosts = [DeployHost(user: "deploy", host: "app1.example.com", port: nil)]
        spec.images = ["app"]
        spec.manual = manual
        spec.url = url
        if let secret { spec.secrets = [DeploySpec.Secret(name: "PGPASSWORD", source: .environment(secret), location: location)] }
        return spec
    }

    /// The guestbook deploying `db` (automatic) and `web` (by hand, with a URL and a secret).
    static let guestbookDeploy = PipelineRequest(
        projectName: "guestbook", manifestDirectory: "examples/guestbook", ci: ci(), hasImages: true,
        deploy: [target("db"), target("web", manual: true, url: "https://guestbook.example.com", secret: "PROD_PGPASSWORD")])

    /// A project at the root with tasks only, deploying one closure target.
    static let minimalDeploy = PipelineRequest(
        projectName: "hello", manifestDirectory: ".", ci: ci(), hasImages: false, deploy: [target("status")])

    /// Golden cases: a name (the golden file's prefix) and a request.
    static let goldenCases: [(String, PipelineRequest)] = [
        ("guestbook", guestbook), ("minimal", minimal), ("guestbook-deploy", guestbookDeploy),
    ]

    static func render(_ provider: CIProvider, _ request: PipelineRequest) throws -> (text: String, node: Node) {
        let text = try PipelineGenerator.render(provider, request)
        guard let node = try Yams.compose(yaml: text) else { throw FixtureError.empty }
        return (text, node)
    }

    /// Every scalar value (not key) in `node`, with its path of keys and indexes (`jobs.ci.steps.4.run`).
    static func scalars(_ node: Node, path: String = "") -> [(path: String, value: String)] {
        switch node {
        case .scalar(let scalar): return [(path, scalar.string)]
        case .sequence(let sequence):
            return sequence.enumerated().flatMap { scalars($1, path: path + "." + String($0)) }
        case .mapping(let mapping):
            return mapping.flatMap { pair in scalars(pair.value, path: path + "." + (pair.key.string ?? "?")) }
        case .alias: return []
        }
    }

    /// The file's comments as one line of words (wrapping does not matter).
    static func comments(_ text: String) -> String {
        text.split(separator: "\n").filter { $0.hasPrefix("#") }
            .map { $0.dropFirst().trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// The keys of a mapping node, in order.
    static func keys(_ node: Node?) -> [String] {
        node?.mapping?.keys.compactMap(\.string) ?? []
    }

    /// The strings of a sequence node.
    static func strings(_ node: Node?) -> [String] {
        node?.sequence?.compactMap(\.string) ?? []
    }
}

enum FixtureError: Error { case empty }
