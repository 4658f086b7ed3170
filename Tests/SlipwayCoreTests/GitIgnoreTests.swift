import Foundation
import Testing
@testable import SlipwayCore

@Suite(".gitignore rules and the project source")
struct GitIgnoreTests {
    @Test(arguments: [
        // pattern, path, is a folder, ignored (nil: no rule matches)
        ("__pycache__/", "app/__pycache__", true, true as Bool?),
        ("__pycache__/", "app/__pycache__", false, nil),          // folders only
        ("*.pyc", "a/b/c.pyc", false, true),                       // a name at any depth
        ("*.pyc", ".hidden.pyc", false, true),                     // `*` matches a leading dot
        ("/build", "build", true, true),                           // anchored at the file's folder
        ("/build", "src/build", true, nil),
        ("doc/*.txt", "doc/a.txt", false, true),                   // a slash in the middle anchors
        ("doc/*.txt", "x/doc/a.txt", false, nil),
        ("doc/*.txt", "doc/sub/a.txt", false, nil),                // `*` stays in one segment
        ("**/logs", "a/b/logs", true, true),
        ("**/logs", "logs", true, true),
        ("a/**/z", "a/z", false, true),
        ("a/**/z", "a/b/.c/z", false, true),                       // `**` enters hidden folders
        ("var/**", "var/cache/x", false, true),
        ("# comment", "# comment", false, nil),
        ("\\#hash", "#hash", false, true),
        ("trailing   ", "trailing", false, true),
        ("\\!bang", "!bang", false, true),
    ])
    func singleRule(pattern: String, path: String, isDirectory: Bool, ignored: Bool?) {
        #expect(GitIgnore(pattern, base: "").verdict(path, isDirectory: isDirectory) == ignored)
    }

    @Test func lastRuleWinsAndNegationReincludes() {
        let rules = GitIgnore("*.log\n!keep.log\n# done\n\nmigrations/generated_*\n", base: "")
        #expect(rules.verdict("a.log", isDirectory: false) == true)
        #expect(rules.verdict("sub/keep.log", isDirectory: false) == false)
        #expect(rules.verdict("migrations/generated_1.py", isDirectory: false) == true)
        #expect(rules.verdict("migrations/0001.py", isDirectory: false) == nil)
    }

    @Test func nestedFilesApplyBelowTheirFolderAndDeeperOnesWin() {
        let root = GitIgnore("*.tmp\n", base: "")
        let nested = GitIgnore("!important.tmp\n/local\n", base: "app")
        #expect(GitIgnore.ignores("app/x.tmp", isDirectory: false, by: [root, nested]))
        #expect(!GitIgnore.ignores("app/important.tmp", isDirectory: false, by: [root, nested]))
        #expect(GitIgnore.ignores("important.tmp", isDirectory: false, by: [root, nested]), "the nested file does not reach up")
        #expect(GitIgnore.ignores("app/local", isDirectory: true, by: [root, nested]))
        #expect(!GitIgnore.ignores("app/sub/local", isDirectory: true, by: [root, nested]), "anchored to app/")
        #expect(!GitIgnore.ignores("local", isDirectory: true, by: [root, nested]))
    }

    /// A project folder with state, a socket, ignored caches and a nested `.gitignore`.
    func makeProject() throws -> String {
        let root = NSTemporaryDirectory() + "slipway-source-\(UUID().uuidString)"
        let fm = FileManager.default
        for dir in ["app/__pycache__", "app/local", ".slipway/state", ".git", "public", "node_modules/x"] {
            try fm.createDirectory(atPath: root + "/" + dir, withIntermediateDirectories: true)
        }
        let files = [
            ".gitignore": "__pycache__/\nnode_modules/\n*.log\n!keep.log\n", "app/.gitignore": "/local\n",
            "app/main.py": "print(1)\n", "app/__pycache__/main.pyc": "x", "app/local/secret": "s",
            "a.log": "l", "keep.log": "k", "poetry.lock": "[[package]]\n", "public/index.html": "<p>",
            "node_modules/x/i.js": "1", ".slipway/state/x": "1", ".git/HEAD": "ref",
        ]
        for (path, text) in files { try text.write(toFile: root + "/" + path, atomically: false, encoding: .utf8) }
        try fm.createSymbolicLink(atPath: root + "/result-app", withDestinationPath: "/nonexistent")
        // A unix socket, as a running service leaves one.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let socketPath = root + "/app/test.sock"
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (i, byte) in socketPath.utf8.enumerated() where i < buffer.count - 1 { buffer[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(fd)
        #expect(bound == 0, "the test needs a socket file")
        return root
    }

    @Test func scanLeavesOutStateSpecialFilesAndIgnoredEntries() throws {
        let root = try makeProject()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let source = ProjectSource.scan(root)
        #expect(source.ignored == [".git", ".slipway", "a.log", "app/__pycache__", "app/local", "app/test.sock", "node_modules", "result-app"])
        #expect(source.kept.map(\.path) == [".gitignore", "app", "app/.gitignore", "app/main.py", "keep.log", "poetry.lock", "public", "public/index.html"])
        #expect(source.excluded(by: ["public", "**/*.py"]) == ["app/main.py", "public"])
        #expect(source.excluded(by: []).isEmpty)
    }

    @Test func fingerprintChangesWithKeptFilesOnly() throws {
        let root = try makeProject()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let before = ProjectSource.scan(root).fingerprint
        try "y".write(toFile: root + "/app/__pycache__/other.pyc", atomically: false, encoding: .utf8)
        try "more".write(toFile: root + "/b.log", atomically: false, encoding: .utf8)
        try "z".write(toFile: root + "/.slipway/state/y", atomically: false, encoding: .utf8)
        #expect(ProjectSource.scan(root).fingerprint == before, "ignored files and state do not count")
        try "[[package]]\nname = \"x\"\n".write(toFile: root + "/poetry.lock", atomically: false, encoding: .utf8)
        #expect(ProjectSource.scan(root).fingerprint != before)
    }
}
