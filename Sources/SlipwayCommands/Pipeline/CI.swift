import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayEnvironment
import SlipwayManifest
import SlipwayNix
import SlipwayOCI
import SlipwayPipeline
import SlipwayProcess
import SlipwayRegistry

/// `slipway ci [run] [--push]` and `slipway ci generate gitlab|github`.
struct CI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ci",
        abstract: "Run the pipeline of [ci] (the same locally and on a runner), or generate a GitLab/GitHub file that runs it.",
        subcommands: [CIRun.self, CIGenerate.self],
        defaultSubcommand: CIRun.self)
}

/// `slipway ci [--push]`
struct CIRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Build the CI environment, run the tasks with their services, build artifacts and images, push when asked.",
        discussion: """
            Stages stop at the first failure. Writes .slipway/ci/summary.json and copies the tasks' \
            JUnit reports into .slipway/ci/<task>/. Images are pushed with --push, or when [ci] push \
            matches the branch (CI_COMMIT_BRANCH, GITHUB_REF_NAME, or .git/HEAD), to \
            <registry>/<image>:<tag> for each of [ci] tags.
            """)

    @Option(help: "The profile (default: [ci] profile, else ci).") var profile: String?
    @Option(help: "The manifest (default: the nearest slipway.toml).") var manifest: String?
    @Flag(help: "Push the images (whatever [ci] push says).") var push = false
    @Flag(name: .customLong("no-push"), help: "Do not push, even when [ci] push matches the branch.") var noPush = false
    @Option(help: "Where images go: HOST[:PORT]/PATH (default: [ci] registry, $CI_REGISTRY_IMAGE, or ghcr.io/$GITHUB_REPOSITORY).")
    var registry: String?
    @Option(name: .customLong("tag"), help: "Tags to push instead of [ci] tags (repeatable).") var tags: [String] = []
    @Option(name: .shortAndLong, help: "Tasks to run at once.") var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(name: .customLong("tls-verify"), help: "Verify registry TLS certificates (false also allows plain HTTP).") var tlsVerify: Bool = true
    @Option(name: .customLong("cert-dir"), help: "A folder of extra CA certificates for the registry.") var certDir: String?

    func validate() throws {
        if push && noPush { throw ValidationError("--push and --no-push exclude each other") }
        if jobs < 1 { throw ValidationError("--jobs must be 1 or more") }
    }

    func run() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let initial = try GlobalOptions.parse(manifest.map { ["--manifest", $0] } ?? [])
        let layout = try initial.layout()
        let displayName = EnvironmentResolver(layout: layout).displayName
        let loaded = try ManifestLoader.load(path: layout.manifest, displayName: displayName)
        let artifactSpecs = try loaded.artifacts()
        let imageSpecs = try loaded.images()
        var ci = try loaded.ci(tasks: [], artifacts: artifactSpecs, images: imageSpecs, checkTasks: false)
        if let profile { ci.profile = profile }
        // Everything the manifest can get wrong is reported before any stage runs.
        let ciProfile = try loaded.resolve(profile: ci.profile)
        let declaredTasks = try loaded.tasks(of: ciProfile, services: try loaded.services(of: ciProfile))
        let profileOverride = ci.profile
        ci = try loaded.ci(tasks: declaredTasks, artifacts: artifactSpecs, images: imageSpecs)
        ci.profile = profileOverride
        let options = try GlobalOptions.parse(["--profile", ci.profile, "--manifest", layout.manifest])
        let project = loaded.project.name ?? (layout.root as NSString).lastPathComponent
        let ciDir = layout.ciDir

        var summary = CISummary(project: project, profile: ci.profile)
        summary.branch = CIBranch.current(root: layout.root)
        let shouldPush = !noPush && (push || CIBranch.pushRuleMatches(ci.push, branch: summary.branch))
        summary.push = shouldPush
        // Where to push is settled before the tests run, not found missing after them.
        let images = imageSpecs.filter { ci.images?.contains($0.name) ?? true }
        let hasImages = !images.isEmpty
        let pushTarget = shouldPush && hasImages ? (registry: try CIRegistry.destination(flag: registry, ci: ci), tags: try CIRegistry.tags(flag: tags, ci: ci)) : nil
        if let pushTarget { for tag in pushTarget.tags { _ = try ImageReference(parsing: "\(pushTarget.registry)/image:\(tag)") } }
        // Only now, with nothing left to refuse, the previous run's report goes.
        try? FileManager.default.removeItem(atPath: ciDir)
        try FileManager.default.createDirectory(atPath: ciDir, withIntermediateDirectories: true)
        var failure: (code: Int32, stage: String)?
        // Ctrl-C between or during stages other than the tasks: the running Nix build gets the
        // terminal's SIGINT too; no further stage starts, and the summary says INTERRUPTED.
        let interrupted = InterruptFlag()
        let interrupts = InterruptHandler { interrupted.set() }
        defer { interrupts.restore() }

        func skippedReason() -> String { summary.result == .interrupted ? "interrupted" : "an earlier stage failed" }

        func stage<T>(_ name: String, _ body: () async throws -> T) async -> T? {
            if interrupted.isSet && failure == nil {
                summary.result = .interrupted
                failure = (130, name)
            }
            guard failure == nil else {
                summary.stages.append(.init(name: name, status: .skipped, seconds: 0, detail: summary.result == .interrupted ? "interrupted" : "an earlier stage failed"))
                return nil
            }
            Terminal.writeError("==> \(name)\n")
            let start = clock.now
            do {
                let value = try await body()
                summary.stages.append(.init(name: name, status: .passed, seconds: Self.seconds(clock.now - start)))
                return value
            } catch let error as CIStageFailure {
                summary.stages.append(.init(name: name, status: .failed, seconds: Self.seconds(clock.now - start), detail: error.detail))
                failure = (error.code, name)
            } catch {
                let slipwayError = error as? any SlipwayError
                if let slipwayError { ErrorReport.print(slipwayError) } else { Terminal.writeError("slipway: \(error)\n") }
                summary.stages.append(.init(name: name, status: .failed, seconds: Self.seconds(clock.now - start),
                                            detail: slipwayError?.message ?? String(describing: error)))
                failure = (slipwayError?.exitCode ?? 1, name)
                if interrupted.isSet { summary.result = .interrupted; failure = (130, name) }
            }
            return nil
        }

        // 1. The environment (and the task list of its profile).
        let session = await stage("environment") { try await TaskSession.load(options) }
        // 2. Tasks, with their services.
        if let session {
            let names = ci.tasks ?? session.tasks.map(\.name)
            if names.isEmpty {
                summary.stages.append(.init(name: "tasks", status: .skipped, seconds: 0, detail: "no tasks"))
            } else {
                _ = await stage("tasks") {
                    let plan = try TaskPlan(session.tasks, requested: names)
                    let (outcomes, interrupted) = try await session.run(plan, parallelism: jobs, force: true)
                    summary.tasks = plan.tasks.compactMap { task in outcomes.first { $0.name == task.name } }
                    summary.reports = Self.collectReports(summary.tasks, into: ciDir)
                    if interrupted { summary.result = .interrupted; throw CIStageFailure(code: 130, detail: "interrupted") }
                    if let failed = outcomes.first(where: { $0.status == .failed }) {
                        throw CIStageFailure(code: failed.exitCode ?? 1, detail: "task '\(failed.name)' failed")
                    }
                }
            }
        }
        // 3. Artifacts.
        let artifacts = artifactSpecs.filter { ci.artifacts?.contains($0.name) ?? true }
        if artifacts.isEmpty {
            summary.stages.append(.init(name: "artifacts", status: .skipped, seconds: 0, detail: failure == nil ? "no artifacts" : skippedReason()))
        } else {
            _ = await stage("artifacts") {
                let backend = NixBackend(nix: try NixCommand.locate(), layout: layout, manifest: loaded)
                for artifact in artifacts {
                    let built = try await backend.buildArtifact(artifact)
                    summary.artifacts.append(.init(name: artifact.name, storePaths: built.storePaths))
                    Terminal.write("\(artifact.name) \(built.storePaths.joined(separator: " "))\n")
                }
            }
        }
        // 4. Images, 5. push.
        var records: [(ImageSpec, BuildRecord)] = []
        if images.isEmpty {
            summary.stages.append(.init(name: "images", status: .skipped, seconds: 0, detail: failure == nil ? "no images" : skippedReason()))
        } else {
            _ = await stage("images") {
                let context = try ImageContext.load(options)
                for spec in images {
                    let (record, _) = try await context.build(spec)
                    records.append((spec, record))
                    summary.images.append(.init(name: spec.name, digest: record.manifestDigest.description))
                    Terminal.write("\(spec.name) \(record.manifestDigest)\n")
                }
            }
        }
        if let pushTarget, !images.isEmpty {
            _ = await stage("push") {
                let (target, tagList) = pushTarget
                let options = RegistryOptions(certDir: certDir, tlsVerify: tlsVerify)
                for (spec, record) in records {
                    let destinations = try tagList.map { try ImageReference(parsing: "\(target)/\(spec.name):\($0)") }
                    Terminal.status("pushing \(spec.name) to \(target)/\(spec.name):\(tagList.joined(separator: ","))")
                    for report in try await ImagePush.push(record, to: destinations, options: options, layout: layout, quiet: true) {
                        Terminal.write("pushed \(report.repository):\(tagList.joined(separator: ",")) \(report.manifestDigest) (\(report.uploaded) of \(report.blobs.count) blobs uploaded, \(ByteCount.format(report.bytesSent)))\n")
                    }
                    if let i = summary.images.firstIndex(where: { $0.name == spec.name }) {
                        summary.images[i].pushed = tagList.map { "\(target)/\(spec.name):\($0)" }
                    }
                }
            }
        } else {
            let why: String
            if images.isEmpty { why = "no images" }
            else if noPush { why = "--no-push" }
            else if case .never = ci.push { why = "not asked (--push)" }
            else if !CIBranch.pushRuleMatches(.always, branch: nil) { why = "a merge or pull request pipeline never pushes by [ci] push" }
            else { why = "not asked (--push), and [ci] push does not match branch \(summary.branch ?? "(unknown: no CI variables, no .git)")" }
            summary.stages.append(.init(name: "push", status: .skipped, seconds: 0, detail: failure == nil ? why : skippedReason()))
        }

        // A signal during the last stage that ran (a runner cancelling the job) still counts.
        if interrupted.isSet && failure == nil {
            summary.result = .interrupted
            failure = (130, "interrupted")
        }
        summary.seconds = Self.seconds(clock.now - started)
        if let failure {
            summary.exitCode = failure.code
            if summary.result != .interrupted { summary.result = .failed }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(summary).write(to: URL(fileURLWithPath: ciDir + "/summary.json"), options: .atomic)
        Terminal.writeError(CIReport.render(summary, summaryPath: ".slipway/ci/summary.json"))
        if let failure { throw ExitCodeError(code: failure.code) }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Copies each task's reports to `<ciDir>/<task>/<name>`; returns their relative paths.
    static func collectReports(_ outcomes: [TaskOutcome], into ciDir: String) -> [String] {
        var copied: [String] = []
        for outcome in outcomes {
            for (i, report) in outcome.reports.enumerated() {
                let folder = ciDir + "/" + outcome.name
                try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                var name = (report as NSString).lastPathComponent
                if copied.contains(outcome.name + "/" + name) { name = "\(i)-" + name }
                try? FileManager.default.removeItem(atPath: folder + "/" + name)
                if (try? FileManager.default.copyItem(atPath: report, toPath: folder + "/" + name)) != nil {
                    copied.append(outcome.name + "/" + name)
                }
            }
        }
        return copied
    }
}

/// A stage that failed with a known exit status (its output already explained why).
struct CIStageFailure: Error {
    var code: Int32
    var detail: String
}

/// The closing report of `slipway ci`.
enum CIReport {
    static func render(_ summary: CISummary, summaryPath: String) -> String {
        var text = "\n"
        for stage in summary.stages {
            text += stage.name.padding(toLength: 11, withPad: " ", startingAt: 0) + " " + stage.status.rawValue
            if stage.status != .skipped { text += String(format: " in %.1fs", stage.seconds) }
            if let detail = stage.detail { text += " (\(detail))" }
            text += "\n"
            if stage.name == "tasks" {
                for outcome in summary.tasks { text += "  " + TaskSummary.line(outcome).replacingOccurrences(of: "\n", with: "\n  ") + "\n" }
            }
            if stage.name == "push" {
                for image in summary.images { for reference in image.pushed { text += "  \(image.name) -> \(reference) \(image.digest)\n" } }
            }
        }
        let verdict = summary.result == .passed ? "passed" : summary.result == .interrupted ? "INTERRUPTED" : "FAILED"
        text += "ci \(verdict) in \(String(format: "%.1f", summary.seconds))s; summary in \(summaryPath)"
        if !summary.reports.isEmpty { text += ", JUnit reports in .slipway/ci/" }
        return text + "\n"
    }
}
