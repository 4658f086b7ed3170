import Crypto
import Foundation
import SlipwayCore
import SlipwayManifest

/// Whether a task with `inputs` can be skipped: the SHA-256 of its definition and input files
/// matches the one recorded at its last success, and its outputs are still what it left.
///
/// Records live in `<directory>/<task>.json`. Content, not modification times, decides, so a
/// fresh checkout (new mtimes) of unchanged files still skips, and a `touch` does not rerun.
public struct TaskFingerprint: Sendable {
    public struct Record: Codable, Sendable, Equatable {
        /// The digest of the definition, the environment and the input files.
        public var inputs: SlipwayCore.Digest
        /// The digest of the output files (names and bytes).
        public var outputs: SlipwayCore.Digest
    }

    /// Folder of the records (`.slipway/tasks/<profile>`).
    public let directory: String
    /// The project root the globs are relative to.
    public let root: String

    public init(directory: String, root: String) {
        self.directory = directory
        self.root = root
    }

    /// The digest of what decides a rerun; `environmentKey` stands for the profile's packages and
    /// env, `arguments` are the task's arguments after `--` (none: the digest of earlier versions).
    public func inputsDigest(
        _ task: TaskSpec, environmentKey: String, arguments: [String] = []
    ) -> SlipwayCore.Digest {
        var hasher = SHA256()
        func add(_ text: String) { hasher.update(bytes: Array(text.utf8) + [0]) }
        add("slipway-task-v1")
        add(task.run)
        add(task.cwd ?? "")
        add(environmentKey)
        for entry in task.env { add(entry.name + "=" + entry.value) }
        if !arguments.isEmpty { add("arguments") }
        for argument in arguments { add(argument) }
        for path in FileGlob.expand(task.inputs, root: root) { addFile(path, to: &hasher) }
        return SlipwayCore.Digest(hasher.finalize())
    }

    /// The digest of what the task left: `$SLIPWAY_OUT/` globs under `out`, others under the root.
    public func outputsDigest(_ task: TaskSpec, out: String) -> SlipwayCore.Digest {
        var hasher = SHA256()
        for glob in task.outputs where glob.hasPrefix("$SLIPWAY_OUT/") {
            for path in FileGlob.expand([String(glob.dropFirst("$SLIPWAY_OUT/".count))], root: out) {
                addFile(path, base: out, to: &hasher)
            }
        }
        let rooted = task.outputs.filter { !$0.hasPrefix("$SLIPWAY_OUT/") }
        for path in FileGlob.expand(rooted, root: root) { addFile(path, to: &hasher) }
        return SlipwayCore.Digest(hasher.finalize())
    }

    public func recorded(_ task: String) -> Record? {
        guard let data = FileManager.default.contents(atPath: path(task)) else { return nil }
        return try? JSONDecoder().decode(Record.self, from: data)
    }

    public func record(_ task: String, _ record: Record) {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if let data = try? JSONEncoder().encode(record) {
            try? data.write(to: URL(fileURLWithPath: path(task)), options: .atomic)
        }
    }

    /// Removes the task's record, if any: one `unlink(2)` (most tasks have none, and
    /// `FileManager.removeItem` builds an error object for every missing file).
    public func forget(_ task: String) { _ = unlink(path(task)) }

    private func path(_ task: String) -> String { directory + "/" + task + ".json" }

    private func addFile(_ relative: String, base: String? = nil, to hasher: inout SHA256) {
        let absolute = (base ?? root) + "/" + relative
        hasher.update(bytes: Array(relative.utf8) + [0])
        var info = stat()
        if lstat(absolute, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: absolute)) ?? ""
            hasher.update(bytes: Array(("-> " + target).utf8) + [0])
            return
        }
        guard let handle = FileHandle(forReadingAtPath: absolute) else {
            hasher.update(bytes: [1])
            return
        }
        defer { try? handle.close() }
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        hasher.update(bytes: [0])
    }
}
