import Testing

@testable import SlipwayManifest

@Suite("Kubernetes and NixOS deploy targets in the manifest")
struct KubernetesTargetTests {
    let base = DeployManifestTests()

    @Test func fullKubernetesTarget() throws {
        let spec = try #require(
            try base.targets(
                """
                [deploy.k8s]
                mode = "kubernetes"
                images = ["app", "web"]
                registry = "registry.example.com/guestbook"
                namespace = "guestbook"
                replicas = 3
                context = "prod"
                ports = ["80:8080", "9000/udp"]
                [deploy.k8s.resources]
                requests = { cpu = "250m", memory = "128Mi" }
                limits = { memory = "1Gi" }
                [deploy.k8s.health]
                http = "http://127.0.0.1:8080/health"
                """
            ).first)
        #expect(spec.mode == .kubernetes)
        #expect(spec.hosts.isEmpty)
        #expect(spec.kubernetes.namespace == "guestbook")
        #expect(spec.kubernetes.replicas == 3)
        #expect(spec.kubernetes.context == "prod")
        #expect(spec.kubernetes.registry == "registry.example.com/guestbook")
        #expect(spec.kubernetes.ports == [.init(port: 80, targetPort: 8080), .init(port: 9000, targetPort: 9000, protocol: "UDP")])
        #expect(spec.kubernetes.resources.requests == ["cpu": "250m", "memory": "128Mi"])
        #expect(spec.kubernetes.resources.limits == ["memory": "1Gi"])
    }

    @Test func kubernetesMistakesAreReportedWithTheirLocation() {
        let problems = base.diagnostics(
            """
            [deploy.k8s]
            mode = "kubernetes"
            hosts = ["root@a"]
            namespace = "Bad_NS"
            ports = ["http"]
            [deploy.k8s.resources]
            requests = { cpu = "lots", disk = "1G" }
            """)
        let text = problems.joined(separator: "\n")
        #expect(text.contains("needs 'images'"))
        #expect(text.contains("needs 'registry'"))
        #expect(text.contains("'hosts' is not used by mode \"kubernetes\""))
        #expect(text.contains("a namespace is a DNS label"))
        #expect(text.contains("'http' is not PORT or SERVICE_PORT:CONTAINER_PORT"))
        #expect(text.contains("'lots' is not a Kubernetes quantity"))
        #expect(text.contains("unknown key 'disk'") || text.contains("'disk'"))
        #expect(problems.allSatisfy { $0.first?.isNumber == true }, "every problem has line:column: \(problems)")
    }

    @Test func kubernetesKeysAndNixosBelongToTheirModes() {
        let text = base.diagnostics(
            """
            [deploy.web]
            hosts = ["root@a"]
            images = ["web"]
            namespace = "x"
            nixos = true
            """
        ).joined(separator: "\n")
        #expect(text.contains("'namespace' is for mode \"kubernetes\""))
        #expect(text.contains("'nixos' is for mode \"closure\""))
    }

    @Test func nixosClosureTarget() throws {
        let spec = try #require(
            try base.targets(
                """
                [deploy.db]
                hosts = ["root@nixos.example.com"]
                mode = "closure"
                service = "postgres"
                nixos = true
                """
            ).first)
        #expect(spec.nixos)
    }
}
