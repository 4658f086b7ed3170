import Foundation

/// `slipway.lock`: the pins of a project's flake inputs, in Nix's `flake.lock` format (version 7).
///
/// Local `path:` inputs are not pinned: they live with the project (or beside it) and are read
/// as they are on each build, like the project's own files. Every other input keeps the
/// `locked` entry (revision and `narHash`) Nix chose, until `slipway update`.
public enum LockFile {
    /// The lock without `path:` nodes, as canonical JSON (sorted keys, two-space indent, newline).
    ///
    /// - Parameter flakeLock: the bytes of a `flake.lock` written by Nix.
    /// - Returns: `nil` when the bytes are not a lock file Slipway understands.
    public static func portable(_ flakeLock: Data) -> Data? {
        guard var lock = (try? JSONSerialization.jsonObject(with: flakeLock)) as? [String: Any],
              var nodes = lock["nodes"] as? [String: Any] else { return nil }
        let local = nodes.compactMap { name, node -> String? in
            guard let locked = (node as? [String: Any])?["locked"] as? [String: Any] else { return nil }
            return locked["type"] as? String == "path" ? name : nil
        }
        for name in local { nodes.removeValue(forKey: name) }
        for (name, node) in nodes {
            guard var node = node as? [String: Any], var inputs = node["inputs"] as? [String: Any] else { continue }
            for (input, target) in inputs where (target as? String).map(local.contains) ?? false {
                inputs.removeValue(forKey: input)
            }
            node["inputs"] = inputs
            nodes[name] = node
        }
        lock["nodes"] = nodes
        guard var data = try? JSONSerialization.data(withJSONObject: lock, options: [.prettyPrinted, .sortedKeys])
        else { return nil }
        data.append(0x0A)
        return data
    }
}
