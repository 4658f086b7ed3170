import Foundation
import Testing

/// `slipway ci`, `slipway build` and `slipway ci generate` on the guestbook example, with real
/// Nix, PostgreSQL, Redis, PHPUnit and a registry.
@Suite("CI", .tags(.integration), .serialized)
struct CIIntegrationTests {
    @Test func ciRunsTheTestsWithServicesBuildsAndPushesAndAFailingTestFailsIt() throws {
        let dir = try exampleCopy("guestbook")
        let env: [String: String?] = ["XDG_CACHE_HOME": dir + "/.cache-test", "CI_COMMIT_SHORT_SHA": "abc1234", "GITLAB_CI": nil, "GITHUB_ACTIONS": nil]
        let registry = try TestRegistry()
        defer { withExtendedLifetime(registry) {} }

        let ci = try slipway(["ci", "--push", "--registry", "\(registry.host)/guestbook"], in: dir, environment: env)
        #expect(ci.status == 0, "\(ci.stdout)\(ci.stderr)")
        // PHPUnit ran against real services, and left its JUnit report under .slipway/ci/.
        let junit = try String(contentsOfFile: dir + "/.slipway/ci/test/junit.xml", encoding: .utf8)
        #expect(junit.contains("<testsuite") && junit.contains("failures=\"0\""))
        #expect(junit.contains("Redis") && junit.contains("Guestbook"), "the suite covers PostgreSQL and Redis")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/.slipway/ci/summary.json"))) as? [String: Any]
        #expect(summary?["result"] as? String == "passed")
        let stages = (summary?["stages"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? "")=\($0["status"] ?? "")" }
        #expect(stages == ["environment=passed", "tasks=passed", "artifacts=passed", "images=passed", "push=passed", "deploy=skipped"])
        // The services it started are stopped.
        #expect(try slipway(["ps", "--profile", "ci"], in: dir).status != 0)
        #expect(!FileManager.default.fileExists(atPath: dir + "/.slipway/state/ci/postgres/postmaster.pid"), "postgres shut down cleanly")
        // Both images and both tags are in the registry, with the digests the summary recorded.
        let images = summary?["images"] as? [[String: Any]] ?? []
        for image in ["app", "web"] {
            let digest = try #require(images.first { $0["name"] as? String == image }?["digest"] as? String)
            for tag in ["latest", "abc1234"] {
                let skopeo = try run("/usr/bin/env", ["skopeo", "inspect", "--tls-verify=false", "docker://\(registry.host)/guestbook/\(image):\(tag)"], in: dir)
                #expect(skopeo.stdout.contains("\"Digest\": \"\(digest)\""), "\(image):\(tag) \(skopeo.stderr)")
            }
        }
        #expect(FileManager.default.fileExists(atPath: dir + "/result-app/app/public/index.php"), "the artifact is linked")

        // One broken assertion: non-zero, the failing test named, nothing built or pushed.
        let test = dir + "/tests/ValidationTest.php"
        let source = try String(contentsOfFile: test, encoding: .utf8)
        let broken = try #require(source.range(of: "$this->assert"))
        try source.replacingCharacters(in: broken, with: "$this->assertTrue(false); $this->assert").write(toFile: test, atomically: true, encoding: .utf8)
        let failing = try slipway(["ci"], in: dir, environment: env)
        #expect(failing.status != 0)
        #expect(failing.stderr.contains("failed test: GuestbookTests.ValidationTest::"), "\(failing.stderr)")
        #expect(failing.stderr.contains("images      not-run"), "\(failing.stderr)")
        let after = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/.slipway/ci/summary.json"))) as? [String: Any]
        #expect(after?["result"] as? String == "failed")
        #expect(FileManager.default.fileExists(atPath: dir + "/.slipway/ci/test/junit.xml"), "the failing run's report is collected too")
        #expect(try slipway(["ps", "--profile", "ci"], in: dir).status != 0, "services stopped after a failure as well")
    }

    @Test func aBrokenEnvironmentStillListsEveryStageInTheSummary() throws {
        let dir = try project("""
            [project]
            name = "broken"
            [nix]
            nixpkgs = "@OFFLINE@"
            [packages]
            busybox = "busybox"
            [tasks.test]
            run = "true"
            [artifacts.site]
            nix = "runCommand \\"site\\" {} ''mkdir $out''"
            [images.app]
            contents = ["busybox"]
            [ci]
            push = "main"
            """)
        let env: [String: String?] = ["SLIPWAY_NIX": "/nonexistent/nix", "GITLAB_CI": "true", "CI_COMMIT_BRANCH": "feature",
                                      "GITHUB_ACTIONS": nil]
        let ci = try slipway(["ci"], in: dir, environment: env)
        #expect(ci.status != 0, "\(ci.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/.slipway/ci/summary.json"))) as? [String: Any]
        #expect(summary?["result"] as? String == "failed")
        #expect(summary?["push"] as? Bool == false, "[ci] push = main does not match branch feature")
        let stages = (summary?["stages"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? "")=\($0["status"] ?? "")" }
        #expect(stages == ["environment=failed", "tasks=not-run", "artifacts=not-run", "images=not-run", "push=not-run", "deploy=not-run"], "\(ci.stderr)")
        #expect(ci.stderr.contains("tasks       not-run (an earlier stage failed)"), "\(ci.stderr)")
    }

    @Test func generatedPipelinesParseAndRunSlipwayCI() throws {
        let dir = try exampleCopy("guestbook")
        for provider in ["gitlab", "github"] {
            let generated = try slipway(["ci", "generate", provider], in: dir)
            #expect(generated.status == 0, "\(generated.stderr)")
            #expect(generated.stdout.contains("slipway ci"))
            try generated.stdout.write(toFile: dir + "/\(provider).yml", atomically: true, encoding: .utf8)
            let parsed = try run("/usr/bin/env", ["python3", "-c", "import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); print(type(d).__name__)", dir + "/\(provider).yml"], in: dir)
            #expect(parsed.status == 0 && parsed.stdout == "dict\n", "\(provider): \(parsed.stderr)")
        }
        let written = try slipway(["ci", "generate", "gitlab", "--output", "ci.yml"], in: dir)
        #expect(written.status == 0)
        #expect(FileManager.default.fileExists(atPath: dir + "/ci.yml"))
        #expect(try slipway(["ci", "generate", "gitlab", "--output", "ci.yml"], in: dir).status == 0, "a generated file is replaced")
        // A hand-written file is not overwritten without --force.
        try "stages: [mine]\n".write(toFile: dir + "/mine.yml", atomically: true, encoding: .utf8)
        let refused = try slipway(["ci", "generate", "gitlab", "--output", "mine.yml"], in: dir)
        #expect(refused.status != 0 && refused.stderr.contains("was not generated by Slipway"), "\(refused.stderr)")
        #expect(try String(contentsOfFile: dir + "/mine.yml", encoding: .utf8) == "stages: [mine]\n")
        #expect(try slipway(["ci", "generate", "gitlab", "--output", "mine.yml", "--force"], in: dir).status == 0)
        #expect(try String(contentsOfFile: dir + "/mine.yml", encoding: .utf8).hasPrefix("# Generated by `slipway ci generate gitlab`"))
        let bad = try slipway(["ci", "generate", "jenkins"], in: dir)
        #expect(bad.status != 0 && bad.stderr.contains("gitlab or github"))
    }

    /// With `[ci] deploy`, the files `slipway ci generate` writes, and the component, pass the
    /// vendors' schemas as bundled in check-jsonschema (installed by scripts/setup).
    @Test func generatedDeployPipelinesAndTheComponentPassTheVendorSchemas() throws {
        let dir = try exampleCopy("guestbook")
        let manifest = dir + "/slipway.toml"
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
            .replacingOccurrences(of: "[ci]\ntasks = [\"test\"]\n", with: "[ci]\ntasks = [\"test\"]\ndeploy = [\"db\", \"web\"]\n")
            .replacingOccurrences(of: "[deploy.web]\n", with: "[deploy.web]\nmanual = true\nurl = \"https://guestbook.example.com\"\n")
        try text.write(toFile: manifest, atomically: true, encoding: .utf8)
        for (provider, schema) in [("gitlab", "vendor.gitlab-ci"), ("github", "vendor.github-workflows")] {
            let generated = try slipway(["ci", "generate", provider, "--output", "\(provider).yml"], in: dir)
            #expect(generated.status == 0, "\(generated.stderr)")
            let body = try String(contentsOfFile: dir + "/\(provider).yml", encoding: .utf8)
            #expect(body.contains("slipway deploy web") && body.contains("slipway ci --no-deploy"), "\(body)")
            let check = try run("/usr/bin/env", ["check-jsonschema", "--builtin-schema", schema, "\(provider).yml"], in: dir)
            #expect(check.status == 0, "\(provider): \(check.stdout)\(check.stderr)")
        }
        #expect(try String(contentsOfFile: dir + "/gitlab.yml", encoding: .utf8).contains("when: manual"))
        let component = try slipway(["ci", "generate", "gitlab", "--component", "--output", "default"], in: dir)
        #expect(component.status == 0, "\(component.stderr)")
        let written = try String(contentsOfFile: dir + "/templates/slipway.yml", encoding: .utf8)
        #expect(written.contains("spec:\n  inputs:") && written.contains("\n---\n"))
        let refused = try slipway(["ci", "generate", "github", "--component"], in: dir)
        #expect(refused.status != 0 && refused.stderr.contains("--component is for gitlab"), "\(refused.stderr)")
        let task = try slipway(["ci", "--task", "tset", "--no-push"], in: dir)
        #expect(task.status != 0 && task.stderr.contains("--task tset"), "\(task.stderr)")
    }

    @Test func buildLinksExpressionAndFlakeArtifacts() throws {
        let dir = try project("""
            [project]
            name = "arts"
            [nix]
            nixpkgs = "@OFFLINE@"
            [packages]
            busybox = "busybox"
            [artifacts.site]
            description = "the project's files, with a generated index"
            include = ["page.txt"]
            nix = \"\"\"
              runCommand "site" { } ''
                mkdir -p $out/www
                cp ${src}/page.txt $out/www/
                echo "built with ${packages.busybox}" > $out/www/index.txt
              ''
            \"\"\"
            [artifacts.tool]
            flake = "./tool#hello"
            [images.site]
            profile = "dev"
            contents = ["busybox", "artifact:site"]
            entrypoint = ["/bin/sh", "-c", "ls /www; cat /www/page.txt"]
            dirs = [{ path = "/www/cache", mode = "0700" }]
            """)
        try "hello page\n".write(toFile: dir + "/page.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/tool", withIntermediateDirectories: true)
        try """
            {
              outputs = { self }: {
                packages.x86_64-linux.hello = derivation {
                  name = "hello-tool"; system = "x86_64-linux"; builder = "/bin/sh";
                  args = [ "-c" "echo hi > $out" ];
                };
              };
            }
            """.write(toFile: dir + "/tool/flake.nix", atomically: true, encoding: .utf8)
        let built = try slipway(["build", "--json"], in: dir)
        #expect(built.status == 0, "\(built.stderr)")
        #expect(try String(contentsOfFile: dir + "/result-site/www/page.txt", encoding: .utf8) == "hello page\n")
        #expect(try String(contentsOfFile: dir + "/result-site/www/index.txt", encoding: .utf8).contains("/nix/store/"))
        #expect(try String(contentsOfFile: dir + "/result-tool", encoding: .utf8) == "hi\n")
        // The source excludes Slipway's state: a change there does not change the artifact.
        // (The first build wrote slipway.lock, which is part of the source: build once more.)
        #expect(try slipway(["build", "site"], in: dir).status == 0)
        let first = try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/result-site")
        try "noise".write(toFile: dir + "/.slipway/noise", atomically: true, encoding: .utf8)
        try "not included".write(toFile: dir + "/other.txt", atomically: true, encoding: .utf8)
        #expect(try slipway(["build", "site"], in: dir).status == 0)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/result-site") == first, "src is only page.txt")
        try "changed\n".write(toFile: dir + "/page.txt", atomically: true, encoding: .utf8)
        #expect(try slipway(["build", "site"], in: dir).status == 0)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/result-site") != first)
        // In an image, the artifact's folders are at the root, with `dirs` inside them.
        let image = try slipway(["image", "build", "site"], in: dir)
        #expect(image.status == 0, "\(image.stderr)")
        let load = try slipway(["image", "load", "site"], in: dir)
        #expect(load.status == 0, "\(load.stderr)")
        let shown = try run("/usr/bin/env", ["podman", "run", "--rm", "localhost/site:latest"], in: dir)
        _ = try run("/usr/bin/env", ["podman", "rmi", "-f", "localhost/site:latest"], in: dir)
        #expect(shown.stdout == "cache\nindex.txt\npage.txt\nchanged\n", "\(shown.stdout)\(shown.stderr)")
        // A broken expression names the artifact and its manifest line.
        try String(contentsOfFile: dir + "/slipway.toml", encoding: .utf8).replacingOccurrences(of: "cp ${src}/page.txt", with: "cp ${src}/missing.txt")
            .write(toFile: dir + "/slipway.toml", atomically: true, encoding: .utf8)
        let broken = try slipway(["build", "site"], in: dir)
        #expect(broken.status != 0)
        #expect(broken.stderr.contains("slipway.toml:7:12") && broken.stderr.contains("artifact:site"), "\(broken.stderr)")
        #expect(broken.stderr.contains("missing.txt': No such file or directory") && !broken.stderr.contains("Added input"), "\(broken.stderr)")
        let unknown = try slipway(["build", "sit"], in: dir)
        #expect(unknown.stderr.contains("no artifact named 'sit'; did you mean 'site'?"), "\(unknown.stderr)")
    }
}
