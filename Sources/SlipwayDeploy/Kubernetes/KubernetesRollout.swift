import Foundation
import SlipwayManifest

/// Applies a ``KubernetesManifest`` with `kubectl` and gates it on the rollout:
/// `kubectl apply --server-side --field-manager=slipway -f -` (the YAML, secrets included, goes
/// through stdin, never argv or the terminal), then `kubectl rollout status` bounded by the
/// Deployment's `progressDeadlineSeconds`. When the rollout fails: the last log lines of the
/// new release's pods, `kubectl rollout undo`, and a `rollout status` of the previous revision.
///
/// The only program run is `kubectl` (through ``DeployContext/runner``).
public struct KubernetesRollout: Sendable {
    public let manifest: KubernetesManifest
    public let context: DeployContext
    /// `kubectl` (looked up on `PATH`), or another path to it.
    public var kubectl = "kubectl"

    public init(manifest: KubernetesManifest, context: DeployContext) {
        self.manifest = manifest
        self.context = context
    }

    var spec: DeploySpec { manifest.spec }
    /// How the outcome names the cluster: `kubernetes:<context>/<namespace>`.
    public var place: String { "kubernetes:\(spec.kubernetes.context ?? "current-context")/\(manifest.namespace)" }
    var base: [String] { [kubectl] + (spec.kubernetes.context.map { ["--context", $0] } ?? []) }
    var deployment: String { "deployment/" + manifest.name }

    /// - Parameter secrets: the resolved secret values (only in the applied stream).
    /// - Returns: one host entry, `deployed`, `rolled_back`, `failed` or `broken`.
    /// - Throws: ``DeployError/step(host:step:command:lines:hint:)`` when `apply` fails (nothing changed).
    public func run(secrets: [(String, String)]) async throws -> DeployOutcome {
        let started = context.now()
        let yaml = try manifest.render(secrets: secrets)
        say("applying \(manifest.name) (release \(manifest.release)) to namespace \(manifest.namespace)")
        let apply = base + ["apply", "--server-side", "--field-manager=slipway", "-f", "-"]
        let applied = try await context.runner.run(apply, input: .bytes(Array(yaml.utf8)), timeout: 120)
        guard applied.succeeded else {
            let hint =
                applied.stderr.contains("conflict")
                ? "another field manager owns these fields (an earlier client-side kubectl apply?); "
                    + "see docs/deploy.md \"Kubernetes\""
                : "check the cluster connection: \((base + ["get", "namespaces"]).joined(separator: " "))"
            throw DeployError.step(
                host: place, step: "apply", command: apply.joined(separator: " "), lines: applied.lastLines(),
                hint: hint)
        }
        say("waiting for the rollout (progressDeadlineSeconds \(manifest.progressDeadline))")
        let status = try await rolloutStatus()
        var outcome = DeployOutcome(target: spec.name, release: manifest.release)
        let seconds = { self.context.now().timeIntervalSince(started) }
        if status.succeeded {
            say("rolled out: \(manifest.release)")
            outcome.hosts = [.init(host: place, state: .deployed, release: manifest.release, seconds: seconds(),
                                   message: nil)]
            return outcome
        }
        var lines = ["rollout of \(manifest.release) failed: " + (status.lastLines(3).joined(separator: " / "))]
        lines += try await failedPodLogs()
        let (state, back) = try await undo()
        lines += back
        outcome.hosts = [.init(host: place, state: state, release: nil, seconds: seconds(),
                               message: lines.joined(separator: "\n"))]
        return outcome
    }

    func rolloutStatus() async throws -> CommandResult {
        try await context.runner.run(
            base + ["-n", manifest.namespace, "rollout", "status", deployment,
                    "--timeout=\(manifest.progressDeadline + 30)s"],
            timeout: Double(manifest.progressDeadline + 60))
    }

    /// The last log lines of up to three pods of the new release (by its version label).
    func failedPodLogs() async throws -> [String] {
        let selector = "app.kubernetes.io/instance=\(manifest.name),app.kubernetes.io/version=\(manifest.versionLabel)"
        let pods = try await context.runner.run(
            base + ["-n", manifest.namespace, "get", "pods", "-l", selector, "-o", "name"], timeout: 30)
        let names = pods.stdout.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        if names.isEmpty { return ["no pod of release \(manifest.versionLabel) was found"] }
        var lines: [String] = []
        for pod in names.prefix(3) {
            var logs = try await context.runner.run(
                base + ["-n", manifest.namespace, "logs", pod, "--all-containers", "--tail=10"], timeout: 30)
            if logs.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                logs = try await context.runner.run(
                    base + ["-n", manifest.namespace, "logs", pod, "--all-containers", "--tail=10", "--previous"],
                    timeout: 30)
            }
            let text = logs.stdout.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
            lines.append("last log lines of \(pod):")
            lines += (text.isEmpty ? ["(no output)"] : text.suffix(10)).map { "    " + $0 }
        }
        return lines
    }

    /// `rollout undo`, then the previous revision's rollout status.
    func undo() async throws -> (DeployOutcome.State, [String]) {
        say("rolling back \(deployment)")
        let undo = try await context.runner.run(base + ["-n", manifest.namespace, "rollout", "undo", deployment],
                                                timeout: 60)
        guard undo.succeeded else {
            return (.failed, ["kubectl rollout undo failed (a first release has nothing to go back to): "
                              + undo.lastLines(2).joined(separator: " / ")])
        }
        let back = try await rolloutStatus()
        if back.succeeded { return (.rolledBack, ["the previous revision of \(deployment) serves again"]) }
        return (
            .broken, ["the previous revision did not come back either: " + back.lastLines(2).joined(separator: " / ")]
        )
    }

    func say(_ text: String) { context.progress("\(place): \(text)") }
}
