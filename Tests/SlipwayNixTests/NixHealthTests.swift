import Testing
@testable import SlipwayNix

/// `slipway doctor`'s version rule and the logged command line, without running Nix.
@Suite("Nix health")
struct NixHealthTests {
    @Test(arguments: [
        ("nix (Nix) 2.8.0", true), ("nix (Nix) 2.18.1", true), ("nix (Nix) 3.0", true),
        ("nix (Nix) 2.7.9", false), ("nix (Nix) 1.11", false), ("garbage", false),
    ])
    func versionRule(line: String, recent: Bool) {
        #expect(NixHealth.isRecent(line) == recent)
    }

    @Test func commandLinesQuoteWhatAShellWouldSplit() {
        #expect(NixCommand.commandLine(["/usr/bin/nix", "--extra-experimental-features", "nix-command flakes", "eval", "--expr", "a ? b", "it's", ""])
            == "/usr/bin/nix --extra-experimental-features 'nix-command flakes' eval --expr 'a ? b' 'it'\\''s' ''")
        #expect(NixCommand.commandLine(["build", "path:.#slipway.packages.busybox"]) == "build path:.#slipway.packages.busybox")
    }
}
