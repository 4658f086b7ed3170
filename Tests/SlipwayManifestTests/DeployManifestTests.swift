import Testing

@testable import SlipwayManifest

@Suite("Deploy targets in the manifest")
struct DeployManifestTests {
    static let images = """
        [images.app]
        contents = []
        [images.web]
        contents = []

        """

    func targets(_ toml: String) throws -> [DeploySpec] {
        try ManifestLoader.parse(Self.images + toml, file: "slipway.toml", root: "/p").deployTargets()
    }

    /// `line:column: message (hint)`, lines counted in the text after the [images] prelude.
    func diagnostics(_ toml: String) -> [String] {
        do {
            _ = try targets(toml)
            return []
        } catch {
            let offset = Self.images.split(separator: "\n", omittingEmptySubsequences: false).count - 1
            return ((error as? ManifestError)?.diagnostics ?? []).map {
                "\($0.location.line - offset):\($0.location.column): \($0.message)" + ($0.hint.map { " (\($0))" } ?? "")
            }
        }
    }

    @Test func fullImageTarget() throws {
        let specs = try targets(
            """
            [deploy.web]
            hosts = ["root@127.0.0.2:2222", "deploy@app1.example.com", "[::1]:22"]
            mode = "image"
            images = ["app", "web"]
            keep = 3
            sudo = ["sudo", "-n", "--", "{}"]
            [deploy.web.image.web]
            ports = ["8080:80", "127.0.0.1:8443:443"]
            volumes = ["data:/var/lib/data"]
            env = { A = "1" }
            [deploy.web.health]
            http = "http://127.0.0.1:8080/health"
            timeout = "30s"
            confirm = "2m"
            [deploy.web.env]
            APP_ENV = "prod"
            [deploy.web.secrets]
            DB_PASSWORD = { env = "PROD_DB_PASSWORD" }
            TOKEN = { file = "secrets/token" }
            KEY = { command = "pass show key" }
            [deploy.web.ssh]
            identity = "/k"
            known_hosts = "/kh"
            options = ["StrictHostKeyChecking=accept-new"]
            """)
        let spec = try #require(specs.first)
        #expect(spec.profile == "prod")
        #expect(spec.hosts.map(\.description) == ["root@127.0.0.2:2222", "deploy@app1.example.com", "[::1]:22"])
        #expect(spec.hosts[0].port == 2222 && spec.hosts[1].port == nil && spec.hosts[2].host == "::1")
        #expect(spec.runtime == .podman && spec.network == .private && spec.keep == 3)
        #expect(spec.imageSettings["web"]?.ports == ["8080:80", "127.0.0.1:8443:443"])
        #expect(spec.health.check == .http("http://127.0.0.1:8080/health"))
        #expect(spec.health.timeout == 30 && spec.confirmDelay == 120)
        #expect(
            spec.secrets.map(\.source) == [
                .environment("PROD_DB_PASSWORD"), .file("secrets/token"), .command("pass show key"),
            ])
        #expect(spec.ssh.options == ["StrictHostKeyChecking=accept-new"])
        #expect(spec.sudo == ["sudo", "-n", "--", "{}"])
    }

    @Test func relativeSSHPathsAreInTheProject() throws {
        let spec = try #require(try targets("""
            [deploy.web]
            hosts = ["root@h"]
            mode = "image"
            images = ["app"]
            [deploy.web.ssh]
            identity = "~/.ssh/deploy"
            known_hosts = "deploy/known_hosts"
            """).first)
        #expect(spec.ssh.identity == "~/.ssh/deploy")
        #expect(spec.ssh.knownHosts == "/p/deploy/known_hosts")
    }

    @Test func closureTargetDefaults() throws {
        let spec = try #require(
            try targets(
                """
                [deploy.api]
                hosts = ["root@h"]
                mode = "closure"
                service = "web"
                port = 5432
                [deploy.api.health]
                cmd = ["/bin/check", "--fast"]
                """
            ).first)
        #expect(spec.mode == .closure && spec.service == "web" && spec.keep == 5)
        #expect(spec.port == 5432)
        #expect(spec.health.check == .command(["/bin/check", "--fast"]))
        // stop 10 + start 30 + health 60 + 10 margin
        #expect(spec.confirmDelay == 110)
    }

    @Test(arguments: [
        (
            "[deploy.w]\nhosts = [\"root@h\"]\nimages = [\"app\"]\nmod = \"image\"",
            "4:1: unknown key 'mod' in [deploy.w] (did you mean 'mode'?)"
        ),
        (
            "[deploy.w]\nhosts = [\"root@h:99999\"]\nimages = [\"app\"]",
            "2:10: invalid value for 'deploy.w.hosts': 'root@h:99999': "
                + "'99999' is not a port between 1 and 65535; use user@host[:port]"
        ),
        (
            "[deploy.w]\nhosts = []\nimages = [\"app\"]",
            "2:9: invalid value for 'deploy.w.hosts': give at least one host, user@host[:port]"
        ),
        (
            "[deploy.w]\nimages = [\"app\"]",
            "1:9: invalid value for 'deploy.w': a deploy target needs 'hosts' (at least one user@host[:port])"
        ),
        (
            "[deploy.w]\nhosts = [\"h\"]\nmode = \"vm\"\nimages = [\"app\"]",
            "3:8: invalid value for 'deploy.w.mode': 'vm' is not one of \"image\", \"closure\", \"kubernetes\""
        ),
        (
            "[deploy.w]\nhosts = [\"h\"]",
            "1:9: invalid value for 'deploy.w': mode \"image\" needs 'images', the [images] keys to run"
        ),
        (
            "[deploy.w]\nhosts = [\"h\"]\nimages = [\"ap\"]",
            "1:9: invalid value for 'deploy.w.images': no [images.ap]; did you mean 'app'?"
        ),
        (
            "[deploy.w]\nhosts = [\"h\"]\nmode = \"closure\"",
            "1:9: invalid value for 'deploy.w': mode \"closure\" needs 'service', a [services] key of the profile"
        ),
        (
            "[deploy.w]\nhosts = [\"h\"]\nimages = [\"app\"]\nport = 80",
            "1:9: invalid value for 'deploy.w': 'service' and 'port' are for mode \"closure\"; "
                + "image mode runs 'images'"
        ),
        (
            "[deploy.w]\nhosts = [\"h\"]\nimages = [\"app\"]\nkeep = 0",
            "4:8: invalid value for 'deploy.w.keep': keep at least 1 release (the current one)"
        ),
        (
            "[deploy.w]\nhosts = [\"h\"]\nimages = [\"app\"]\nsudo = [\"sudo\"]",
            "4:8: invalid value for 'deploy.w.sudo': a command template with one \"{}\" for the command, "
                + "e.g. [\"sudo\", \"-n\", \"--\", \"{}\"]"
        ),
        (
            "[deploy.w]\nhosts = [\"h\"]\nimages = [\"app\"]\nsecrets = { A = \"x\" }",
            "4:17: invalid value for 'deploy.w.secrets.A': a secret is { env = \"VAR\" }, "
                + "{ file = \"path\" } or { command = \"...\" }"
        ),
        (
            "[deploy.w]\nhosts = [\"h\"]\nimages = [\"app\"]\nhealth = { http = \"https://x\" }",
            "4:19: invalid value for 'deploy.w.health.http': use a plain http:// URL on the host, "
                + "e.g. \"http://127.0.0.1:8080/health\""
        ),
        (
            "[deploy.w]\nhosts = [\"h\"]\nimages = [\"app\"]\nprofile = \"staging\"",
            "1:9: invalid value for 'deploy.w.profile': no profile named 'staging'"
        ),
    ])
    func locatedErrors(toml: String, expected: String) {
        #expect(diagnostics(toml) == [expected])
    }

    @Test func confirmMustExceedStartAndHealth() {
        let found = diagnostics(
            "[deploy.w]\nhosts = [\"h\"]\nimages = [\"app\"]\n[deploy.w.health]\ntimeout = 60\nconfirm = 70")
        #expect(found.count == 1)
        #expect(found.first?.contains("the dead-man delay must exceed start (30 s) + health timeout (60 s)") == true)
    }

    @Test func profilesDoNotOverlayDeploy() throws {
        let found = diagnostics("[profiles.prod.deploy.w]\nhosts = [\"h\"]")
        #expect(found.first?.contains("[deploy] is not overlaid by profiles") == true)
    }

    @Test(
        arguments: [
            ("root@127.0.0.2:2222", "root", "127.0.0.2", 2222),
            ("example.com", nil, "example.com", nil),
            ("deploy@[2001:db8::1]:2200", "deploy", "2001:db8::1", 2200),
        ] as [(String, String?, String, Int?)])
    func hostParsing(text: String, user: String?, host: String, port: Int?) throws {
        let parsed = try DeployHost.parse(text).get()
        #expect(parsed.user == user && parsed.host == host && parsed.port == port)
        #expect(parsed.description == text)
    }

    @Test(arguments: ["@h", "root@", "h:0", "h:x", "[::1", "a b"])
    func badHosts(text: String) {
        #expect(throws: HostParseError.self) { try DeployHost.parse(text).get() }
    }
}
