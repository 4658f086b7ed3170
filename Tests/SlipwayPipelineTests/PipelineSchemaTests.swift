import Foundation
import SlipwayPipeline
import Testing
import Yams

/// The generated files against GitLab's and GitHub's own schemas, as `check-jsonschema` bundles
/// them (`--builtin-schema vendor.gitlab-ci` / `vendor.github-workflows`; no network). The
/// validator comes from PyPI through scripts/setup; without it these tests fail, never skip.
@Suite("Generated pipelines against the vendors' schemas")
struct PipelineSchemaTests {
    static let requests: [(String, PipelineRequest)] = [
        ("guestbook", Fixture.guestbook), ("minimal", Fixture.minimal), ("guestbook-deploy", Fixture.guestbookDeploy),
        ("minimal-deploy", Fixture.minimalDeploy),
    ]

    /// Runs `check-jsonschema --builtin-schema SCHEMA` on `text`; returns its exit status and output.
    static func validate(_ text: String, schema: String, name: String) throws -> (Int32, String) {
        let file = NSTemporaryDirectory() + "slipway-schema-\(UUID().uuidString.prefix(8))-\(name).yml"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["check-jsonschema", "--builtin-schema", schema, file]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test(arguments: requests.map(\.0), CIProvider.allCases)
    func passesTheVendorSchema(name: String, provider: CIProvider) throws {
        let request = try #require(Self.requests.first { $0.0 == name }?.1)
        let schema = provider == .gitlab ? "vendor.gitlab-ci" : "vendor.github-workflows"
        let (status, output) = try Self.validate(try PipelineGenerator.render(provider, request), schema: schema, name: name)
        #expect(status == 0, "\(name).\(provider.rawValue): \(output)")
    }

    /// The validator itself rejects a broken file, so a pass above means something.
    @Test func theValidatorRejectsABrokenDeployJob() throws {
        let text = try PipelineGenerator.render(.gitlab, Fixture.guestbookDeploy)
            .replacingOccurrences(of: "when: manual", with: "when: by-hand")
        let (status, output) = try Self.validate(text, schema: "vendor.gitlab-ci", name: "broken")
        #expect(status != 0 && output.contains("by-hand"), "\(output)")
    }

    /// The component's jobs document, with its inputs replaced as GitLab does at `include:` time
    /// (defaults, then non-default values), passes the GitLab schema; its spec document passes
    /// it too and declares every input the jobs use.
    @Test func theComponentsJobsPassTheSchemaWithItsInputs() throws {
        let text = try GitLabComponent.render()
        let parts = text.components(separatedBy: "\n---\n")
        #expect(parts.count == 2, "spec, ---, jobs")
        let spec = try #require(try Yams.load(yaml: parts[0]) as? [String: Any])
        let inputs = try #require((spec["spec"] as? [String: Any])?["inputs"] as? [String: [String: Any]])
        #expect(Set(inputs.keys).isSuperset(of: ["profile", "tasks", "push", "deploy"]))
        let (specStatus, specOutput) = try Self.validate(parts[0], schema: "vendor.gitlab-ci", name: "component-spec")
        #expect(specStatus == 0, "the spec document: \(specOutput)")
        let used = Set(parts[1].matches(of: /\$\[\[ inputs\.([a-z_]+) \]\]/).map { String($0.1) })
        #expect(used.isSubset(of: Set(inputs.keys)) && !used.isEmpty, "inputs used: \(used)")
        let variants: [[String: String]] = [[:], ["deploy_when": "manual", "push": "false", "deploy": "db web", "tasks": "lint test"]]
        for chosen in variants {
            var jobs = parts[1]
            for (name, input) in inputs {
                jobs = jobs.replacingOccurrences(of: "$[[ inputs.\(name) ]]", with: chosen[name] ?? "\(input["default"] ?? "")")
            }
            #expect(!jobs.contains("$[["))
            let (status, output) = try Self.validate(jobs, schema: "vendor.gitlab-ci", name: "component")
            #expect(status == 0, "\(chosen): \(output)")
        }
    }
}
