import Foundation

/// `slipway.lock`: the pins of a project's flake inputs, in Nix's `flake.lock` format (version 7).
///
/// Local `path:` inputs are not pinned: they live with the project (or beside it) and are read
/// as they are on each build, like the project's own files. Neither are Git inputs locked without
/// a revision (a dirty work tree): Nix 2.8 writes them, Nix 2.26 refuses such a lock ("Lock file
/// contains unlocked input") and writes none. Every other input keeps the `locked` entry
/// (revision and `narHash`) Nix chose, until `slipway update`, in the attributes every supported
/// Nix reads: a `tarball` or `file` input keeps `type`, `url`, `narHash` and `name` only (Nix 2.26
/// adds `lastModified`, and `rev` for immutable tarball URLs, which Nix 2.8 rejects:
/// "unsupported tarball input attribute 'lastModified'").
public enum LockFile {
    /// What Nix 2.8 accepts in the `locked` entry of a `tarball` or `file` input.
    static let curlAttributes: Set<String> = ["type", "url", "narHash", "name"]

    /// The lock without local nodes, readable by Nix 2.8 and newer, as canonical JSON (sorted
    /// keys, two-space indent, newline).
    ///
    /// - Parameter flakeLock: the bytes of a `flake.lock` written by Nix (or a `slipway.lock`).
    /// - Returns: `nil` when the bytes are not a lock file Slipway understands.
    public static func portable(_ flakeLock: Data) -> Data? {
        guard var lock = (try? JSONSerialization.jsonObject(with: flakeLock)) as? [String: Any],
              var nodes = lock["nodes"] as? [String: Any] else { return nil }
        let local = nodes.compactMap { name, node -> String? in
            guard let locked = (node as? [String: Any])?["locked"] as? [String: Any] else { return nil }
            return isLocal(locked) ? name : nil
        }
        for name in local { nodes.removeValue(forKey: name) }
        for (name, node) in nodes {
            guard var node = node as? [String: Any], let locked = node["locked"] as? [String: Any],
                  let type = locked["type"] as? String, type == "tarball" || type == "file" else { continue }
            node["locked"] = locked.filter { curlAttributes.contains($0.key) }
            nodes[name] = node
        }
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

    /// A `path:` input, or a Git or Mercurial input locked without a revision.
    static func isLocal(_ locked: [String: Any]) -> Bool {
        switch locked["type"] as? String {
        case "path": true
        case "git", "hg": locked["rev"] == nil
        default: false
        }
    }
}
