import Testing
@testable import SlipwayManifest

@Suite("TOML locations")
struct TOMLLocatorTests {
    @Test func keysAndValuesAcrossForms() throws {
        let root = try TOMLDocument.parse("""
            # comment
            [a]
            b = 1   # trailing
            "quoted key" = 'lit'
            c.d = { e = [1, { f = "x" }], g = \"\"\"
            multi
            \"\"\" }

            [[h]]
            i = 2
            [[h]]
            i = 3
            """, file: "t.toml")
        func at(_ path: String...) -> String {
            var node: TOMLNode? = root
            for key in path {
                if key.hasPrefix("["), let i = Int(key.dropFirst().dropLast()) { node = node?.elements?[i] } else { node = node?[key] }
            }
            guard let node else { return "missing" }
            return "\(node.keyLocation.line):\(node.keyLocation.column) \(node.valueLocation.line):\(node.valueLocation.column)"
        }
        #expect(at("a", "b") == "3:1 3:5")
        #expect(at("a", "quoted key") == "4:1 4:16")
        #expect(at("a", "c", "d", "e") == "5:9 5:13")
        #expect(at("a", "c", "d", "e", "[1]", "f") == "5:19 5:23")
        #expect(at("a", "c", "d", "g") == "5:31 5:35")
        #expect(at("h", "[1]", "i") == "12:1 12:5")
    }

    @Test func envKeepsSourceOrder() throws {
        let manifest = try ManifestLoader.parse("""
            [env]
            ZED = "1"
            ALPHA = "$ZED"
            MID = "2"
            """, file: "slipway.toml", root: "/p")
        #expect(manifest.base.env.map(\.name) == ["ZED", "ALPHA", "MID"])
    }
}
