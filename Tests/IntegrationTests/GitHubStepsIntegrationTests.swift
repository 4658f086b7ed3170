import Foundation
import Testing

/// Issue 16 item 4 for GitHub, as far as this machine allows: there is no local GitHub runner
/// here (`act` is not packaged for Debian and needs Docker's API), so `scripts/github-steps` runs
/// the generated workflow's job as a runner would, step by step in one container of Slipway's
/// image: its `run:` steps unedited, its `if:` conditions and `${{ }}` expressions evaluated, the
/// actions it uses stood in for (checkout: the mounted repository; install-nix-action: the
/// image's Nix; cache: a folder; upload-artifact: its files must exist). The event is a pull
/// request: the `--push` step's registry is GHCR, which cannot be reached here, so that step is
/// skipped by its own `if:` and only the pull-request path runs. As for GitLab, the first run
/// builds with this machine's Debian files mounted (the offline set's builders); the second, a
/// fresh checkout with the first run's cache only, builds nothing.
@Suite(.tags(.integration), .serialized)
struct GitHubStepsIntegrationTests {
    static func runSteps(in repo: String, cache: String, nixLog: String, mounts: [String]) throws -> RunResult {
        let home = try temporaryDirectory()
        let arguments = [repositoryRoot + "/scripts/github-steps", ".github/workflows/ci.yml", "ci",
                         "--image", try #require(GitLabRunnerIntegrationTests.image).reference, "--repo", repo,
                         "--event", "pull_request", "--cache", cache, "--home", home,
                         "--secret", "GITHUB_TOKEN=\(GitLabRunnerIntegrationTests.password)"]
            + (mounts + ["\(nixLog):/nix/var/log/nix"]).flatMap { ["--volume", $0] }
        return try runToFiles("/usr/bin/python3", arguments, in: repo)
    }

    @Test func theWorkflowsPullRequestPathPassesAndAFreshRunnerWithTheCacheBuildsNothing() throws {
        let image = try #require(GitLabRunnerIntegrationTests.image)
        let first = try GitLabRunnerIntegrationTests.pipelineRepository(image: image, provider: "github")
        let cache = try temporaryDirectory()
        let firstLog = try temporaryDirectory()
        let job = try Self.runSteps(in: first, cache: cache, nixLog: firstLog, mounts: GitLabRunnerIntegrationTests.hostMounts)
        let output = job.stdout + job.stderr
        try #require(job.status == 0, "the workflow's job passes:\n\(output.suffix(6000))")
        #expect(output.contains("step 5 (slipway ci)\n") && output.contains("ci passed in"), "\(output.suffix(3000))")
        #expect(output.contains("(slipway ci --push): skipped"), "a pull request does not push: \(output.suffix(3000))")
        #expect(output.contains("exported ") && output.contains("file(s) match examples/guestbook/.slipway/ci/**/*.xml"),
                "the cache export ran and the JUnit report exists for upload-artifact: \(output.suffix(3000))")
        #expect(!output.contains("0 file(s) match"), "\(output.suffix(3000))")
        #expect(!output.contains(GitLabRunnerIntegrationTests.password))
        #expect(GitLabRunnerIntegrationTests.derivationsBuilt(firstLog) > 0)

        let second = try GitLabRunnerIntegrationTests.pipelineRepository(image: image, provider: "github")
        let secondLog = try temporaryDirectory()
        let again = try Self.runSteps(in: second, cache: cache, nixLog: secondLog, mounts: [])
        try #require(again.status == 0, "the second job, fresh checkout and container, passes:\n\((again.stdout + again.stderr).suffix(6000))")
        #expect(GitLabRunnerIntegrationTests.derivationsBuilt(secondLog) == 0,
                "a fresh runner with actions/cache's paths builds no derivation: \(GitLabRunnerIntegrationTests.derivationsBuilt(secondLog)) built")
    }
}
