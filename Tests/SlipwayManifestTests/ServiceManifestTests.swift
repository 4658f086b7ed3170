import Testing
@testable import SlipwayManifest

@Suite("Services in the manifest")
struct ServiceManifestTests {
    func services(_ toml: String, profile: String = "dev") throws -> [ServiceSpec] {
        let manifest = try ManifestLoader.parse(toml, file: "slipway.toml", root: "/p")
        return try manifest.services(of: manifest.resolve(profile: profile))
    }

    func diagnostics(_ toml: String) -> [String] {
        do {
            _ = try services(toml)
            return []
        } catch {
            return ((error as? ManifestError)?.diagnostics ?? []).map { "\($0.location.line):\($0.location.column): \($0.message)" }
        }
    }

    @Test func fullService() throws {
        let specs = try services("""
            [services.postgres]
            setup = "initdb"
            command = "postgres -p $PORT"
            port = 5432
            ready = { exec = "pg_isready", period = "500ms", timeout = 1, failure_threshold = 2 }
            stop_signal = "SIGINT"
            stop_timeout = 20
            user = "postgres"
            [services.web]
            command = "php -S 127.0.0.1:$PORT"
            port = "auto"
            depends_on = { postgres = "healthy" }
            ready = { http = "/health" }
            restart = "always"
            max_restarts = 0
            env = { APP_ENV = "dev" }
            """)
        #expect(specs.map(\.name) == ["postgres", "web"])
        let pg = specs[0]
        #expect(pg.port == .fixed(5432))
        #expect(pg.ready?.kind == .exec("pg_isready"))
        #expect(pg.ready?.period == 0.5)
        #expect(pg.ready?.failureThreshold == 2)
        #expect(pg.stopSignal == 2)
        #expect(pg.stopTimeout == 20)
        #expect(pg.user == "postgres")
        let web = specs[1]
        #expect(web.port == .auto)
        #expect(web.dependsOn.map(\.condition) == [.healthy])
        #expect(web.restart == .always)
        #expect(web.maxRestarts == 0)
        #expect(web.env.map(\.name) == ["APP_ENV"])
        #expect(ServiceSpec.portVariable("my-db") == "MY_DB_PORT")
    }

    @Test func profileOverlaysFieldsAndDisables() throws {
        let toml = """
            [services.web]
            command = "php -S 127.0.0.1:$PORT"
            port = 8080
            [services.mail]
            command = "mailpit"
            [profiles.prod.services.web]
            command = "php-fpm"
            [profiles.prod.services.mail]
            disabled = true
            """
        let prod = try services(toml, profile: "prod")
        #expect(prod.map(\.name) == ["web"])
        #expect(prod[0].command == "php-fpm")
        #expect(prod[0].port == .fixed(8080))
        #expect(try services(toml).map(\.name) == ["web", "mail"])
    }

    @Test(arguments: [
        ("[services.a]\ncommand = \"x\"\ndepends_on = { b = \"healthy\" }\n[services.b]\ncommand = \"y\"\ndepends_on = { a = \"started\" }\nready = { tcp = 1 }\n",
         ["3:16: services depend on each other in a cycle: a -> b -> a"]),
        ("[services.a]\ncommand = \"x\"\ndepends_on = { db = \"started\" }\n",
         ["3:16: invalid value for 'services.a.depends_on': no service named 'db'"]),
        ("[services.a]\ncommand = \"x\"\ndepends_on = { b = \"healthy\" }\n[services.b]\ncommand = \"y\"\n",
         ["3:16: invalid value for 'services.a.depends_on': 'b' has no readiness probe"]),
        ("[services.a]\ncommand = \"x\"\ndepends_on = { b = \"ready\" }\n[services.b]\ncommand = \"y\"\n",
         ["3:20: invalid value for 'services.a.depends_on.b': unknown condition 'ready'"]),
        ("[services.a]\nport = 70000\n", ["2:8: invalid value for 'services.a.port': a port is between 1 and 65535"]),
        ("[services.a]\ncommand = \"x\"\nstop_signal = \"SIGFOO\"\n", ["3:15: invalid value for 'services.a.stop_signal': unknown signal 'SIGFOO'"]),
        ("[services.a]\ncommand = \"x\"\ncomand = \"y\"\n", ["3:1: unknown key 'comand' in [services.a]"]),
        ("[services.a]\ncommand = \"x\"\nready = { exec = \"a\", http = \"/\" }\n", ["3:9: invalid value for 'services.a.ready': give exactly one of exec, http, tcp, log or unix"]),
        ("[services.a]\ncommand = \"x\"\nready = { log = \"(\" }\n", ["3:17: invalid value for 'services.a.ready.log': not a supported log pattern: '(' is never closed (at character 1 of the pattern)"]),
        ("[services.a]\ncommand = \"x\"\nrestart = \"sometimes\"\n", ["3:11: invalid value for 'services.a.restart': use \"no\", \"on-failure\" or \"always\""]),
        ("[services.a]\ncommand = \"x\"\nstop_timeout = \"soon\"\n", ["3:16: invalid value for 'services.a.stop_timeout': 'soon' is not a duration"]),
        ("[services.a]\ncommand = \"x\"\nready = { http = \"/\" }\n", ["1:11: invalid value for 'services.a.ready': an http probe on a path needs the service's 'port'"]),
    ])
    func invalidServices(_ toml: String, _ expected: [String]) {
        let got = diagnostics(toml)
        #expect(got.count == expected.count, "\(got)")
        for (line, prefix) in zip(got, expected) { #expect(line.hasPrefix(prefix), "\(line)") }
    }

    @Test func missingCommand() {
        #expect(diagnostics("[services.a]\nport = 1\n") == ["1:11: invalid value for 'services.a': a service needs a 'command'"])
    }

    @Test func startOrderPullsInDependencies() throws {
        let specs = try services("""
            [services.web]
            command = "w"
            depends_on = { db = "started", cache = "started" }
            [services.db]
            command = "d"
            [services.cache]
            command = "c"
            [services.other]
            command = "o"
            """)
        #expect(ServiceOrder.startOrder(specs, requested: ["web"]).map(\.name) == ["db", "cache", "web"])
        #expect(ServiceOrder.startOrder(specs, requested: []).map(\.name) == ["db", "cache", "web", "other"])
    }
}
