import Foundation
import Testing
@testable import SlipwayPipeline

/// Which `run` strings start without `sh` (make's rule), and that everything else keeps `sh -c`.
@Suite struct SimpleCommandTests {
    let path = "/nonexistent:/usr/bin:/bin"

    @Test func plainWordsAreExecutedDirectly() {
        #expect(SimpleCommand.argv("true", path: path, cwd: "/") == ["/usr/bin/true"])
        #expect(SimpleCommand.argv("  ls\t-la  /tmp  ", path: path, cwd: "/") == ["/usr/bin/ls", "-la", "/tmp"])
        #expect(SimpleCommand.argv("env FOO=bar --x=1,2 a@b%c^d:e+f", path: path, cwd: "/")
            == ["/usr/bin/env", "FOO=bar", "--x=1,2", "a@b%c^d:e+f"])
    }

    @Test func anythingTheShellWouldInterpretKeepsTheShell() {
        for command in ["echo hi", "cd /tmp", "exit 3", "if true", "FOO=1 true", "true; false", "true && false",
                        "true | cat", "ls *.txt", "ls ~", "cat < x", "true > x", "echo $HOME", "ls 'a b'", "ls \"a\"",
                        "ls a\\ b", "true # comment", "true\nfalse", "(true)", "ls `pwd`", "ls [ab]", "ls {a,b}", "ls x?",
                        "! true", "", "   ", "test -f x", "printf x", ". ./env", ": noop"] {
            #expect(SimpleCommand.argv(command, path: path, cwd: "/") == nil, "\(command)")
        }
    }

    @Test func aProgramNotFoundOrNotStartableGoesToTheShell() throws {
        #expect(SimpleCommand.argv("no-such-program-here", path: path, cwd: "/") == nil)
        let dir = NSTemporaryDirectory() + "simple-command-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // No #!: only sh runs it (execve says ENOEXEC), so it is left to sh.
        try "echo plain\n".write(toFile: dir + "/plain", atomically: true, encoding: .utf8)
        try "#!/bin/sh\necho shebang\n".write(toFile: dir + "/shebang", atomically: true, encoding: .utf8)
        for file in ["plain", "shebang"] { chmod(dir + "/" + file, 0o755) }
        #expect(SimpleCommand.argv("plain", path: dir, cwd: "/") == nil)
        #expect(SimpleCommand.argv("shebang a", path: dir, cwd: "/") == [dir + "/shebang", "a"])
        #expect(SimpleCommand.argv("./shebang", path: "", cwd: dir) == [dir + "/./shebang"])
        #expect(SimpleCommand.argv("./missing", path: "", cwd: dir) == nil)
    }

    @Test func argumentsFollowTheShellsRule() {
        // A plain command has no "$@", so sh would ignore the task's arguments; so does the direct start.
        #expect(TaskProcess.argv("true", arguments: ["-k", "x"], environment: ["PATH": path], cwd: "/") == ["/usr/bin/true"])
        #expect(TaskProcess.argv("pytest \"$@\"", arguments: ["-k", "x"], environment: ["PATH": path], cwd: "/")
            == ["/bin/sh", "-c", "pytest \"$@\"", "/bin/sh", "-k", "x"])
    }
}
