import Testing
@testable import SlipwayNix

/// Issue 14 item 3: what of Nix's error output goes under a located diagnostic.
@Suite("Nix error lines")
struct NixErrorLinesTests {
    static let stderr = """
        warning: creating lock file '/p/.slipway/gen/dev/flake.lock'
        • Added input 'nixpkgs':
            'path:/src/nix/offline?lastModified=1&narHash=sha256-abc' (1970-01-01)
        • Removed input 'old':
        • Updated input 'x':
            'path:/a' (1970-01-01)
          → 'path:/b' (1970-01-01)
        warning: Git tree '/p' is dirty
        these 2 derivations will be built:
          /nix/store/aaa-python.drv
          /nix/store/bbb-env.drv
        building '/nix/store/aaa-python.drv'...
        error: builder for '/nix/store/aaa-python.drv' failed with exit code 3;
               last 1 log lines:
               > python build is broken
               For full logs, run 'nix log /nix/store/aaa-python.drv'.
        """

    @Test func keepsNixsErrorWithoutLockChatter() {
        let lines = NixCommand.errorLines(Self.stderr)
        #expect(lines == """
            error: builder for '/nix/store/aaa-python.drv' failed with exit code 3;
                   last 1 log lines:
                   > python build is broken
                   For full logs, run 'nix log /nix/store/aaa-python.drv'.
            """)
    }

    @Test func keepsTheLastLinesAndTextWithoutAnErrorLine() {
        let long = (1...40).map { "error: line \($0)" }.joined(separator: "\n")
        #expect(NixCommand.errorLines(long, limit: 3) == "error: line 38\nerror: line 39\nerror: line 40")
        #expect(NixCommand.errorLines("• Added input 'a':\n    'path:/x'\nsomething odd") == "something odd")
    }
}
