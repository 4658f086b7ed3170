import Foundation
import Testing

/// A small project with one `[deploy.web]` target, written into a temporary folder; each call of
/// ``write(_:)`` makes the next release. Both modes run the same busybox `httpd` app: image mode
/// from an image whose `/site` is an artifact of `site/` (the release differs by
/// `site/www/index.html`), closure mode from a Nix package whose text carries the content.
struct DeployProject {
    enum Mode: String, Sendable, CustomTestStringConvertible {
        case image, closure
        var testDescription: String { rawValue }
    }

    /// What the release's app does when started.
    enum Behaviour {
        /// Serves `content` at `/`, `ok` at `/health`, the secret's SHA-256 at `/secret.sha`, and
        /// `$SLIPWAY_RELEASE` at `/release`.
        case good
        /// Sleeps `seconds` first, then serves like `.good`.
        case slow(seconds: Int)
        /// Exits 3 at once.
        case crash
        /// Serves, but `/health` is missing (404).
        case neverHealthy
    }

    struct Release {
        var content: String
        var behaviour = Behaviour.good
        /// The port of the health URL; `nil`: the app's own port.
        var healthPort: Int?
    }

    let dir: String
    let mode: Mode
    var hosts: [String]
    /// The app's HTTP port on the host (127.0.0.1:port).
    let port: Int
    var keep = 5
    /// The dead-man delay: slipway requires more than its start timeout (30 s) + the health timeout (8 s).
    var confirm = 45
    /// Extra `key = value` lines of `[deploy.web]` (e.g. `nixos = true`).
    var deployExtra = ""
    /// The environment variable the secret `DEPLOY_SECRET` is read from at deploy time.
    static let secretVariable = "SLIPWAY_TEST_DEPLOY_SECRET"

    init(mode: Mode, hosts: [String], port: Int = freeLoopbackPort()) throws {
        self.dir = try temporaryDirectory()
        self.mode = mode
        self.hosts = hosts
        self.port = port
    }

    /// One layer/evaluation cache for every deploy test's project (content-addressed, so shared
    /// safely): later projects build their images in a fraction of the first one's time.
    static let cache = NSTemporaryDirectory() + "slipway-deploy-test-cache"

    /// The environment every slipway call of this project gets.
    func environment(secret: String = "not-a-real-secret") -> [String: String?] {
        ["XDG_CACHE_HOME": Self.cache, Self.secretVariable: secret]
    }

    /// Writes the manifest (and `site/`) for `release`.
    func write(_ release: Release) throws {
        var text = header + (mode == .image ? try imageSection(release) : closureSection(release))
        text += deploySection(release)
        try text.replacingOccurrences(of: "@OFFLINE@", with: repositoryRoot + "/nix/offline")
            .write(toFile: dir + "/slipway.toml", atomically: true, encoding: .utf8)
    }

    private var header: String {
        """
        [project]
        name = "deploytest"
        [nix]
        nixpkgs = "@OFFLINE@"
        [packages]
        busybox = "busybox"
        [profiles.prod.env]
        APP_ENV = "prod"

        """
    }

    /// The app as busybox sh; `bb` is how it names busybox.
    private func script(_ release: Release, bb: String) -> String {
        var lines = ["d=/tmp/deploytest-www", "mkdir -p /tmp", "rm -rf $d", "mkdir -p $d"]
        switch release.behaviour {
        case .crash: return "echo 'deploytest: crashing on purpose' >&2\nexit 3\n"
        case .slow(let seconds): lines.append("\(bb) sleep \(seconds)")
        case .good, .neverHealthy: break
        }
        lines.append("echo '\(release.content)' > $d/index.html")
        if case .neverHealthy = release.behaviour {} else { lines.append("echo ok > $d/health") }
        lines.append("printf %s \"$DEPLOY_SECRET\" | \(bb) sha256sum | \(bb) cut -c1-64 > $d/secret.sha")
        lines.append("echo \"$SLIPWAY_RELEASE\" > $d/release")
        // In a container the app listens on every address of its own network (the port is published on
        // 127.0.0.1); a closure's app runs on the host itself.
        lines.append("exec \(bb) httpd -f -p \(mode == .image ? "" : "127.0.0.1:")\(port) -h $d")
        return lines.joined(separator: "\n") + "\n"
    }

    private func imageSection(_ release: Release) throws -> String {
        let www = dir + "/site/www"
        try FileManager.default.createDirectory(atPath: www, withIntermediateDirectories: true)
        try "\(release.content)\n".write(toFile: www + "/index.html", atomically: true, encoding: .utf8)
        try script(release, bb: "busybox").write(toFile: dir + "/site/start.sh", atomically: true, encoding: .utf8)
        return """
            [artifacts.site]
            include = ["site"]
            nix = \"\"\"
              runCommand "deploytest-site" { } ''
                mkdir -p $out
                cp -r ${src}/site $out/site
              ''
            \"\"\"
            [images.web]
            contents = ["busybox", "artifact:site"]
            entrypoint = ["busybox", "sh", "/site/start.sh"]

            """
    }

    private func closureSection(_ release: Release) -> String {
        let body = script(release, bb: "${busybox}/bin/busybox")
        return """
            [packages.app]
            nix = \"\"\"
              writeTextFile {
                name = "deploytest-app";
                executable = true;
                destination = "/bin/deploytest-app";
                text = ''
                  #!${busybox}/bin/sh
            \(body.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n"))
                '';
              }
            \"\"\"
            [services.app]
            command = "exec deploytest-app"

            """
    }

    private func deploySection(_ release: Release) -> String {
        let hostList = hosts.map { "\"\($0)\"" }.joined(separator: ", ")
        var text = """
            [deploy.web]
            hosts = [\(hostList)]
            mode = "\(mode.rawValue)"
            keep = \(keep)

            """
        text += mode == .image
            ? "images = [\"web\"]\n[deploy.web.image.web]\nports = [\"127.0.0.1:\(port):\(port)\"]\n"
            : "service = \"app\"\n"
        text += deployExtra
        return text + """
            [deploy.web.health]
            http = "http://127.0.0.1:\(release.healthPort ?? port)/health"
            timeout = "8s"
            confirm = "\(confirm)s"
            [deploy.web.env]
            DEPLOYTEST_PLAIN = "plain-value"
            [deploy.web.secrets]
            DEPLOY_SECRET = { env = "\(Self.secretVariable)" }
            \(DeployTarget.sshTable)

            """
    }
}
