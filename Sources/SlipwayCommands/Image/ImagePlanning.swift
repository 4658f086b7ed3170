import Foundation
import SlipwayCore
import SlipwayEnvironment
import SlipwayManifest
import SlipwayNix
import SlipwayOCI

/// Turns `[images.NAME]` into an ``ImagePlan``: builds the profile, finds the contents' store
/// paths and closure, and generates the customisation and project layers.
struct ImagePlanning {
    let layout: ProjectLayout
    let manifest: Manifest
    let displayName: String

    /// The build record's path.
    func recordPath(_ name: String) -> String { layout.imageRecord(name: name) }

    func plan(_ spec: ImageSpec) async throws -> ImagePlan {
        let resolver = EnvironmentResolver(layout: layout) { Terminal.status($0) }
        let cached = try await resolver.environment(profile: spec.profile)
        let resolved = try manifest.resolve(profile: spec.profile)
        // Contents: package keys of the profile.
        var packages: [ProfileBuild.Package] = []
        var artifactPaths: [String] = []
        if let contents = spec.contents {
            var problems: [Diagnostic] = []
            let artifacts = try manifest.artifacts()
            for (key, location) in contents {
                if key.hasPrefix("artifact:") {
                    let name = String(key.dropFirst("artifact:".count))
                    guard let artifact = artifacts.first(where: { $0.name == name }) else {
                        let near = Spelling.closest(to: name, in: artifacts.map(\.name)).map { "; did you mean 'artifact:\($0)'?" } ?? ""
                        problems.append(Diagnostic(.invalidValue(key: "images.\(spec.name).contents", reason: "no [artifacts.\(name)]\(near)"), at: location))
                        continue
                    }
                    Terminal.status("building artifact \(name)")
                    let backend = NixBackend(nix: try NixCommand.locate(), layout: layout, manifest: manifest)
                    let built = try await backend.buildArtifact(artifact)
                    packages.append(ProfileBuild.Package(key: key, outputs: built.outputs))
                    artifactPaths += built.storePaths.prefix(1)
                } else if let package = cached.build.packages.first(where: { $0.key == key }) {
                    packages.append(package)
                } else {
                    let known = cached.build.packages.map(\.key)
                    let near = Spelling.closest(to: key, in: known).map { "; did you mean '\($0)'?" } ?? ""
                    problems.append(Diagnostic(.invalidValue(
                        key: "images.\(spec.name).contents",
                        reason: "profile '\(spec.profile)' has no package '\(key)'\(near) (it has: \(known.joined(separator: ", ")))"), at: location))
                }
            }
            if !problems.isEmpty { throw ManifestError.invalid(problems) }
        } else {
            packages = cached.build.packages
        }
        let storePaths = packages.flatMap(\.storePaths)
        var extraNames: [String] = []
        if spec.caCertificates { extraNames.append("cacert") }
        if spec.zoneinfo { extraNames.append("tzdata") }
        let (extras, nodes) = try await closure(storePaths: storePaths, extraNames: extraNames, resolved: resolved, environmentKey: cached.key)

        let user = spec.user
        func owner(_ name: String?, at location: SourceLocation) throws -> (Int, Int, String?) {
            guard let name, name != "root" else { return (0, 0, nil) }
            guard let user, user.name == name else {
                throw ManifestError.invalid([Diagnostic(.invalidValue(
                    key: "images.\(spec.name)", reason: "owner '\(name)' is neither root nor the image's user"), at: location)])
            }
            return (user.uid, user.gid, user.name)
        }
        var entries: [TarEntry] = []
        func file(_ path: String, _ text: String, mode: UInt32 = 0o644) {
            entries.append(TarEntry(name: path, kind: .bytes(Array(text.utf8)), mode: mode))
        }
        func link(_ path: String, _ target: String) {
            entries.append(TarEntry(name: path, kind: .symlink(target: target), mode: 0o777))
        }
        var passwd = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
        var group = "root:x:0:\nnogroup:x:65534:\n"
        if let user {
            passwd += "\(user.name):x:\(user.uid):\(user.gid)::/home/\(user.name):/bin/sh\n"
            group += "\(user.name):x:\(user.gid):\n"
            entries.append(TarEntry(name: "home/\(user.name)", kind: .directory, mode: 0o755, uid: user.uid, gid: user.gid, uname: user.name, gname: user.name))
        }
        file("etc/passwd", passwd)
        file("etc/group", group)
        entries.append(TarEntry(name: "root", kind: .directory, mode: 0o700))
        if spec.tmp {
            entries.append(TarEntry(name: "tmp", kind: .directory, mode: 0o1777))
            entries.append(TarEntry(name: "var/tmp", kind: .directory, mode: 0o1777))
        }
        if spec.nsswitch {
            file("etc/nsswitch.conf", "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n")
        }
        let bins = storePaths.flatMap { path in ["bin", "sbin"].compactMap { sub in
            FileManager.default.fileExists(atPath: path + "/" + sub) ? path + "/" + sub : nil } }
        func find(_ program: String) -> String? {
            bins.map { $0 + "/" + program }.first { FileManager.default.fileExists(atPath: $0) }
        }
        if spec.binSh, let shell = find("sh") ?? find("bash") { link("bin/sh", shell) }
        if spec.usrBinEnv, let env = find("env") { link("usr/bin/env", env) }
        var extraEnv: [String: String] = [:]
        if let cacert = extras["cacert"] {
            let bundle = cacert + "/etc/ssl/certs/ca-bundle.crt"
            link("etc/ssl/certs/ca-certificates.crt", bundle)
            link("etc/ssl/certs/ca-bundle.crt", bundle)
            link("etc/pki/tls/certs/ca-bundle.crt", bundle)
            link("etc/ssl/cert.pem", bundle)
            extraEnv["SSL_CERT_FILE"] = "/etc/ssl/certs/ca-certificates.crt"
        }
        if let tzdata = extras["tzdata"] {
            link("usr/share/zoneinfo", tzdata + "/share/zoneinfo")
            extraEnv["TZDIR"] = "/usr/share/zoneinfo"
        }
        for folder in spec.dirs {
            let (uid, gid, name) = try owner(folder.owner, at: folder.location)
            entries.append(TarEntry(name: String(folder.path.dropFirst()), kind: .directory, mode: folder.mode, uid: uid, gid: gid, uname: name, gname: name))
        }
        // An artifact's top-level entries are linked at the image root (like dockerTools'
        // `contents` and nix2container's `copyToRoot`): `$out/app` becomes `/app`. Into folders
        // the image generates anyway (`etc`, a `dirs` entry), links go one level deeper.
        func linkTree(_ storeDir: String, _ relative: String) {
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: storeDir)) ?? []).sorted() {
                let path = relative.isEmpty ? name : relative + "/" + name
                var isDirectory: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: storeDir + "/" + name, isDirectory: &isDirectory)
                if isDirectory.boolValue, entries.contains(where: { $0.name == path || $0.name.hasPrefix(path + "/") }) {
                    if !entries.contains(where: { $0.name == path }) { entries.append(TarEntry(name: path, kind: .directory, mode: 0o755)) }
                    linkTree(storeDir + "/" + name, path)
                } else if !entries.contains(where: { $0.name == path }) {
                    link(path, storeDir + "/" + name)
                }
            }
        }
        for path in artifactPaths { linkTree(path, "") }
        // The project's own files: one top layer.
        if !spec.copy.isEmpty && spec.maxLayers < 3 {
            throw ManifestError.invalid([Diagnostic(.invalidValue(
                key: "images.\(spec.name).max_layers",
                reason: "with 'copy', an image needs at least 3 layers (store paths, customisation, project files)"), at: spec.location)])
        }
        var generated = LayerTree()
        for entry in entries { try? generated.add(entry, origin: "generated") }
        let realRoot = URL(fileURLWithPath: layout.root).resolvingSymlinksInPath().path
        var project = LayerTree()
        for copy in spec.copy {
            func problem(_ reason: String) -> ManifestError {
                .invalid([Diagnostic(.invalidValue(key: "images.\(spec.name).copy", reason: reason), at: copy.location)])
            }
            guard FileManager.default.fileExists(atPath: copy.source) else { throw problem("\(copy.source) does not exist") }
            let real = URL(fileURLWithPath: copy.source).resolvingSymlinksInPath().path
            guard real == realRoot || real.hasPrefix(realRoot + "/") else {
                throw problem("\(copy.source) leads outside the project folder (through a symbolic link to \(real))")
            }
            let (uid, gid, name) = try owner(copy.owner, at: copy.location)
            var single = LayerTree()
            do {
                try single.addProjectTree(source: copy.source, destination: copy.destination, uid: uid, gid: gid, user: name,
                                          fileMode: copy.mode, origin: "copy at \(copy.location)")
                if let clash = generated.conflicts(with: single).first(where: { !(generated.entries[String($0.0.dropFirst())]?.kind == .directory) }) {
                    throw problem("it copies onto \(clash.0), which the image generates; copy elsewhere, or turn the generated file off")
                }
                for entry in single.sorted { try project.add(entry, origin: "copy at \(copy.location)") }
            } catch let error as ImageError {
                throw problem(error.message)
            }
        }
        // Parent folders the project layer must list take the customisation's owner and mode
        // (a `dirs` entry), not root's defaults, which would override it from the top layer.
        for name in Array(project.entries.keys) {
            var parts = name.split(separator: "/").dropLast()
            while !parts.isEmpty {
                let parent = parts.joined(separator: "/")
                if project.entries[parent] == nil, let folder = generated.entries[parent], folder.kind == .directory {
                    try? project.add(folder, origin: "dirs")
                }
                parts = parts.dropLast()
            }
        }
        let projectLayers = project.entries.isEmpty ? [] : [project.sorted]

        // Environment: PATH of the contents, the profile's env, the image's env.
        var env: [String: String] = [
            "PATH": (bins + ["/usr/local/bin", "/usr/bin", "/bin"]).joined(separator: ":"),
            "SLIPWAY_PROFILE": spec.profile,
        ]
        for (key, value) in extraEnv { env[key] = value }
        var order = ["PATH", "SLIPWAY_PROFILE"] + extraEnv.keys.sorted()
        for entry in cached.env + spec.env.map({ CachedEnvironment.Entry(name: $0.name, value: $0.value) }) {
            env[entry.name] = EnvironmentExpansion.expand(entry.value) { env[$0] }
            if !order.contains(entry.name) { order.append(entry.name) }
        }
        let config = ImageConfiguration.Config(
            User: user.map { "\($0.uid):\($0.gid)" }, Env: order.compactMap { name in env[name].map { "\(name)=\($0)" } },
            Entrypoint: spec.entrypoint, Cmd: spec.cmd, WorkingDir: spec.workdir,
            ExposedPorts: spec.ports.isEmpty ? nil : Dictionary(uniqueKeysWithValues: spec.ports.map { ($0, EmptyObject()) }),
            Labels: spec.labels.isEmpty ? nil : spec.labels)
        let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap(Int.init) ?? 1
        let architecture = NixBackend.currentSystem().hasPrefix("aarch64") ? "arm64" : "amd64"
        return ImagePlan(
            name: spec.name, profile: spec.profile, closure: nodes, customisation: entries, projectLayers: projectLayers,
            config: config, maxLayers: spec.maxLayers, compression: Compression(rawValue: spec.compression) ?? .gzip,
            mtime: epoch, architecture: architecture, tags: spec.tags)
    }

    /// The extras' store paths and the closure graph, from Nix, or from a cache keyed by the
    /// profile's environment key (so a rebuild after an app-only change runs no Nix at all).
    private func closure(
        storePaths: [String], extraNames: [String], resolved: ResolvedProfile, environmentKey: String
    ) async throws -> ([String: String], [LayerPlanner.Node]) {
        struct Cached: Codable {
            var extras: [String: String]
            var nodes: [Node]
            struct Node: Codable { var path: String; var size: Int; var references: [String] }
        }
        let key = Digest.of(Array((environmentKey + "\n" + storePaths.joined(separator: "\n") + "\n" + extraNames.joined(separator: ",")).utf8)).hex
        let path = layout.closureCache(key: key)
        if let data = FileManager.default.contents(atPath: path), let hit = try? JSONDecoder().decode(Cached.self, from: data),
           hit.nodes.allSatisfy({ access($0.path, F_OK) == 0 }) {
            return (hit.extras, hit.nodes.map { LayerPlanner.Node(path: $0.path, size: $0.size, references: $0.references) })
        }
        let backend = NixBackend(nix: try NixCommand.locate(), layout: layout, manifest: manifest)
        let extras = try await backend.buildExtras(extraNames, profile: resolved)
        let closure = try await backend.closure(of: storePaths + extras.values.sorted())
        let nodes = closure.map { LayerPlanner.Node(path: $0.path, size: $0.narSize, references: $0.references) }
        let entry = Cached(extras: extras, nodes: nodes.map { .init(path: $0.path, size: $0.size, references: $0.references) })
        if let data = try? JSONEncoder().encode(entry) { try? data.write(to: URL(fileURLWithPath: path), options: .atomic) }
        return (extras, nodes)
    }

    /// `localhost/<project>-<image>:latest`, or the image's first tag.
    func defaultReference(_ record: BuildRecord) -> String {
        if let first = record.tags.first { return first.contains(":") ? first : first + ":latest" }
        let project = (manifest.project.name ?? (layout.root as NSString).lastPathComponent).lowercased()
        return "localhost/\(project)-\(record.name):latest"
    }
}
