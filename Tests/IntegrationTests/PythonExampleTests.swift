import Foundation
import Testing

/// The Python example (examples/pyguestbook: Flask, psycopg2, pytest, gunicorn from the offline
/// set's `python3.withPackages`) with real Nix, PostgreSQL (the `postgresql` preset) and podman.
@Suite("Python example", .tags(.integration), .serialized)
struct PythonExampleTests {
    @Test func ciRunsPytestAgainstPostgreSQLAndABrokenTestFailsIt() throws {
        let dir = try exampleCopy("pyguestbook")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env: [String: String?] = ["XDG_CACHE_HOME": dir + "/.cache-test", "CI_COMMIT_SHORT_SHA": "abc1234", "GITLAB_CI": nil, "GITHUB_ACTIONS": nil]
        let ci = try slipway(["ci"], in: dir, environment: env)
        #expect(ci.status == 0, "\(ci.stdout)\(ci.stderr)")
        let junit = try String(contentsOfFile: dir + "/.slipway/ci/test/junit.xml", encoding: .utf8)
        #expect(junit.contains("<testsuite") && junit.contains("tests=\"10\"") && junit.contains("failures=\"0\""), "\(junit)")
        #expect(junit.contains("test_health_checks_postgresql"), "the suite reached PostgreSQL")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/.slipway/ci/summary.json"))) as? [String: Any]
        #expect(summary?["result"] as? String == "passed")
        let stages = (summary?["stages"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? "")=\($0["status"] ?? "")" }
        #expect(stages == ["environment=passed", "tasks=passed", "artifacts=passed", "images=passed", "push=skipped", "deploy=skipped"])
        #expect(try slipway(["ps", "--profile", "ci"], in: dir).status != 0, "the database started for the tests is stopped")
        #expect(!FileManager.default.fileExists(atPath: dir + "/guestbook/__pycache__"), "no byte code in the project")
        // Debian's Python and modules as store paths: nothing read from the host's /usr/lib/python3*.
        let python = try slipway(["exec", "--profile", "ci", "--", "python3", "-c",
                                  "import sys, flask, psycopg2, gunicorn; print(*sys.path[1:], psycopg2.__file__, sep='\\n')"], in: dir)
        #expect(python.status == 0, "\(python.stderr)")
        let paths = python.stdout.split(separator: "\n")
        #expect(paths.count > 3 && paths.allSatisfy { $0.hasPrefix("/nix/store/") }, "\(python.stdout)")
        let check = try checkClosure(try environmentClosure(dir, profile: "ci"), in: dir)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")

        // One broken assertion: non-zero, the failing test named, no image built.
        let test = dir + "/tests/test_guestbook.py"
        let source = try String(contentsOfFile: test, encoding: .utf8)
        try source.replacingOccurrences(of: #"assert "0 entries" in page.text"#, with: #"assert "1 entries" in page.text"#)
            .write(toFile: test, atomically: true, encoding: .utf8)
        let failing = try slipway(["ci"], in: dir, environment: env)
        #expect(failing.status != 0)
        #expect(failing.stderr.contains("failed test: tests.test_guestbook::test_an_empty_guestbook_says_so"), "\(failing.stderr)")
        #expect(failing.stderr.contains("images      not-run"), "\(failing.stderr)")
        #expect(try slipway(["ps", "--profile", "ci"], in: dir).status != 0, "stopped after a failure as well")
    }

    @Test func prodImageServesTheAppWithGunicornUnderPodman() throws {
        let dir = try exampleCopy("pyguestbook")
        let env: [String: String?] = ["XDG_CACHE_HOME": dir + "/.cache-test"]
        let build = try slipway(["image", "build", "web"], in: dir, environment: env)
        #expect(build.status == 0, "\(build.stderr)")
        let load = try slipway(["image", "load", "web"], in: dir, environment: env)
        #expect(load.status == 0, "\(load.stderr)")
        let up = try slipway(["up", "-d", "db"], in: dir)
        #expect(up.status == 0, "\(up.stderr)")
        defer { _ = try? slipway(["down"], in: dir); try? FileManager.default.removeItem(atPath: dir) }
        // The preset's libpq variables, as the dev profile has them, handed to the container.
        let pg = try slipway(["exec", "--", "sh", "-c", "echo $PGHOST $PGPORT $PGUSER $PGDATABASE"], in: dir).stdout
            .split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        try #require(pg.count == 4 && pg[0] == "127.0.0.1" && pg[2] == "app" && pg[3] == "app", "\(pg)")
        let port = TestRegistry.freePort()
        let name = "pyg-web-" + UUID().uuidString.prefix(6).lowercased()
        let podman = "/usr/bin/env"
        let run = try runToFiles(podman, ["podman", "run", "-d", "--name", name, "--network", "host", "-e", "PORT=\(port)",
                                          "-e", "PGHOST=\(pg[0])", "-e", "PGPORT=\(pg[1])", "-e", "PGUSER=\(pg[2])",
                                          "-e", "PGDATABASE=\(pg[3])", "localhost/pyguestbook:latest"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        defer { _ = try? runToFiles(podman, ["podman", "rm", "-f", name], in: dir) }
        let health = try waitForHTTP("http://127.0.0.1:\(port)/health")
        let early = try runToFiles(podman, ["podman", "logs", name], in: dir)
        #expect(health.0 == 200, "\(health) \(early.stdout)\(early.stderr)")
        #expect(health.1.contains(#""postgres":"ok""#))
        #expect(try http("http://127.0.0.1:\(port)/", form: "name=Guido&message=from+the+image").0 == 303)
        let page = try http("http://127.0.0.1:\(port)/")
        #expect(page.0 == 200 && page.1.contains("<b>Guido</b>: from the image"), "\(page)")
        let logs = try runToFiles(podman, ["podman", "logs", name], in: dir)
        #expect(logs.stdout.contains("Starting gunicorn") || logs.stderr.contains("Starting gunicorn"), "served by gunicorn")
        let user = try runToFiles(podman, ["podman", "image", "inspect", "--format", "{{.Config.User}}", "localhost/pyguestbook:latest"], in: dir)
        #expect(user.stdout == "1000:1000\n", "the image runs as its user app: \(user.stdout)\(user.stderr)")
    }
}
