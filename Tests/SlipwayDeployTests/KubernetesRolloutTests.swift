import Foundation
import SlipwayDeploy
import SlipwayManifest
import Synchronization
import Testing

/// A scripted `kubectl`: answers each call by the first rule whose words all appear in argv,
/// and records argv and stdin. No cluster can run on this machine (see docs/deploy.md).
final class ScriptedKubectl: CommandRunner {
    struct Call: Sendable {
        var argv: [String]
        var stdin: String
    }

    let rules: [([String], CommandResult)]
    private let calls = Mutex<[Call]>([])

    init(_ rules: [([String], CommandResult)]) { self.rules = rules }

    var recorded: [Call] { calls.withLock { $0 } }

    func run(
        _ argv: [String], environment: [String: String], input: CommandInput, timeout: Double,
        onOutput: (@Sendable (String) -> Void)?
    ) async throws -> CommandResult {
        var stdin = ""
        if case .bytes(let bytes) = input { stdin = String(decoding: bytes, as: UTF8.self) }
        calls.withLock { $0.append(Call(argv: argv, stdin: stdin)) }
        let rule = rules.first { words, _ in words.allSatisfy(argv.contains) }
        return rule?.1 ?? CommandResult(status: 0, stdout: "", stderr: "")
    }
}

extension CommandResult {
    static func ok(_ stdout: String = "") -> CommandResult { CommandResult(status: 0, stdout: stdout, stderr: "") }
    static func fail(_ stderr: String) -> CommandResult { CommandResult(status: 1, stdout: "", stderr: stderr) }
}

@Suite("Kubernetes apply, rollout, undo")
struct KubernetesRolloutTests {
    static func rollout(_ runner: any CommandRunner) -> KubernetesRollout {
        var spec = KubernetesManifestTests.spec
        spec.kubernetes.context = "prod"
        let manifest = KubernetesManifest(spec: spec, project: "guestbook", images: KubernetesManifestTests.manifest.images)
        let context = DeployContext(runner: runner, progress: { _ in }, environment: [:], root: "/", controlDirectory: "/tmp")
        return KubernetesRollout(manifest: manifest, context: context)
    }

    static let secrets = [("DATABASE_PASSWORD", KubernetesManifestTests.secretValue)]

    @Test func appliesServerSideAndWaitsForTheRollout() async throws {
        let kubectl = ScriptedKubectl([(["rollout", "status"], .ok("deployment \"web\" successfully rolled out"))])
        let outcome = try await Self.rollout(kubectl).run(secrets: Self.secrets)
        #expect(outcome.succeeded)
        #expect(outcome.hosts.map(\.state) == [.deployed])
        let calls = kubectl.recorded
        #expect(calls.count == 2)
        #expect(calls[0].argv == ["kubectl", "--context", "prod", "apply", "--server-side", "--field-manager=slipway",
                                  "-f", "-"])
        #expect(calls[0].stdin.contains(KubernetesManifestTests.secretValue), "the applied stream has the values")
        #expect(!calls.flatMap(\.argv).joined(separator: " ").contains(KubernetesManifestTests.secretValue),
                "never a secret in argv")
        #expect(calls[1].argv == ["kubectl", "--context", "prod", "-n", "guestbook", "rollout", "status",
                                  "deployment/web", "--timeout=105s"])
    }

    @Test func failedRolloutIsUndoneAndNamesThePodsLogLines() async throws {
        let version = KubernetesManifestTests.manifest.versionLabel
        let kubectl = ScriptedKubectl([
            (["undo"], .ok("deployment.apps/web rolled back")),
            (["status", "--timeout=105s"], .fail("error: deployment \"web\" exceeded its progress deadline")),
            (["get", "pods"], .ok("pod/web-7d9c-abcde\npod/web-7d9c-fghij\n")),
            (["logs", "pod/web-7d9c-abcde", "--previous"], .ok("php-fpm: cannot open /app/config.php\n")),
            (["logs", "pod/web-7d9c-fghij"], .ok("nginx: upstream refused\n")),
        ])
        // The second status (after undo) must pass: answer by call order.
        let runner = SequencedStatus(inner: kubectl)
        let outcome = try await Self.rollout(runner).run(secrets: Self.secrets)
        #expect(!outcome.succeeded)
        let host = try #require(outcome.hosts.first)
        #expect(host.state == .rolledBack)
        let message = host.message ?? ""
        #expect(message.contains("exceeded its progress deadline"))
        #expect(message.contains("last log lines of pod/web-7d9c-abcde:\n    php-fpm: cannot open /app/config.php"))
        #expect(message.contains("last log lines of pod/web-7d9c-fghij:\n    nginx: upstream refused"))
        #expect(message.contains("previous revision of deployment/web serves again"))
        let argvs = kubectl.recorded.map { $0.argv.joined(separator: " ") }
        #expect(argvs.contains("kubectl --context prod -n guestbook get pods -l "
                               + "app.kubernetes.io/instance=web,app.kubernetes.io/version=\(version) -o name"))
        #expect(argvs.contains("kubectl --context prod -n guestbook rollout undo deployment/web"))
        #expect(argvs.last == "kubectl --context prod -n guestbook rollout status deployment/web --timeout=105s")
    }

    @Test func firstReleaseHasNothingToUndo() async throws {
        let kubectl = ScriptedKubectl([
            (["status"], .fail("error: deployment \"web\" exceeded its progress deadline")),
            (["undo"], .fail("error: no rollout history found for deployment \"web\"")),
        ])
        let outcome = try await Self.rollout(kubectl).run(secrets: Self.secrets)
        #expect(outcome.hosts.first?.state == .failed)
        #expect(outcome.hosts.first?.message?.contains("no rollout history") == true)
    }

    @Test func undoneRolloutThatDoesNotComeBackIsBroken() async throws {
        let kubectl = ScriptedKubectl([
            (["status"], .fail("error: deployment \"web\" exceeded its progress deadline")),
            (["undo"], .ok("rolled back")),
        ])
        let outcome = try await Self.rollout(kubectl).run(secrets: Self.secrets)
        #expect(outcome.hosts.first?.state == .broken)
    }

    @Test func applyFailureChangesNothingAndNamesTheStep() async throws {
        let kubectl = ScriptedKubectl([
            (["apply"], .fail("error: Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\"")),
        ])
        await #expect(throws: DeployError.self) { try await Self.rollout(kubectl).run(secrets: Self.secrets) }
        #expect(kubectl.recorded.count == 1, "no rollout status after a failed apply")
        do {
            _ = try await Self.rollout(kubectl).run(secrets: Self.secrets)
        } catch let error as DeployError {
            #expect(error.message.contains("at step 'apply'"))
            #expect(error.hint?.contains("field manager") == true)
        }
    }

    /// The real kubectl (no cluster: a closed port) takes every command line the rollout uses,
    /// and parses the applied YAML stream: each call fails on the connection, never on its flags.
    @Test func realKubectlAcceptsTheCommandLines() async throws {
        let runner = ClosedServer(port: 1)
        let outcome = try? await Self.rollout(runner).run(secrets: Self.secrets)
        #expect(outcome == nil, "apply cannot succeed without a cluster")
        let rollout = Self.rollout(runner)
        let manifest = rollout.manifest
        let lines: [[String]] = [
            ["apply", "--server-side", "--field-manager=slipway", "-f", "-"],
            ["-n", manifest.namespace, "rollout", "status", "deployment/web", "--timeout=105s"],
            ["-n", manifest.namespace, "get", "pods", "-l", "app.kubernetes.io/instance=web", "-o", "name"],
            ["-n", manifest.namespace, "logs", "pod/x", "--all-containers", "--tail=10", "--previous"],
            ["-n", manifest.namespace, "rollout", "undo", "deployment/web"],
        ]
        let yaml = try manifest.render(secrets: Self.secrets)
        for line in lines {
            // Run synchronously, not through the async runner: in a full parallel test run the
            // cooperative pool is busy with other suites' blocking waits, and a wall-clock timeout
            // there measured the pool, not kubectl (which answers in well under a second).
            let (status, stderr) = try Self.kubectl(line, port: runner.port, input: yaml)
            #expect(status != 0)
            #expect(stderr.contains("refused"), "kubectl \(line): \(stderr)")
            #expect(!stderr.contains("unknown flag") && !stderr.contains("error parsing"), "kubectl \(line): \(stderr)")
        }
    }

    /// The real kubectl against `127.0.0.1:port` with `input` on stdin: its exit status and stderr.
    static func kubectl(_ arguments: [String], port: Int, input: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["kubectl", "--server=https://127.0.0.1:\(port)", "--insecure-skip-tls-verify", "--token=none"]
            + arguments
        process.environment = ["KUBECONFIG": "/dev/null", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let stdin = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr
        signal(SIGPIPE, SIG_IGN)
        try process.run()
        try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
        try? stdin.fileHandleForWriting.close()
        let text = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}

/// Answers `rollout status` with failure the first time and success afterwards; everything else
/// goes to `inner`.
final class SequencedStatus: CommandRunner {
    let inner: ScriptedKubectl
    private let statusCalls = Mutex(0)

    init(inner: ScriptedKubectl) { self.inner = inner }

    func run(
        _ argv: [String], environment: [String: String], input: CommandInput, timeout: Double,
        onOutput: (@Sendable (String) -> Void)?
    ) async throws -> CommandResult {
        let result = try await inner.run(argv, environment: environment, input: input, timeout: timeout, onOutput: onOutput)
        guard argv.contains("status") else { return result }
        let n = statusCalls.withLock { count in
            count += 1
            return count
        }
        return n == 1 ? result : .ok("deployment \"web\" successfully rolled out")
    }
}

/// The real `kubectl` (``ProcessRunner``) pointed at a closed loopback port, with no kubeconfig.
struct ClosedServer: CommandRunner {
    let port: Int

    func run(
        _ argv: [String], environment: [String: String], input: CommandInput, timeout: Double,
        onOutput: (@Sendable (String) -> Void)?
    ) async throws -> CommandResult {
        var argv = argv
        argv.insert(contentsOf: ["--server=https://127.0.0.1:\(port)", "--insecure-skip-tls-verify", "--token=none"], at: 1)
        var env = environment
        env["KUBECONFIG"] = "/dev/null"
        return try await ProcessRunner().run(argv, environment: env, input: input, timeout: timeout, onOutput: onOutput)
    }
}
