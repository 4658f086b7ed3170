import Testing
@testable import SlipwayManifest

#if canImport(Glibc)
import Glibc
#endif

/// CPU seconds this thread has used: unlike the wall clock, it does not grow with the machine's
/// load, so the liveness bounds below separate linear from quadratic work on a busy runner too.
private func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Manifests built to crash or stall a parser: each is refused (or accepted) quickly, with a
/// located error, in process.
struct HostileManifestTests {
    private static let head = "[project]\nname = \"x\"\n"

    private static func repeated(_ text: String, _ count: Int, separator: String = "") -> String {
        Array(repeating: text, count: count).joined(separator: separator)
    }

    /// A document, and the `line:column: message-start` of its one diagnostic.
    private static let deepCases: [(String, String, String)] = [
        ("table", head + "[" + repeated("a", 20_000, separator: ".") + "]\nx = 1\n", "3:258"),
        ("dotted key (under [project])", head + repeated("a", 20_000, separator: ".") + " = 1\n", "3:255"),
        ("deploy table", head + "[deploy." + repeated("a", 20_000, separator: ".") + "]\n", "3:263"),
        ("array of tables", head + "[[" + repeated("a", 20_000, separator: ".") + "]]\n", "3:259"),
        ("inline tables", head + "a = " + repeated("{b = ", 20_000) + "1" + repeated("}", 20_000) + "\n", "3:636"),
        ("arrays", head + "a = " + repeated("[", 20_000) + "1" + repeated("]", 20_000) + "\n", "3:132"),
        ("dotted key under a deep table", head + "[" + repeated("a", 100, separator: ".") + "]\n"
            + repeated("b", 40, separator: ".") + " = 1\n", "4:57"),
    ]

    @Test(arguments: 0..<deepCases.count)
    func deepNestingIsRefusedWhereTheLimitIsExceeded(_ index: Int) throws {
        let (name, toml, location) = Self.deepCases[index]
        let start = threadCPUSeconds()
        let error = #expect(throws: ManifestError.self, "\(name)") {
            try ManifestLoader.parse(toml, file: "slipway.toml", root: "/p")
        }
        #expect(threadCPUSeconds() - start < 2, "\(name): CPU seconds")
        let diagnostics = error?.diagnostics ?? []
        #expect(diagnostics.count == 1, "\(name): \(diagnostics)")
        #expect(diagnostics.first?.kind == .tooDeep(limit: ManifestText.maximumDepth), "\(name)")
        let at = diagnostics.first.map { "\($0.location.line):\($0.location.column)" }
        #expect(at == location, "\(name): \(diagnostics.map(\.description))")
    }

    @Test func nestingAtTheLimitIsAccepted() throws {
        // 127 levels of tables plus the key: exactly the limit.
        let toml = Self.head + "[deploy.x.k8s." + Self.repeated("a", 124, separator: ".") + "]\nb = 1\n"
        // Accepted by the scanner: what may remain is the deploy decoder's ordinary complaint.
        do {
            _ = try ManifestLoader.parse(toml, file: "slipway.toml", root: "/p")
        } catch {
            #expect(!error.diagnostics.isEmpty)
            #expect(error.diagnostics.allSatisfy { $0.kind != .tooDeep(limit: ManifestText.maximumDepth) })
        }
        // Brackets and dots inside strings and comments do not count.
        let quoted = Self.head + "[env]\nA = \"" + Self.repeated("[{a.", 500) + "\"\n# " + Self.repeated("[", 500) + "\n"
            + "B = '''\n" + Self.repeated("[", 500) + "\n'''\n"
        _ = try ManifestLoader.parse(quoted, file: "slipway.toml", root: "/p")
    }

    /// toml++ asserts (SIGABRT in a debug build) on these; found by the fuzz test.
    @Test(arguments: ["[[\n", "[\n", "a = 1\n[[ \nb = 1\n", "[.a]\n", "[ =\n", "[énix]\n"])
    func aTableHeaderWithoutAKeyIsASyntaxError(_ toml: String) throws {
        let error = #expect(throws: ManifestError.self) { try ManifestLoader.parse(toml, file: "slipway.toml", root: "/p") }
        #expect(error?.diagnostics.map(\.description).first?.contains("error: TOML syntax error: a table header needs a key") == true,
                "\(error?.diagnostics ?? [])")
    }

    @Test func invalidUTF8IsLocatedAtItsByte() throws {
        let bytes = Array((Self.head + "[env]\nA = \"caf").utf8) + [0xE9] + Array("\"\n".utf8)
        let error = #expect(throws: ManifestError.self) { try ManifestText.decode(bytes, file: "slipway.toml") }
        #expect(error?.diagnostics.map(\.description).first?.hasPrefix(
            "slipway.toml:4:9: error: the manifest is not UTF-8 text: byte 0xE9 is not valid UTF-8\n  hint: save") == true)
        let cases: [[UInt8]] = [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80], [0x00]]
        for tail in cases {
            #expect(throws: ManifestError.self, "\(tail)") { try ManifestText.decode(Array("x = \"".utf8) + tail, file: "f") }
        }
        #expect(try ManifestText.decode(Array("x = \"café 日本 🚀\"\n".utf8), file: "f") == "x = \"café 日本 🚀\"\n")
    }

    @Test func aFileOverTheSizeLimitIsRefusedWithoutParsing() throws {
        let bytes = [UInt8](repeating: UInt8(ascii: "#"), count: ManifestText.maximumSize + 1)
        let error = #expect(throws: ManifestError.self) { try ManifestText.decode(bytes, file: "slipway.toml") }
        #expect(error?.diagnostics.first?.kind == .tooLarge(limit: ManifestText.maximumSize))
        #expect(error?.message.contains("larger than 16 MiB") == true)
    }

    @Test func a5000ProfileChainEndingInACycleIsReportedQuickly() throws {
        var toml = Self.head
        for i in 0..<5_000 { toml += "[profiles.p\(i)]\nextends = \"p\(i + 1)\"\n" }
        toml += "[profiles.p5000]\nextends = \"p4999\"\n"
        let start = threadCPUSeconds()
        let error = #expect(throws: ManifestError.self) { try ManifestLoader.parse(toml, file: "slipway.toml", root: "/p") }
        #expect(threadCPUSeconds() - start < 5, "CPU seconds; n^3 resolution took minutes")
        #expect(error?.diagnostics.map(\.description).first?.hasPrefix(
            "slipway.toml:10002:11: error: profiles extend each other in a cycle: p4999 -> p5000 -> p4999") == true,
            "\(error?.diagnostics.map(\.description) ?? [])")
    }

    @Test func aLongValidProfileChainResolvesLinearly() throws {
        var toml = Self.head + "[packages]\nbase = \"hello\"\n"
        for i in 0..<5_000 {
            toml += "[profiles.p\(i)]\nextends = \"p\(i + 1)\"\n"
            if i % 500 == 0 { toml += "[profiles.p\(i).env]\nV\(i) = \"\(i)\"\n" }
        }
        toml += "[profiles.p5000]\n"
        let start = threadCPUSeconds()
        let manifest = try ManifestLoader.parse(toml, file: "slipway.toml", root: "/p")
        #expect(threadCPUSeconds() - start < 5, "CPU seconds; n^3 resolution took minutes")
        let p0 = try manifest.resolve(profile: "p0")
        #expect(p0.env.map(\.name) == stride(from: 4_500, through: 0, by: -500).map { "V\($0)" })
        #expect(p0.packages.map(\.key) == ["base"])
        #expect(p0.chain.count == 5_001)
        #expect(p0.chain.first == "p5000" && p0.chain.last == "p0")
        #expect(try manifest.resolve(profile: "p4500").env.map(\.name) == ["V4500"])
        #expect(try manifest.resolve(profile: "p4501").env.isEmpty)
    }

    @Test func longServiceAndTaskChainsEndingInCyclesAreReported() throws {
        var services = Self.head
        for i in 0..<20_000 { services += "[services.s\(i)]\ncommand = \"true\"\ndepends_on = { s\(i + 1) = \"started\" }\n" }
        services += "[services.s20000]\ncommand = \"true\"\ndepends_on = { s0 = \"started\" }\n"
        var tasks = Self.head
        for i in 0..<20_000 { tasks += "[tasks.t\(i)]\nrun = \"true\"\ndeps = [\"t\(i + 1)\"]\n" }
        tasks += "[tasks.t20000]\nrun = \"true\"\ndeps = [\"t0\"]\n"
        for (toml, kind) in [(services, "services depend"), (tasks, "tasks depend")] {
            let start = threadCPUSeconds()
            let manifest = try ManifestLoader.parse(toml, file: "slipway.toml", root: "/p")
            let resolved = try manifest.resolve(profile: "dev")
            let error = #expect(throws: ManifestError.self) { try manifest.tasks(of: resolved) }
            #expect(threadCPUSeconds() - start < 20, "\(kind): CPU seconds; linear, about 1 s; quadratic took over 60 s")
            #expect(error?.message.contains("\(kind) on each other in a cycle: ") == true, "\(kind)")
            #expect(error?.diagnostics.first?.location.line == 5, "\(kind): \(error?.diagnostics.first?.description ?? "")")
        }
        // A long acyclic chain starts in dependency order without recursion.
        let chain = (0..<20_000).map { i in
            ServiceSpec(name: "s\(i)", command: "true", env: [],
                        dependsOn: i == 19_999 ? [] : [.init(name: "s\(i + 1)", condition: .started, location: .init(file: "f", line: 1, column: 1))],
                        location: .init(file: "f", line: i + 1, column: 1))
        }
        let order = ServiceOrder.startOrder(chain, requested: ["s0"])
        #expect(order.count == 20_000 && order.first?.name == "s19999" && order.last?.name == "s0")
    }
}
