/// Groups a closure's store paths into layers, size first (after nixpkgs' auto-layer, PR #355189).
///
/// Repeatedly the largest path not yet chosen becomes a "primary"; every path is then keyed by
/// the set of primaries whose closure contains it, and each distinct key is one layer. This
/// stops before the number of layers would exceed the budget. So big paths (and what only they
/// use) get layers of their own, paths shared by several get shared layers, and nothing ends up
/// in a single catch-all: adding a small leaf moves no existing path to another layer unless
/// it changes who uses it. Each path lands in exactly one layer.
public enum LayerPlanner {
    /// One node of the closure graph (`nix path-info --json --recursive`).
    public struct Node: Sendable, Hashable {
        public var path: String
        /// NAR size in bytes.
        public var size: Int
        public var references: [String]

        public init(path: String, size: Int, references: [String]) {
            self.path = path
            self.size = size
            self.references = references
        }
    }

    /// Layers (each a sorted list of store paths), lowest first: the most shared and largest
    /// groups at the bottom. At most `budget` layers (at least 1 when there are paths).
    public static func plan(_ nodes: [Node], budget: Int) -> [[String]] {
        guard !nodes.isEmpty else { return [] }
        let budget = max(1, budget)
        let index = Dictionary(nodes.enumerated().map { ($1.path, $0) }, uniquingKeysWith: { a, _ in a })
        let count = nodes.count
        // Closure of each node, as a bitset.
        var closures = [[UInt64]?](repeating: nil, count: count)
        let words = (count + 63) / 64
        func closure(_ i: Int) -> [UInt64] {
            if let known = closures[i] { return known }
            var bits = [UInt64](repeating: 0, count: words)
            bits[i / 64] |= 1 << UInt64(i % 64)
            closures[i] = bits  // breaks self-reference cycles
            for reference in nodes[i].references {
                guard let j = index[reference], j != i else { continue }
                let sub = closure(j)
                for w in 0..<words { bits[w] |= sub[w] }
            }
            closures[i] = bits
            return bits
        }
        let bySize = (0..<count).sorted {
            nodes[$0].size != nodes[$1].size ? nodes[$0].size > nodes[$1].size : nodes[$0].path < nodes[$1].path
        }
        func groups(_ primaries: [Int]) -> [[Int]: [Int]] {
            var keyed: [[Int]: [Int]] = [:]
            for i in 0..<count {
                let owners = primaries.filter { closure($0)[i / 64] & (1 << UInt64(i % 64)) != 0 }
                keyed[owners, default: []].append(i)
            }
            return keyed
        }
        var primaries: [Int] = []
        var best = groups([])
        for candidate in bySize {
            let next = groups(primaries + [candidate])
            if next.count > budget { break }
            primaries.append(candidate)
            best = next
        }
        // Order: shared by more primaries first, then larger, then by first path.
        let layers = best.map { owners, members -> (Int, Int, [String]) in
            (owners.count, members.reduce(0) { $0 + nodes[$1].size }, members.map { nodes[$0].path }.sorted())
        }.sorted { a, b in
            if a.0 != b.0 { return a.0 > b.0 }
            if a.1 != b.1 { return a.1 > b.1 }
            return a.2.first ?? "" < b.2.first ?? ""
        }
        return layers.map(\.2)
    }
}
