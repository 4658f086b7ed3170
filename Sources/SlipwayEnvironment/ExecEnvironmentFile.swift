import SlipwayNix

/// The parts of a ``CachedEnvironment`` that starting a process needs (all but the build),
/// in `.slipway/cache/env-<profile>.exec`: read with one `read` and split by hand, so a warm
/// `slipway exec` decodes no JSON (Codable's metadata and conformance look-ups cost more than
/// the rest of the start).
///
/// Shape: records separated by NUL (U+0000); a record is a one-letter tag and its fields,
/// separated by U+0001. Tags: `v` format, `k` key, `p` profile, `r` root, `b` bin folders,
/// `q` required store paths, `e` an `[env]` entry (name, value), `x` a service export (name,
/// value), `t` a service port (name, port), `l` a local input (folder, fingerprint), `s` the project source fingerprint, `P` pure
/// (`1`/`0`), `K` keep_env, `f` dotenv files, `o` on_enter, `S` the ``KeySignature``, and `z` last (a file cut short has
/// none). No value can hold NUL (environment
/// variables cannot); an environment with a U+0001 anywhere is not written in this form.
public enum ExecEnvironmentFile {
    static let recordSeparator: UInt8 = 0
    static let fieldSeparator: UInt8 = 1
    static let requiredTags = ["v", "k", "p", "r", "z"]

    /// The file's bytes, or `nil` when a value holds U+0000 or U+0001.
    public static func render(_ cached: CachedEnvironment) -> [UInt8]? {
        var records: [[String]] = [
            ["v", String(cached.formatVersion)], ["k", cached.key], ["p", cached.profile], ["r", cached.root],
            ["b"] + cached.binPaths, ["q"] + cached.requiredPaths, ["P", cached.pure ? "1" : "0"],
            ["K"] + cached.keepEnv, ["f"] + cached.envFiles,
        ]
        records += cached.env.map { ["e", $0.name, $0.value] }
        records += cached.serviceEnv.map { ["x", $0.name, $0.value] }
        records += cached.ports.sorted { $0.key < $1.key }.map { ["t", $0.key, String($0.value)] }
        records += cached.localInputs.sorted { $0.key < $1.key }.map { ["l", $0.key, $0.value] }
        if let source = cached.projectSource { records.append(["s", source]) }
        if let onEnter = cached.onEnter { records.append(["o", onEnter]) }
        if let signature = cached.keySignature { records.append(["S", signature]) }
        records.append(["z"])
        var bytes: [UInt8] = []
        for record in records {
            for (index, field) in record.enumerated() {
                if field.utf8.contains(where: { $0 == recordSeparator || $0 == fieldSeparator }) { return nil }
                if index > 0 { bytes.append(fieldSeparator) }
                bytes += field.utf8
            }
            bytes.append(recordSeparator)
        }
        return bytes
    }

    /// The environment in `bytes` (its ``CachedEnvironment/build`` empty), or `nil` when they are
    /// not a whole file of this shape.
    public static func parse(_ bytes: [UInt8]) -> CachedEnvironment? {
        var cached = CachedEnvironment(
            key: "", profile: "", root: "", binPaths: [], env: [], requiredPaths: [],
            build: ProfileBuild(profile: "", packages: [], closure: []))
        // The tags every file has, still unseen (no Set: its String hashing costs a conformance scan at start).
        var missing = requiredTags
        for record in bytes.split(separator: recordSeparator, omittingEmptySubsequences: true) {
            let fields = record.split(separator: fieldSeparator, omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            guard let tag = fields.first, apply(tag, Array(fields.dropFirst()), to: &cached) else { return nil }
            missing.removeAll { $0 == tag }
        }
        guard missing.isEmpty else { return nil }
        cached.build.profile = cached.profile
        return cached
    }

    /// Sets the field `tag` names; `false` for an unknown tag or a malformed record.
    private static func apply(_ tag: String, _ values: [String], to cached: inout CachedEnvironment) -> Bool {
        let one = values.count == 1 ? values[0] : nil
        switch tag {
        case "v": guard let number = one.flatMap(Int.init) else { return false }; cached.formatVersion = number
        case "k": guard let one else { return false }; cached.key = one
        case "p": guard let one else { return false }; cached.profile = one
        case "r": guard let one else { return false }; cached.root = one
        case "s": guard let one else { return false }; cached.projectSource = one
        case "o": guard let one else { return false }; cached.onEnter = one
        case "S": guard let one else { return false }; cached.keySignature = one
        case "P": guard let one else { return false }; cached.pure = one == "1"
        case "b": cached.binPaths = values.filter { !$0.isEmpty }
        case "q": cached.requiredPaths = values.filter { !$0.isEmpty }
        case "K": cached.keepEnv = values.filter { !$0.isEmpty }
        case "f": cached.envFiles = values.filter { !$0.isEmpty }
        case "e": guard values.count == 2 else { return false }; cached.env.append(.init(name: values[0], value: values[1]))
        case "x": guard values.count == 2 else { return false }; cached.serviceEnv.append(.init(name: values[0], value: values[1]))
        case "z": guard values.isEmpty else { return false }
        case "l": guard values.count == 2 else { return false }; cached.localInputs[values[0]] = values[1]
        case "t": guard values.count == 2, let port = Int(values[1]) else { return false }; cached.ports[values[0]] = port
        default: return false
        }
        return true
    }
}
