import SlipwayPipeline
import Testing
import Yams

/// The deploy jobs of the generated files, read back with Yams: what GitLab and GitHub act on.
@Suite struct DeployJobTests {
    @Test(arguments: [CIProvider.gitlab, .github])
    func aKubernetesTargetGetsNoSSHJobButAClearError(provider: CIProvider) throws {
        var cluster = Fixture.target("k8s")
        cluster.mode = .kubernetes
        cluster.hosts = []
        let request = PipelineRequest(
            projectName: "guestbook", manifestDirectory: "examples/guestbook", ci: Fixture.ci(), hasImages: true,
            deploy: [Fixture.target("db"), cluster])
        #expect(throws: CIGenerationError.kubernetesDeployJob("k8s")) { try PipelineGenerator.render(provider, request) }
    }

    @Test func gitLabHasADeployJobPerTargetAfterTheBuildJob() throws {
        let (text, root) = try Fixture.render(.gitlab, Fixture.guestbookDeploy)
        #expect(Fixture.keys(root) == ["stages", "variables", "workflow", "guestbook:ci", "guestbook:deploy:db", "guestbook:deploy:web"])
        #expect(Fixture.strings(root["stages"]) == ["ci", "deploy"])
        #expect(Fixture.strings(root["guestbook:ci"]?["script"]) == ["cd examples/guestbook", "slipway ci --no-deploy $SLIPWAY_CI_ARGS", "slipway cache export \"$SLIPWAY_NIX_CACHE\""])

        let web = try #require(root["guestbook:deploy:web"])
        #expect(web["stage"]?.string == "deploy")
        #expect(Fixture.strings(web["needs"]) == ["guestbook:ci"])
        #expect(web["environment"]?["name"]?.string == "web")
        #expect(web["environment"]?["url"]?.string == "https://guestbook.example.com")
        #expect(web["resource_group"]?.string == "web")
        #expect(web["cache"]?["policy"]?.string == "pull")
        #expect(Fixture.strings(web["script"]) == ["cd examples/guestbook", "slipway deploy web"])
        let rules = try #require(web["rules"]?.sequence)
        #expect(rules.count == 1 && rules[0]["if"]?.string == "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH")
        #expect(rules[0]["when"]?.string == "manual")
        let setup = Fixture.strings(web["before_script"])
        #expect(setup.contains("install -m 600 \"$SLIPWAY_SSH_PRIVATE_KEY\" ~/.ssh/id_slipway"))
        #expect(setup.contains("cat \"$SLIPWAY_SSH_KNOWN_HOSTS\" >> ~/.ssh/known_hosts"))

        let db = try #require(root["guestbook:deploy:db"])
        #expect(db["rules"]?.sequence?.first?["when"]?.string == "on_success")
        #expect(db["environment"]?["url"] == nil)
        let comments = Fixture.comments(text)
        #expect(comments.contains("SLIPWAY_SSH_PRIVATE_KEY") && comments.contains("type File"))
        #expect(comments.contains("PROD_PGPASSWORD"), "the secret's variable is named")
    }

    @Test func gitHubHasADeployJobPerTargetWithEnvironmentAndConcurrency() throws {
        let (text, root) = try Fixture.render(.github, Fixture.guestbookDeploy)
        let jobs = try #require(root["jobs"])
        #expect(Fixture.keys(jobs) == ["ci", "deploy-db", "deploy-web"])
        let runs = Fixture.scalars(jobs["ci"]!).filter { $0.path.hasSuffix(".run") }.map(\.value)
        #expect(runs.contains("slipway ci --no-deploy") && runs.contains("slipway ci --no-deploy --push"))

        let web = try #require(jobs["deploy-web"])
        #expect(web["needs"]?.string == "ci")
        #expect(web["if"]?.string?.contains("default_branch") == true)
        #expect(web["environment"]?["name"]?.string == "web")
        #expect(web["environment"]?["url"]?.string == "https://guestbook.example.com")
        #expect(web["concurrency"]?["group"]?.string == "deploy-web")
        #expect(web["concurrency"]?["cancel-in-progress"]?.bool == false)
        let steps = try #require(web["steps"]?.sequence)
        let deploy = try #require(steps.last)
        #expect(deploy["run"]?.string == "slipway deploy web")
        #expect(deploy["working-directory"]?.string == "examples/guestbook")
        #expect(deploy["env"]?["PROD_PGPASSWORD"]?.string == "${{ secrets.PROD_PGPASSWORD }}")
        let ssh = steps[steps.count - 2]
        #expect(ssh["env"]?["SLIPWAY_SSH_PRIVATE_KEY"]?.string == "${{ secrets.SLIPWAY_SSH_PRIVATE_KEY }}")
        #expect(ssh["run"]?.string?.contains("umask 077") == true)
        #expect(Fixture.comments(text).contains("required reviewers"), "manual = true is explained")
        #expect(jobs["deploy-db"]?["steps"]?.sequence?.last?["env"] == nil, "no secrets, no env")
    }

    @Test(arguments: CIProvider.allCases)
    func withoutDeployTargetsNothingChanges(provider: CIProvider) throws {
        let text = try PipelineGenerator.render(provider, Fixture.guestbook)
        #expect(!text.contains("slipway deploy"))
        #expect(!text.contains("--no-deploy"))
    }
}
