import Foundation
import Testing

extension DeployScenarios {
    /// A secret reaches the app (it serves the value's SHA-256) and appears nowhere else: not in
    /// slipway's output, not in any file of the project (`.slipway/` included), not in the image or
    /// the store, not in the host's journal or process list; its env file is 0600.
    func secretAppearsNowhere() throws {
        let host = try target(10)
        defer { host.stop() }
        let project = try project([host])
        let secret = "s3cr3t-" + UUID().uuidString
        try project.write(.init(content: "secret release"))
        var outputs: [String] = []
        for arguments in [["deploy", "web"], ["deploy", "web", "--dry-run"], ["releases", "web", "--json"],
                          ["deploy", "web", "--status"], ["releases", "web"]] {
            let result = try slipway(arguments, in: project.dir, environment: project.environment(secret: secret))
            outputs.append(result.stdout + result.stderr)
        }
        try expectServing(project, "secret release", "the secret's release")
        let (status, digest) = try http("http://127.0.0.1:\(project.port)/secret.sha")
        #expect(status == 200 && digest.trimmingCharacters(in: .whitespacesAndNewlines) == sha256Hex(secret),
                "the app got DEPLOY_SECRET (its SHA-256 served: '\(digest)')")
        for (n, output) in outputs.enumerated() { #expect(!output.contains(secret), "output \(n) shows the secret") }
        #expect(try filesContaining(secret, under: project.dir).isEmpty, "project files hold the secret")
        #expect(try filesContaining(secret, under: DeployProject.cache).isEmpty, "slipway's cache holds the secret")
        try expectNotOnHost(secret, host, project)
    }

    private func expectNotOnHost(_ secret: String, _ host: DeployTarget, _ project: DeployProject) throws {
        #expect(try host.output("stat -c %a /var/lib/slipway/web/releases/*/env | sort -u") == "600")
        #expect(try host.output("journalctl --no-pager -o cat | grep -c -F '\(secret)' || true") == "0",
                "the host's journal holds the secret")
        #expect(try host.output("ps -eo args | grep -v grep | grep -c -F '\(secret)' || true") == "0",
                "the host's process list shows the secret")
        #expect(try host.output("grep -rl -F '\(secret)' /nix/store 2>/dev/null | head -3") == "",
                "the host's store holds the secret")
        if mode == .image {
            let id = try #require(try releasesJSON(project.dir).first?["current"] as? String)
            let found = try host.output("""
                for i in $(podman images -q --no-trunc); do podman save -q -o /tmp/s.tar $i; \
                grep -a -c -F '\(secret)' /tmp/s.tar; rm -f /tmp/s.tar; done | awk '{ s += $1 } END { print s + 0 }'
                """)
            #expect(found == "0", "an image on the host holds the secret (release \(id)): \(found)")
        } else {
            let id = try #require(try releasesJSON(project.dir).first?["current"] as? String)
            let closure = try run("/usr/bin/env", ["nix-store", "-qR", id], in: project.dir).stdout
                .split(separator: "\n").map(String.init)
            #expect(!closure.isEmpty, "the release \(id) is a store path on this machine")
            for path in closure { #expect(try filesContaining(secret, under: path).isEmpty, "\(path) holds it") }
        }
    }
}

/// Regular files under `root` (symlinks not followed) whose bytes contain `needle`.
func filesContaining(_ needle: String, under root: String) throws -> [String] {
    let bytes = Data(needle.utf8)
    var found: [String] = []
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else { return [] }
    let paths = isDirectory.boolValue
        ? (FileManager.default.subpaths(atPath: root) ?? []).map { root + "/" + $0 } : [root]
    for path in paths {
        guard let kind = try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType,
              kind == .typeRegular, let data = FileManager.default.contents(atPath: path) else { continue }
        if data.range(of: bytes) != nil { found.append(path) }
    }
    return found
}

/// Lower-case hex SHA-256 of `text`, by the machine's `sha256sum`.
func sha256Hex(_ text: String) -> String {
    let result = try? run("/usr/bin/sha256sum", [], in: "/", stdin: text)
    return String(result?.stdout.prefix(64) ?? "")
}
