import Foundation
import SlipwayCore
import SlipwayManifest

/// Builds a profile's packages with Nix and keeps them alive.
///
/// Steps (all under `.slipway/`): write the generated flake (``FlakeGenerator``) and the pins
/// from `slipway.lock`; `nix build --json --out-link gcroots/<profile>/pkg` (indirect GC roots,
/// so `nix-collect-garbage` keeps them); read the closure with `nix path-info --json
/// --recursive`; write back `slipway.lock` if Nix pinned something new.
public struct NixBackend: Sendable {
    public let nix: NixCommand
    public let layout: ProjectLayout
    public let manifest: Manifest
    public let system: String

    public init(nix: NixCommand, layout: ProjectLayout, manifest: Manifest, system: String = NixBackend.currentSystem()) {
        var nix = nix
        nix.options = manifest.nix.commandOptions
        self.nix = nix
        self.layout = layout
        self.manifest = manifest
        self.system = system
    }

    /// The generated flake, relative to its folder (Nix runs there): Nix 2.8 takes `path:` URLs
    /// literally, so an absolute path with a space or `#` in it would not parse.
    static let generatedFlakeRef = "path:."

    /// The Nix system double of this machine, e.g. `x86_64-linux`.
    public static func currentSystem() -> String {
        var name = utsname()
        uname(&name)
        let machine = withUnsafeBytes(of: &name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let kernel = withUnsafeBytes(of: &name.sysname) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let arch = machine == "arm64" ? "aarch64" : machine
        return "\(arch)-\(kernel == "Darwin" ? "darwin" : "linux")"
    }

    /// Builds every package of `profile`.
    ///
    /// - Returns: each package's outputs and the closure of all of them.
    /// - Throws: ``NixError/packages(_:)`` naming the package key and its manifest line when an
    ///   attribute is missing or a package fails; other ``NixError`` cases for Nix itself.
    public func build(_ profile: ResolvedProfile) async throws(NixError) -> ProfileBuild {
        let generated = generate(profile)
        let genDir = layout.generatedFlakeDir(profile: profile.name)
        try prepare(genDir: genDir, flake: generated.text)
        let flakeURL = NixBackend.generatedFlakeRef
        if profile.packages.isEmpty {
            do {
                try await nix.run(["flake", "lock", flakeURL], workingDirectory: genDir)
            } catch {
                throw unreadablePackageSet(error) ?? error
            }
            try syncLock(genDir: genDir)
            return ProfileBuild(profile: profile.name, packages: [], closure: [])
        }
        let rootDir = layout.gcRootDir(profile: profile.name)
        try? FileManager.default.removeItem(atPath: rootDir)
        try makeDirectory(rootDir)
        let installables = profile.packages.map { "\(flakeURL)#slipway.packages.\($0.key)" }
        // A package expression that reads the project folder (`src`) needs an impure evaluation.
        let impure = FlakeGenerator.packagesUseSource(profile) ? ["--impure"] : []
        let output: NixCommand.Output
        do {
            output = try await nix.run(["build", "--json"] + impure + ["--out-link", rootDir + "/pkg"] + installables, workingDirectory: genDir)
        } catch {
            throw await explain(error, profile: profile, flakeURL: flakeURL, generated: generated)
        }
        try syncLock(genDir: genDir)
        let drvPaths = try await derivations(genDir, attribute: "slipway.drvPaths", impure: !impure.isEmpty)
        let packages = try parseBuild(output.stdout, keys: profile.packages.map(\.key), drvPaths: drvPaths)
        let closure = try await closure(of: packages.flatMap(\.storePaths))
        return ProfileBuild(profile: profile.name, packages: packages, closure: closure)
    }

    /// Re-pins every input (`slipway update`): drops the old pins and lets Nix lock anew.
    /// - Throws: ``NixError`` when Nix cannot lock an input.
    public func update() async throws(NixError) {
        let profile: ResolvedProfile
        do {
            profile = try manifest.resolve(profile: Manifest.defaultProfile)
        } catch {
            throw .io(path: layout.manifest, reason: error.message)
        }
        let generated = generate(profile)
        let genDir = layout.generatedFlakeDir(profile: profile.name)
        try prepare(genDir: genDir, flake: generated.text, usePins: false)
        try await nix.run(["flake", "lock", NixBackend.generatedFlakeRef], workingDirectory: genDir)
        try syncLock(genDir: genDir)
    }

    /// Builds extra attributes of the package set (e.g. `cacert`, `tzdata`) for an image of
    /// `profile`, keeping GC roots. Names the package set lacks are left out of the result.
    /// - Returns: attribute name to store path.
    /// - Throws: ``NixError`` when Nix fails.
    public func buildExtras(_ names: [String], profile: ResolvedProfile) async throws(NixError) -> [String: String] {
        guard !names.isEmpty else { return [:] }
        let generated = generate(profile)
        let genDir = layout.generatedFlakeDir(profile: profile.name)
        try prepare(genDir: genDir, flake: generated.text)
        let flakeURL = NixBackend.generatedFlakeRef
        let listed = try await nix.run(["eval", "--json", "\(flakeURL)#slipway.extras", "--apply", "builtins.attrNames"], workingDirectory: genDir)
        let available = try NixJSON.decode([String].self, listed.stdout, arguments: ["eval", "--json", "slipway.extras"])
        let wanted = names.filter(available.contains)
        guard !wanted.isEmpty else { return [:] }
        let rootDir = layout.extrasGCRootDir(profile: profile.name)
        try? FileManager.default.removeItem(atPath: rootDir)
        try makeDirectory(rootDir)
        let output = try await nix.run(["build", "--json", "--out-link", rootDir + "/extra"] + wanted.map { "\(flakeURL)#slipway.extras.\($0)" }, workingDirectory: genDir)
        try syncLock(genDir: genDir)
        let built = try parseBuild(output.stdout, keys: wanted, drvPaths: try await derivations(genDir, attribute: "slipway.drvPaths.extras"))
        var result: [String: String] = [:]
        for package in built { result[package.key] = package.storePaths.first }
        return result
    }

    /// The closure of `paths`, sorted by path.
    /// - Throws: ``NixError`` if `nix path-info` fails or prints an unknown shape.
    public func closure(of paths: [String]) async throws(NixError) -> [ProfileBuild.StorePathInfo] {
        guard !paths.isEmpty else { return [] }
        let arguments = ["path-info", "--json", "--recursive"] + paths
        let output = try await nix.run(arguments)
        return try NixJSON.pathInfos(output.stdout, arguments: arguments).map { path, info in
            ProfileBuild.StorePathInfo(
                path: path, narSize: info.narSize ?? 0,
                references: (info.references ?? []).map { $0.hasPrefix("/") ? $0 : "/nix/store/" + $0 }.sorted())
        }.sorted { $0.path < $1.path }
    }

    // MARK: - Steps

    /// The generated flake of `profile`; the project folder is scanned (``ProjectSource``) when
    /// an artifact of the profile or one of its packages can read it as `src`.
    func generate(_ profile: ResolvedProfile) -> FlakeGenerator.Output {
        var generator = FlakeGenerator(manifest: manifest, system: system)
        if FlakeGenerator.packagesUseSource(profile) || manifest.sections.artifacts.contains(where: { $0.profile == profile.name }) {
            generator.source = ProjectSource.scan(manifest.root)
        }
        var output = generator.generate(profile)
        output.sourceFingerprint = generator.source?.fingerprint
        return output
    }

    func prepare(genDir: String, flake: String, usePins: Bool = true) throws(NixError) {
        try makeDirectory(genDir)
        try write(Data(flake.utf8), to: genDir + "/flake.nix")
        let lockPath = genDir + "/flake.lock"
        if usePins, let pins = FileManager.default.contents(atPath: layout.lockFile) {
            // Portable again: a lock another Nix wrote (e.g. 2.26's tarball `lastModified`) reads here too.
            try write(LockFile.portable(pins) ?? pins, to: lockPath)
        } else {
            try? FileManager.default.removeItem(atPath: lockPath)
        }
    }

    func syncLock(genDir: String) throws(NixError) {
        guard !manifest.nix.nixpkgsOverridden else { return }
        guard let written = FileManager.default.contents(atPath: genDir + "/flake.lock"),
              let portable = LockFile.portable(written) else { return }
        if FileManager.default.contents(atPath: layout.lockFile) != portable {
            try write(portable, to: layout.lockFile)
        }
    }

    /// Key to derivation path, from the generated flake's `slipway.drvPaths`.
    private func derivations(_ genDir: String, attribute: String, impure: Bool = false) async throws(NixError) -> [String: String] {
        let output = try await nix.run(["eval", "--json"] + (impure ? ["--impure"] : []) + ["\(NixBackend.generatedFlakeRef)#\(attribute)"],
                                       workingDirectory: genDir)
        return try NixJSON.strings(output.stdout, arguments: ["eval", "--json", attribute])
    }

    /// Each key's outputs, matched through its derivation (`nix build --json` does not keep
    /// the order of the installables, and two keys may name the same derivation).
    private func parseBuild(_ stdout: String, keys: [String], drvPaths: [String: String]) throws(NixError) -> [ProfileBuild.Package] {
        let list = try NixJSON.decode([NixJSON.BuildResult].self, stdout, arguments: ["build", "--json"])
        var byDerivation: [String: [String: String]] = [:]
        for item in list {
            if let drv = item.drvPath { byDerivation[drv] = item.outputs }
        }
        var packages: [ProfileBuild.Package] = []
        for key in keys {
            guard let drv = drvPaths[key], let outputs = byDerivation[drv] else {
                throw .unexpectedOutput(arguments: ["build", "--json"], detail: "no result for package '\(key)'")
            }
            packages.append(ProfileBuild.Package(key: key, outputs: outputs))
        }
        return packages
    }

    /// Turns a failed build into diagnostics at the manifest lines of the packages at fault.
    /// The error at `[nix] nixpkgs` when Nix could not fetch or read the package set itself (a
    /// `path:` folder that does not exist, a download that failed), else `nil`.
    func unreadablePackageSet(_ error: NixError) -> NixError? {
        guard case .commandFailed(_, _, let stderr) = error else { return nil }
        let ref = manifest.nix.nixpkgs ?? FlakeGenerator.defaultNixpkgs
        guard Self.failureNames(ref, stderr) else { return nil }
        let location = manifest.nix.nixpkgsLocation ?? SourceLocation(file: manifest.file, line: 1, column: 1)
        return .packages([Diagnostic(.packageSetUnreadable(ref: ref, detail: NixCommand.errorLines(stderr)), at: location)])
    }

    /// Whether Nix's `stderr` is about fetching `ref`: its folder is missing and named, or a
    /// download of its repository failed.
    static func failureNames(_ ref: String, _ stderr: String) -> Bool {
        if ref.hasPrefix("path:") {
            var folder = String(ref.dropFirst(5))
            if let query = folder.firstIndex(of: "?") { folder = String(folder[..<query]) }
            return access(folder, F_OK) != 0 && stderr.contains(folder)
        }
        guard stderr.contains("unable to download") || stderr.contains("Could not resolve host") else { return false }
        let scheme = ref.prefix { $0 != ":" }
        let repository = ref.dropFirst(scheme.count + 1).split(separator: "/").prefix(2).joined(separator: "/")
        return !repository.isEmpty && stderr.contains(repository)
    }

    private func explain(
        _ error: NixError, profile: ResolvedProfile, flakeURL: String, generated: FlakeGenerator.Output
    ) async -> NixError {
        guard case .commandFailed(_, _, let stderr) = error else { return error }
        if let unreadable = unreadablePackageSet(error) { return unreadable }
        var problems: [Diagnostic] = []
        if let output = try? await nix.run(["eval", "--json", "\(flakeURL)#slipway.check"], workingDirectory: layout.generatedFlakeDir(profile: profile.name)),
           let checks = try? NixJSON.decode([String: Bool].self, output.stdout, arguments: ["eval", "--json", "slipway.check"]) {
            let set = manifest.nix.nixpkgs ?? FlakeGenerator.defaultNixpkgs
            var names: [String]?
            for entry in profile.packages where checks[entry.key] == false {
                var suggestion: String?
                if case .attribute(let path)? = entry.spec, let head = path.split(separator: ".").first {
                    if names == nil { names = await attributeNames(flakeURL, profile: profile.name) }
                    suggestion = Spelling.closest(to: String(head), in: names ?? [])
                        .map { ([$0] + path.split(separator: ".").dropFirst().map(String.init)).joined(separator: ".") }
                }
                let kind = Diagnostic.Kind.missingAttribute(
                    package: entry.key, attribute: describe(entry.spec), set: set, suggestion: suggestion)
                problems.append(Diagnostic(kind, at: entry.location))
            }
        }
        if problems.isEmpty {
            for (key, lines) in generated.packageLines where mentionsLine(stderr, in: lines) {
                if let entry = profile.packages.first(where: { $0.key == key }) {
                    let kind = Diagnostic.Kind.packageFailed(package: key, detail: NixCommand.errorLines(stderr))
                    problems.append(Diagnostic(kind, at: entry.location))
                }
            }
        }
        if problems.isEmpty {
            problems = await failedBuilds(stderr, profile: profile)
        }
        return problems.isEmpty ? error : .packages(problems)
    }

    /// The packages whose derivation (or one of its dependencies) failed to build: Nix names the
    /// package's derivation in `builder for '<drv>' failed`, `dependencies of derivation '<drv>'`
    /// (2.8) or `Cannot build '<drv>'` (2.2x); a `building '<drv>'` line names it whatever happens.
    private func failedBuilds(_ stderr: String, profile: ResolvedProfile) async -> [Diagnostic] {
        let genDir = layout.generatedFlakeDir(profile: profile.name)
        let impure = FlakeGenerator.packagesUseSource(profile)
        guard let drvPaths = try? await derivations(genDir, attribute: "slipway.drvPaths", impure: impure) else { return [] }
        let detail = NixCommand.errorLines(stderr)
        return profile.packages.compactMap { entry in
            guard let drv = drvPaths[entry.key],
                ["builder for '", "derivation '", "Cannot build '"].contains(where: { stderr.contains($0 + drv + "'") })
            else { return nil }
            return Diagnostic(.packageFailed(package: entry.key, detail: detail), at: entry.location)
        }
    }

    /// The package set's top-level attribute names, evaluated once per locked set and cached in
    /// `.slipway/cache/attribute-names-<digest of slipway.lock and the set>.json`; `[]` when Nix fails.
    private func attributeNames(_ flakeURL: String, profile: String) async -> [String] {
        let lock = (try? FileText.readBytes(layout.lockFile)) ?? []
        let key = Digest.of(lock + Array((manifest.nix.nixpkgs ?? "").utf8)).hex.prefix(16)
        let path = layout.cacheDir + "/attribute-names-\(key).json"
        if let data = FileManager.default.contents(atPath: path),
           let names = try? JSONDecoder().decode([String].self, from: data) { return names }
        let arguments = ["eval", "--json", "\(flakeURL)#slipway.attributeNames"]
        guard let output = try? await nix.run(arguments, workingDirectory: layout.generatedFlakeDir(profile: profile)),
            let names = try? JSONDecoder().decode([String].self, from: Data(output.stdout.utf8))
        else { return [] }
        try? FileManager.default.createDirectory(atPath: layout.cacheDir, withIntermediateDirectories: true)
        try? JSONEncoder().encode(names).write(to: URL(fileURLWithPath: path), options: .atomic)
        return names
    }

    private func describe(_ spec: PackageSpec?) -> String {
        switch spec {
        case .attribute(let path)?: path
        case .flake(let ref, let attribute)?: "\(ref)#\(attribute)"
        case .expression(let text)?: text
        case nil: ""
        }
    }

    private func mentionsLine(_ stderr: String, in lines: ClosedRange<Int>) -> Bool {
        var rest = Substring(stderr)
        while let range = rest.range(of: "flake.nix:") {
            rest = rest[range.upperBound...]
            let digits = rest.prefix { $0.isNumber }
            if let line = Int(digits), lines.contains(line) { return true }
        }
        return false
    }

    private func makeDirectory(_ path: String) throws(NixError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .io(path: path, reason: error.localizedDescription)
        }
    }

    private func write(_ data: Data, to path: String) throws(NixError) {
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .io(path: path, reason: error.localizedDescription)
        }
    }
}
