import SlipwayCore
import Testing
@testable import SlipwayManifest

/// Every section is decoded once, at load: field problems fail the load (each reported once, at
/// its location), while problems of one profile's services or tasks fail only when that profile
/// is used.
@Suite("Sections decoded once at load")
struct SectionDecodingTests {
    func load(_ toml: String) throws(ManifestError) -> Manifest {
        try ManifestLoader.parse(toml, file: "slipway.toml", root: "/p")
    }

    func messages(_ error: ManifestError) -> [String] {
        error.diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" }
    }

    @Test func aBaseFieldErrorIsReportedOnceThoughEveryProfileInheritsIt() {
        #expect(throws: ManifestError.self) { try load("[services.db]\ncommand = \"db\"\nport = \"eighty\"\n") }
        do {
            _ = try load("[services.db]\ncommand = \"db\"\nport = \"eighty\"\n")
        } catch {
            #expect(messages(error).count == 1)
            #expect(messages(error).first?.hasPrefix("3:8:") == true)
        }
    }

    @Test func aProfileOnlyProblemFailsOnlyThatProfile() throws {
        let m = try load("""
            [services.db]
            command = "db"
            [services.web]
            command = "web"
            depends_on = { db = "started" }
            [profiles.prod.services.db]
            disabled = true
            """)
        #expect(try m.services(of: m.resolve(profile: "dev")).map(\.name) == ["db", "web"])
        #expect(throws: ManifestError.self) { try m.services(of: m.resolve(profile: "prod")) }
        do {
            _ = try m.services(of: m.resolve(profile: "prod"))
        } catch {
            #expect(messages(error) == ["5:16: invalid value for 'services.web.depends_on': service 'db' is disabled in profile 'prod'"])
        }
    }

    @Test func aServiceCompletedByAProfileIsCompleteThere() throws {
        let m = try load("[services.web]\nport = 8080\n[profiles.dev.services.web]\ncommand = \"serve\"\n")
        #expect(try m.services(of: m.resolve(profile: "dev")).map(\.command) == ["serve"])
        #expect(throws: ManifestError.self) { try m.services(of: m.resolve(profile: "prod")) }
    }

    @Test func anOverlayAddingOutputsSeesTheBaseInputs() throws {
        let m = try load("""
            [tasks.build]
            run = "make"
            inputs = ["src/**"]
            [profiles.ci.tasks.build]
            outputs = ["dist/**"]
            """)
        let build = try m.tasks(of: m.resolve(profile: "ci")).first
        #expect(build?.inputs == ["src/**"] && build?.outputs == ["dist/**"])
    }

    @Test func ciTaskNamesAreCheckedAtLoad() {
        do {
            _ = try load("[tasks.test]\nrun = \"t\"\n[ci]\ntasks = [\"tset\"]\n")
            Issue.record("an unknown [ci] task must fail the load")
        } catch {
            #expect(messages(error) == ["4:10: invalid value for 'ci.tasks': no task named 'tset'; did you mean 'test'?"])
        }
    }

    @Test func resolveReturnsTheDecodedProfile() throws {
        let m = try load("[tasks.a]\nrun = \"a\"\n[profiles.prod.tasks.a]\nrun = \"b\"\n")
        #expect(m.sections.profiles.keys.sorted() == ["ci", "dev", "prod"])
        #expect(try m.tasks(of: m.resolve(profile: "prod")).map(\.run) == ["b"])
        #expect(try m.tasks(of: m.resolve(profile: "ci")).map(\.run) == ["a"])
    }
}
