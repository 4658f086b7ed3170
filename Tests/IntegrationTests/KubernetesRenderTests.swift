import Foundation
import Testing

/// `slipway deploy NAME --render` of a `mode = "kubernetes"` target, with a real image built by
/// `slipway image build`: the YAML passes `kubernetes-validate --strict` for Kubernetes 1.37 and
/// runs the image by the build record's manifest digest. No cluster runs here: `slipway deploy`
/// itself (apply, rollout, undo) is tested against a scripted kubectl in SlipwayDeployTests.
@Suite("Kubernetes render", .tags(.integration), .serialized)
struct KubernetesRenderTests {
    static let manifest = """
        [project]
        name = "k8stest"
        [nix]
        nixpkgs = "@OFFLINE@"
        [packages]
        busybox = "busybox"
        [images.web]
        contents = ["busybox"]
        entrypoint = ["busybox", "httpd", "-f", "-p", "8080"]
        ports = ["8080/tcp"]

        [deploy.k8s]
        mode = "kubernetes"
        images = ["web"]
        registry = "registry.example.com/k8stest"
        namespace = "k8stest"
        replicas = 2
        ports = ["80:8080"]
        [deploy.k8s.health]
        http = "http://127.0.0.1:8080/"
        [deploy.k8s.env]
        GREETING = "hello"
        [deploy.k8s.secrets]
        API_TOKEN = { env = "SLIPWAY_TEST_K8S_TOKEN" }
        [deploy.k8s.resources]
        limits = { memory = "64Mi" }
        """

    static let token = "k8s-token-that-must-not-print"

    @Test func renderValidatesAndRunsTheImageByDigest() throws {
        let dir = try project(Self.manifest)
        let env: [String: String?] = ["XDG_CACHE_HOME": DeployProject.cache, "SLIPWAY_TEST_K8S_TOKEN": Self.token]
        let unbuilt = try slipway(["deploy", "k8s", "--render"], in: dir, environment: env)
        #expect(unbuilt.status != 0, "render without a build record must fail")
        #expect(unbuilt.stderr.contains("slipway image build web"), "\(unbuilt.stderr)")

        let build = try slipway(["image", "build", "web"], in: dir, environment: env)
        try #require(build.status == 0, "image build: \(build.stderr)")
        let record = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/.slipway/images/web.json")))
                as? [String: Any])
        let digest = try #require(record["manifestDigest"] as? String)

        let rendered = try slipway(["deploy", "k8s", "--render"], in: dir, environment: env)
        try #require(rendered.status == 0, "render: \(rendered.stderr)")
        #expect(rendered.stdout.contains("image: registry.example.com/k8stest/web@\(digest)"), "\(rendered.stdout)")
        #expect(!rendered.stdout.contains(Self.token) && !rendered.stderr.contains(Self.token),
                "a secret value reached the terminal")
        let file = dir + "/rendered.yaml"
        try rendered.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let check = try run("/usr/bin/env", ["kubernetes-validate", "--strict", "-k", "1.37.0", file], in: dir)
        #expect(check.status == 0, "kubernetes-validate: \(check.stdout)\(check.stderr)")

        let output = dir + "/applied.yaml"
        let written = try slipway(["deploy", "k8s", "--render", "--output", output], in: dir, environment: env)
        try #require(written.status == 0, "render --output: \(written.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: output)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try String(contentsOfFile: output, encoding: .utf8).contains(Self.token))
        let full = try run("/usr/bin/env", ["kubernetes-validate", "--strict", "-k", "1.37.0", output], in: dir)
        #expect(full.status == 0, "kubernetes-validate: \(full.stdout)\(full.stderr)")

        let module = try slipway(["deploy", "k8s", "--nixos-module"], in: dir, environment: env)
        #expect(module.status != 0 && module.stderr.contains("mode \"closure\""), "\(module.stderr)")
    }
}
