import Testing
@testable import SlipwayOCI

@Suite("Layer planning")
struct LayerPlannerTests {
    /// A pseudo-random generator with a fixed seed, so failures reproduce.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
    }

    static func graph(_ shape: String, size: Int, seed: UInt64) -> [LayerPlanner.Node] {
        var random = Seeded(state: seed)
        let names = (0..<size).map { "/nix/store/\(String(format: "%032d", $0))-p\($0)" }
        return (0..<size).map { i in
            var references: [String] = []
            switch shape {
            case "chain": if i + 1 < size { references = [names[i + 1]] }
            case "star": if i > 0 { references = [names[0]] } else { references = [] }
            case "wide": references = i == 0 ? Array(names.dropFirst()) : []
            case "diamond": references = (i + 1..<min(size, i + 3)).map { names[$0] }
            default: references = (i + 1..<size).filter { _ in random.next() % 4 == 0 }.map { names[$0] }
            }
            return LayerPlanner.Node(path: names[i], size: Int(random.next() % 50_000_000) + 1, references: references + [names[i]])
        }
    }

    @Test(arguments: ["chain", "star", "wide", "diamond", "random"], [1, 2, 3, 7, 20, 99])
    func everyPathExactlyOnceWithinBudget(_ shape: String, _ budget: Int) {
        for (size, seed) in [(1, 1), (5, 2), (40, 3), (250, 4)] as [(Int, UInt64)] {
            let nodes = Self.graph(shape, size: size, seed: seed)
            let layers = LayerPlanner.plan(nodes, budget: budget)
            #expect(layers.count <= budget, "\(shape) \(size) paths, budget \(budget): \(layers.count) layers")
            #expect(layers.count >= 1)
            let all = layers.flatMap { $0 }
            #expect(all.count == nodes.count, "each path once")
            #expect(Set(all) == Set(nodes.map(\.path)))
            #expect(layers.allSatisfy { !$0.isEmpty })
        }
    }

    @Test func largestPathsGetTheirOwnLayers() {
        let nodes = [
            LayerPlanner.Node(path: "/nix/store/a-glibc", size: 30_000_000, references: []),
            LayerPlanner.Node(path: "/nix/store/b-php", size: 60_000_000, references: ["/nix/store/a-glibc", "/nix/store/c-ext"]),
            LayerPlanner.Node(path: "/nix/store/c-ext", size: 100_000, references: ["/nix/store/a-glibc"]),
            LayerPlanner.Node(path: "/nix/store/d-app", size: 10_000, references: ["/nix/store/b-php"]),
        ]
        let layers = LayerPlanner.plan(nodes, budget: 3)
        #expect(layers.count == 3)
        #expect(layers.contains(["/nix/store/b-php"]) || layers.contains { $0.contains("/nix/store/b-php") && !$0.contains("/nix/store/a-glibc") })
        #expect(!layers.contains { $0.contains("/nix/store/a-glibc") && $0.contains("/nix/store/b-php") }, "no catch-all of the big paths")
    }

    @Test func empty() {
        #expect(LayerPlanner.plan([], budget: 5).isEmpty)
    }
}
