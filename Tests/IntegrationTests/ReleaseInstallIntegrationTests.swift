import Foundation
import Testing

/// The install lines `slipway ci generate gitlab` writes, run as a job runs them: the release
/// binary (from `scripts/release`'s tarball in `dist/`, which `scripts/test` makes before the
/// integration tests) generates the file, so the pin is its own SHA-256; the job's
/// `before_script` then downloads that tarball (here from a `file://` mirror, as
/// `SLIPWAY_RELEASE_URL` allows), checks `bin/slipway` and installs it into `/usr/local/bin` —
/// inside a private mount namespace with a tmpfs there, so this machine's `/usr/local/bin` is
/// never touched. A changed checksum must stop the job before anything is installed.
@Suite(.tags(.integration), .serialized)
struct ReleaseInstallIntegrationTests {
    /// `dist/<name>.tar.gz`, or a recorded failure saying how to make it.
    static func releaseTarball() throws -> String? {
        let name = try run("/bin/bash", [repositoryRoot + "/scripts/release", "--name"], in: repositoryRoot)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let tarball = repositoryRoot + "/dist/" + name + ".tar.gz"
        guard FileManager.default.fileExists(atPath: tarball) else {
            Issue.record("no release tarball at \(tarball): run `bash scripts/release --out dist` first (scripts/test does)")
            return nil
        }
        return tarball
    }

    /// The value of `NAME: VALUE` under the generated file's top-level `variables:`.
    static func variable(_ name: String, in text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix("  \(name): ") {
            return String(line.dropFirst(name.count + 4)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    /// The build job's `before_script` lines (`  - ...` after `  before_script:`).
    static func beforeScript(in text: String) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: "  before_script:") else { return [] }
        return lines[(start + 1)...].prefix { $0.hasPrefix("  - ") }.map { String($0.dropFirst(4)) }
    }

    /// Runs the job's install lines, then `slipway --version`, with a tmpfs on /usr/local/bin.
    static func runInstall(_ lines: [String], variables: [String: String], in dir: String) throws -> RunResult {
        let exports = variables.sorted { $0.key < $1.key }.map { "export \($0.key)='\($0.value)'" }
        let script = (["set -eo pipefail"] + exports + lines + ["slipway --version", "command -v slipway"]).joined(separator: "\n")
        try script.write(toFile: dir + "/job.sh", atomically: true, encoding: .utf8)
        let inner = "mount -t tmpfs slipway-test /usr/local/bin && exec env -i PATH=/usr/bin:/bin HOME=\(dir) bash \(dir)/job.sh"
        return try run("/usr/bin/unshare", ["--mount", "--propagation", "private", "/bin/bash", "-c", inner], in: dir)
    }

    @Test func theGeneratedJobInstallsExactlyTheBinaryThatGeneratedIt() throws {
        guard let tarball = try Self.releaseTarball() else { return }
        let dir = try exampleCopy("guestbook")
        let unpacked = try temporaryDirectory()
        #expect(try run("/bin/tar", ["-xzf", tarball, "-C", unpacked], in: dir).status == 0)
        let folder = ((tarball as NSString).lastPathComponent as NSString).deletingPathExtension
        let release = unpacked + "/" + (folder as NSString).deletingPathExtension + "/bin/slipway"
        let generated = try run(release, ["ci", "generate", "gitlab"], in: dir)
        try #require(generated.status == 0, "\(generated.stderr)")
        let text = generated.stdout
        let lines = Self.beforeScript(in: text)
        #expect(lines.count == 2 && lines[0].contains("sha256sum -c -"), "\(lines)")
        let sha = try #require(Self.variable("SLIPWAY_SHA256", in: text))
        let own = try run("/usr/bin/sha256sum", [release], in: dir).stdout.prefix(64)
        #expect(sha == String(own), "the pin is the generating binary's own SHA-256")
        var variables = ["SLIPWAY_VERSION", "SLIPWAY_SHA256", "SLIPWAY_FLAKE"].reduce(into: [String: String]()) {
            $0[$1] = Self.variable($1, in: text) ?? "missing"
        }
        variables["SLIPWAY_RELEASE_URL"] = "file://" + (tarball as NSString).deletingLastPathComponent

        let installed = try Self.runInstall(lines, variables: variables, in: dir)
        #expect(installed.status == 0, "\(installed.stdout)\n\(installed.stderr)")
        let version = try run(release, ["--version"], in: dir).stdout
        #expect(installed.stdout.contains(version.trimmingCharacters(in: .whitespacesAndNewlines)), "\(installed.stdout)")
        #expect(installed.stdout.contains("/usr/local/bin/slipway"), "\(installed.stdout)")

        variables["SLIPWAY_SHA256"] = String(repeating: "a", count: 64)
        let refused = try Self.runInstall(lines, variables: variables, in: dir)
        #expect(refused.status == 1, "a wrong checksum stops the job at the install: \(refused.stdout)\n\(refused.stderr)")
        #expect(refused.stdout.contains("FAILED") || refused.stderr.contains("FAILED"), "\(refused.stdout)\n\(refused.stderr)")
        #expect(!refused.stdout.contains("/usr/local/bin/slipway"), "nothing was installed: \(refused.stdout)")
    }

    /// The repository's `flake.nix`: `nix build <repo>#default` and `nix run <repo>` with the
    /// offline package set and this release tarball as overrides give a working `slipway`
    /// whose interpreter is the package set's glibc.
    @Test func theRootFlakeBuildsAndRunsTheRelease() throws {
        guard let tarball = try Self.releaseTarball() else { return }
        let dir = try temporaryDirectory()
        let nix = ["--extra-experimental-features", "nix-command flakes"]
        let overrides = [
            "--override-input", "nixpkgs", "path:\(repositoryRoot)/nix/offline",
            "--override-input", "release", "file://\(tarball)", "--no-write-lock-file",
        ]
        let ref = "git+file://\(repositoryRoot)"
        let built = try run("/usr/bin/env", ["nix"] + nix + ["build", ref + "#default", "--out-link", dir + "/result"] + overrides, in: dir)
        try #require(built.status == 0, "\(built.stderr)")
        let version = try run(dir + "/result/bin/slipway", ["--version"], in: dir)
        #expect(version.status == 0 && version.stdout.hasPrefix("0."), "\(version.stdout)\(version.stderr)")
        let elf = try run("/usr/bin/readelf", ["-l", dir + "/result/bin/slipway"], in: dir).stdout
        #expect(elf.contains("interpreter: /nix/store/"), "the interpreter is the package set's glibc: \(elf)")
        let ran = try run("/usr/bin/env", ["nix"] + nix + ["run", ref] + overrides + ["--", "--version"], in: dir)
        #expect(ran.status == 0 && ran.stdout == version.stdout, "\(ran.stdout)\(ran.stderr)")
        #expect(!FileManager.default.fileExists(atPath: repositoryRoot + "/flake.lock"), "no lock file written into the checkout")
    }
}
