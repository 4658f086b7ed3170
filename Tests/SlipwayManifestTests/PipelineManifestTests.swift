import SlipwayCore
import Testing
@testable import SlipwayManifest

@Suite("Tasks, artifacts and [ci] in the manifest")
struct PipelineManifestTests {
    func manifest(_ toml: String) throws -> Manifest {
        try ManifestLoader.parse(toml, file: "slipway.toml", root: "/p")
    }

    func tasks(_ toml: String, profile: String = "dev") throws -> [TaskSpec] {
        let m = try manifest(toml)
        let resolved = try m.resolve(profile: profile)
        return try m.tasks(of: resolved, services: try m.services(of: resolved))
    }

    /// `line:column: message` of every diagnostic, from loading or from the task graph.
    func diagnostics(_ toml: String) -> [String] {
        do {
            let m = try manifest(toml)
            let resolved = try m.resolve(profile: "dev")
            let t = try m.tasks(of: resolved, services: try m.services(of: resolved))
            _ = try m.ci(tasks: t, artifacts: try m.artifacts(), images: try m.images())
            return []
        } catch {
            return ((error as? ManifestError)?.diagnostics ?? []).map { "\($0.location.line):\($0.location.column): \($0.message)" }
        }
    }

    @Test func fullTaskAndProfileOverlay() throws {
        let toml = """
            [services.db]
            command = "db"
            [tasks.lint]
            run = "lint"
            [tasks.test]
            description = "unit tests"
            run = "phpunit --log-junit $SLIPWAY_OUT/junit.xml"
            deps = ["lint"]
            cwd = "app"
            env = { APP_ENV = "test", N = 2 }
            services = ["db"]
            inputs = ["src/**/*.php", "tests"]
            outputs = ["build/out.txt", "$SLIPWAY_OUT/x"]
            reports = ["$SLIPWAY_OUT/junit.xml"]
            [profiles.ci.tasks.test]
            run = "phpunit --coverage"
            """
        let dev = try tasks(toml)
        #expect(dev.map(\.name) == ["lint", "test"])
        let test = dev[1]
        #expect(test.deps == ["lint"] && test.services == ["db"] && test.cwd == "app")
        #expect(test.env.map { "\($0.name)=\($0.value)" } == ["APP_ENV=test", "N=2"])
        #expect(test.inputs == ["src/**/*.php", "tests"] && test.outputs == ["build/out.txt", "$SLIPWAY_OUT/x"])
        #expect(test.reports == ["$SLIPWAY_OUT/junit.xml"] && test.description == "unit tests")
        let ci = try tasks(toml, profile: "ci")
        #expect(ci[1].run == "phpunit --coverage", "the overlay replaces run")
        #expect(ci[1].deps == ["lint"], "and keeps the other fields")
    }

    @Test func artifactsAndCIDefaults() throws {
        let m = try manifest("""
            [artifacts.app]
            nix = "runCommand \\"app\\" {} \\"mkdir $out\\""
            [artifacts.site]
            flake = ".#site"
            profile = "dev"
            [artifacts.bin]
            flake = "github:o/r"
            """)
        let artifacts = try m.artifacts()
        #expect(artifacts.map(\.name) == ["app", "site", "bin"])
        #expect(artifacts[0].profile == "prod")
        #expect(artifacts[1].source == .flake(ref: ".", attribute: "site") && artifacts[1].profile == "dev")
        #expect(artifacts[2].source == .flake(ref: "github:o/r", attribute: "default"))
        let ci = try m.ci(tasks: [], artifacts: artifacts, images: [])
        #expect(ci.profile == "ci" && ci.tasks == nil && ci.push == .never && ci.tags == ["latest"])
    }

    @Test func ciTable() throws {
        let m = try manifest("""
            [tasks.test]
            run = "t"
            [ci]
            profile = "dev"
            tasks = ["test"]
            push = "release/*"
            registry = "registry.example.com/team/app"
            tags = ["latest", "$CI_COMMIT_SHORT_SHA"]
            """)
        let ci = try m.ci(tasks: try m.tasks(of: m.resolve(profile: "dev"), services: []), artifacts: [], images: [])
        #expect(ci.profile == "dev" && ci.tasks == ["test"] && ci.push == .branch("release/*"))
        #expect(ci.registry == "registry.example.com/team/app" && ci.tags == ["latest", "$CI_COMMIT_SHORT_SHA"])
        #expect(try manifest("[ci]\npush = true\n").ci(tasks: [], artifacts: [], images: []).push == .always)
        #expect(ci.deploy.isEmpty && ci.deployWhen == .always, "no deploy unless asked")
    }

    @Test func ciDeployTargetsAndTheirPipelineKeys() throws {
        let m = try manifest("""
            [images.app]
            contents = []
            [deploy.web]
            hosts = ["root@h1"]
            images = ["app"]
            manual = true
            url = "https://app.example.com"
            [deploy.db]
            hosts = ["root@h1"]
            mode = "closure"
            service = "pg"
            [ci]
            deploy = ["db", "web"]
            deploy_when = "release/*"
            """)
        let ci = try m.ci(tasks: [], artifacts: [], images: [])
        #expect(ci.deploy == ["db", "web"] && ci.deployWhen == .branch("release/*"))
        let web = try m.deployTarget("web")
        #expect(web.manual && web.url == "https://app.example.com")
        #expect(try m.deployTarget("db").manual == false && m.deployTarget("db").url == nil)
    }

    @Test(arguments: [
        ("[tasks.t]\nrun = \"x\"\ndeps = [\"bulid\"]\n[tasks.build]\nrun = \"b\"\n", ["3:9: invalid value for 'tasks.t.deps': no task named 'bulid'; did you mean 'build'?"]),
        ("[tasks.a]\nrun = \"a\"\ndeps = [\"b\"]\n[tasks.b]\nrun = \"b\"\ndeps = [\"a\"]\n", ["3:9: tasks depend on each other in a cycle: a -> b -> a"]),
        ("[tasks.t]\nrun = \"x\"\nservices = [\"pg\"]\n", ["3:13: invalid value for 'tasks.t.services': profile 'dev' has no service named 'pg'"]),
        ("[tasks.t]\ndescription = \"no run\"\n", ["1:8: invalid value for 'tasks.t': a task needs a 'run' command"]),
        ("[tasks.t]\nrun = \"\"\n", ["2:7: invalid value for 'tasks.t.run': the command is empty"]),
        ("[tasks.t]\nrun = \"x\"\nimputs = [\"a\"]\n", ["3:1: unknown key 'imputs' in [tasks.t]"]),
        ("[tasks.t]\nrun = \"x\"\ninputs = [\"../secret\"]\n", ["3:11: invalid value for 'tasks.t.inputs': '../secret' must be a path inside the project"]),
        ("[tasks.t]\nrun = \"x\"\ninputs = [\"$HOME/x\"]\n", ["3:11: invalid value for 'tasks.t.inputs': '$HOME/x': globs do not expand variables"]),
        ("[tasks.t]\nrun = \"x\"\ninputs = [\"a\"]\nreports = [\"${SLIPWAY_OUT}/j.xml\", \"$SLIPWAY_OUTX/j.xml\"]\n", ["4:36: invalid value for 'tasks.t.reports': '$SLIPWAY_OUTX/j.xml': globs do not expand variables (only a leading $SLIPWAY_OUT/"]),
        ("[tasks.t]\nrun = \"x\"\noutputs = [\"dist\"]\n", ["3:1: invalid value for 'tasks.t.outputs': outputs without inputs can never be up to date"]),
        ("[tasks.t]\nrun = \"x\"\ncwd = \"/tmp\"\n", ["3:7: invalid value for 'tasks.t.cwd': cwd is a folder inside the project"]),
        ("[tasks.t]\nrun = 3\n", ["2:7: 'tasks.t.run' must be a string, found an integer"]),
        ("[artifacts.a]\nprofile = \"prod\"\n", ["1:12: invalid value for 'artifacts.a': give exactly one of"]),
        ("[artifacts.a]\nnix = \"x\"\nflake = \".#a\"\n", ["1:12: invalid value for 'artifacts.a': give exactly one of"]),
        ("[artifacts.a]\nflake = \"github:o/r#not an attr\"\n", ["2:9: invalid value for 'artifacts.a.flake': 'github:o/r#not an attr' is not <flakeref>#<attribute>"]),
        ("[artifacts.a]\nnix = \"x\"\ninclude = [\"../x\", \"src/*.php\"]\n", ["3:12: invalid value for 'artifacts.a.include': '../x' must be a file or folder inside the project", "3:20: invalid value for 'artifacts.a.include': 'src/*.php'"]),
        ("[artifacts.a]\nflake = \".#a\"\ninclude = [\"src\"]\n", ["3:1: invalid value for 'artifacts.a.include': include applies to a `nix` expression"]),
        ("[ci]\npush = 3\n", ["2:8: 'ci.push' must be a branch glob such as \"main\", or a boolean, found an integer"]),
        ("[ci]\nregistry = \"https://r.example.com/x\"\n", ["2:12: invalid value for 'ci.registry': write HOST[:PORT]/PATH without a scheme"]),
        ("[ci]\ntasks = [\"tset\"]\n[tasks.test]\nrun = \"t\"\n", ["2:10: invalid value for 'ci.tasks': no task named 'tset'; did you mean 'test'?"]),
        ("[ci]\nimages = [\"ap\"]\n", ["2:11: invalid value for 'ci.images': no image named 'ap'"]),
        ("[ci]\nbranch = \"main\"\n", ["2:1: unknown key 'branch' in [ci]"]),
        ("[ci]\ndeploy = [\"wbe\"]\n[deploy.web]\nhosts = [\"h\"]\nmode = \"closure\"\nservice = \"s\"\n",
         ["2:11: invalid value for 'ci.deploy': no deploy target named 'wbe'; did you mean 'web'?"]),
        ("[ci]\ndeploy_when = true\n", ["2:15: 'ci.deploy_when' must be a branch glob such as \"main\" or \"release/*\", found a boolean"]),
        ("[images.a]\ncontents = []\n[images.b]\ncontents = []\n[ci]\nimages = [\"a\"]\ndeploy = [\"web\"]\n"
            + "[deploy.web]\nhosts = [\"h\"]\nimages = [\"a\", \"b\"]\n",
         ["7:11: invalid value for 'ci.deploy': target 'web' runs image 'b', which [ci] images does not build"]),
        ("[deploy.web]\nhosts = [\"h\"]\nmode = \"closure\"\nservice = \"s\"\nurl = \"app.example.com\"\nmanual = \"yes\"\n",
         ["5:7: invalid value for 'deploy.web.url': the environment's public address", "6:10: 'deploy.web.manual' must be a boolean"]),
        ("[profiles.prod.ci]\nprofile = \"x\"\n", ["1:16: invalid value for 'profiles.prod.ci': [ci] is not overlaid by profiles"]),
        ("[profiles.prod.images.app]\ncontents = []\n", ["1:16: invalid value for 'profiles.prod.images': [images] is not overlaid by profiles"]),
    ] as [(String, [String])])
    func reportsProblemsAtTheirLocation(_ toml: String, _ expected: [String]) {
        let got = diagnostics(toml)
        #expect(got.count == expected.count, "got: \(got)")
        for (line, prefix) in zip(got, expected) { #expect(line.hasPrefix(prefix), "got \(line)") }
    }

    @Test func artifactExcludeBuildPackagesAndUses() throws {
        let artifacts = try manifest("""
            [artifacts.assets]
            nix = "runCommand \\"a\\" { nativeBuildInputs = build_packages; } ''mkdir $out''"
            build_packages = ["nodejs", "php82Packages.composer"]
            exclude = ["./**/__pycache__/", "var/cache"]
            [artifacts.app]
            nix = "runCommand \\"b\\" { } ''cp -r ${artifacts.assets}/public ${artifacts.\\"assets\\"} $out''"
            """).artifacts()
        #expect(artifacts[0].buildPackages == ["nodejs", "php82Packages.composer"])
        #expect(artifacts[0].exclude == ["**/__pycache__", "var/cache"])
        #expect(artifacts[0].uses.isEmpty && artifacts[1].uses == ["assets"])
    }

    @Test func artifactKeyProblemsAreLocated() {
        let bad = diagnostics("""
            [artifacts.app]
            nix = "x"
            exclude = ["/etc"]
            build_packages = ["not a name"]
            [artifacts.site]
            flake = ".#site"
            exclude = ["x"]
            """)
        #expect(bad.contains { $0.hasPrefix("3:12: ") && $0.contains("'/etc' must be a glob inside the project") })
        #expect(bad.contains { $0.hasPrefix("4:19: ") && $0.contains("'not a name' is not an attribute of the package set") })
        #expect(bad.contains { $0.hasPrefix("7:1: ") && $0.contains("exclude applies to a `nix` expression") })
    }

    @Test func artifactUsesAreCheckedAndCyclesRefused() throws {
        let cycle = diagnostics("""
            [artifacts.a]
            nix = "artifacts.b"
            [artifacts.b]
            nix = "artifacts.a"
            [artifacts.c]
            nix = "artifacts.asets"
            [artifacts.d]
            nix = "artifacts.a"
            profile = "dev"
            """)
        #expect(cycle.contains("1:12: artifacts use each other in a cycle: a -> b -> a"))
        #expect(cycle.contains { $0.hasPrefix("5:12: ") && $0.contains("no `nix` artifact named 'asets'") })
        #expect(cycle.contains { $0.hasPrefix("7:12: ") && $0.contains("built with profile 'prod', not 'dev'") })
        do {
            _ = try manifest("[artifacts.a]\nnix = \"artifacts.a\"\n")
            Issue.record("a self-use must fail")
        } catch let error as ManifestError {
            #expect(error.diagnostics.first?.hint?.contains("remove one of these `artifacts.NAME` uses") == true)
        }
    }

    @Test func artifactParts() {
        #expect(ArtifactPart(contentsKey: "artifact:web:public/") == ArtifactPart(contentsKey: "artifact:web:public"))
        #expect(ArtifactPart(contentsKey: "artifact:web")?.subPath == nil)
        #expect(ArtifactPart(contentsKey: "php") == nil)
        #expect(ArtifactPart(contentsKey: "artifact:web:app/public")?.hasValidSubPath == true)
        for bad in ["artifact:web:../x", "artifact:web:/abs", "artifact:web:", "artifact:web:a b"] {
            #expect(ArtifactPart(contentsKey: bad)?.hasValidSubPath == false, "\(bad)")
        }
    }
}
