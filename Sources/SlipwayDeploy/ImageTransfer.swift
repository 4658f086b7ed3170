import SlipwayCore

/// Sends an image to the host's podman/docker by id: skipped when the host has it; else pulled
/// by digest when the release says where (``ImagePull``) and the host can reach the registry;
/// else a docker-archive streamed from the build record into `ssh host podman load` (no
/// registry, no archive file on either side).
struct ImageTransfer: Sendable {
    let connection: SSHConnection
    let runtime: String

    func send(_ image: ReleaseImage, say: (String) -> Void) async throws {
        let exists = try await connection.attempt(
            "\(runtime) image inspect \(image.id.hex) >/dev/null 2>&1", timeout: 30)
        if exists.succeeded {
            // This target's own tag, so another target's pruning (which untags its own) never removes it.
            try await connection.run(
                "\(runtime) tag \(image.id.hex) \(ShellQuote.word(image.reference))", step: "tag image \(image.name)",
                timeout: 30)
            say("image \(image.name) \(image.id) already on the host")
            return
        }
        if let pull = image.pull, try await self.pull(image, from: pull, say: say) { return }
        say("sending image \(image.name) \(image.id)")
        try await connection.run(
            "\(runtime) load", step: "transfer image \(image.name)",
            input: .stream(image.writeArchive), timeout: 1800)
        let check = try await connection.attempt(
            "\(runtime) image inspect \(image.id.hex) >/dev/null 2>&1", timeout: 30)
        guard check.succeeded else {
            throw DeployError.step(
                host: connection.host.description, step: "transfer image \(image.name)",
                command: "\(runtime) load", lines: ["the host has no image \(image.id) after the load"],
                hint: "check the host's \(runtime) storage and disk space")
        }
    }
}

extension ImageTransfer {
    /// Pulls `pull.reference` on the host and tags it; false (the caller transfers instead) when
    /// the pull fails or brings another image than `image.id`.
    func pull(_ image: ReleaseImage, from pull: ImagePull, say: (String) -> Void) async throws -> Bool {
        say("pulling image \(image.name) \(pull.reference)")
        let tls = runtime == "podman" && !pull.verifyTLS ? " --tls-verify=false" : ""
        let pulled = try await connection.attempt(
            "\(runtime) pull -q\(tls) \(ShellQuote.word(pull.reference)) >/dev/null", timeout: 600)
        let check = try await connection.attempt(
            "\(runtime) image inspect \(image.id.hex) >/dev/null 2>&1", timeout: 30)
        guard pulled.succeeded, check.succeeded else {
            let why = pulled.succeeded ? "it has another image id" : pulled.lastLines(1).first ?? "no output"
            say("the host cannot pull \(pull.reference) (\(why)); sending it instead")
            return false
        }
        try await connection.run(
            "\(runtime) tag \(image.id.hex) \(ShellQuote.word(image.reference))", step: "tag image \(image.name)",
            timeout: 30)
        say("pulled image \(image.name) \(image.id)")
        return true
    }
}

/// Copies a closure with `nix copy --to ssh://HOST` (the legacy `ssh://` store: root on the
/// host may add unsigned paths; field notes §0.8), through the same control connection.
struct ClosureTransfer: Sendable {
    let connection: SSHConnection
    let runner: any CommandRunner

    func send(_ closure: ReleaseClosure, say: (String) -> Void) async throws {
        say("copying closure \(closure.storePath)")
        let argv = [
            "nix", "--extra-experimental-features", "nix-command", "copy", "--to",
            "ssh://" + connection.host.destination, closure.storePath,
        ]
        let options = connection.options.joined(separator: " ")
        let result = try await runner.run(argv, environment: ["NIX_SSHOPTS": options], timeout: 1800)
        guard result.succeeded else {
            let text = result.lastLines().joined(separator: "\n")
            let hint =
                text.contains("signature")
                ? "the host refuses unsigned paths: sign the closure and add the key to its trusted-public-keys, "
                    + "or use root"
                : nil
            throw DeployError.step(
                host: connection.host.description, step: "copy closure",
                command: "NIX_SSHOPTS=… " + argv.joined(separator: " "), lines: result.lastLines(), hint: hint)
        }
    }
}
