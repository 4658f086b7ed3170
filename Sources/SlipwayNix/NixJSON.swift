import Foundation

/// The JSON that `nix` prints, as typed values (Nix 2.8 and newer).
enum NixJSON {
    /// One entry of `nix build --json`: `[{"drvPath": "/nix/store/…drv", "outputs": {"out": "/nix/store/…"}}]`.
    struct BuildResult: Decodable {
        var drvPath: String?
        var outputs: [String: String]
    }

    /// One store path of `nix path-info --json --recursive`. Nix 2.8 to 2.18 print an array of
    /// objects with `path` (an invalid path as `{"path": …, "valid": false}`); Nix 2.19 and newer
    /// an object keyed by store path (an invalid path's value `null`; references may be base names).
    struct PathInfo: Decodable {
        var path: String?
        var narSize: Int?
        var references: [String]?
        var valid: Bool?
    }

    /// A JSON value that is kept when it is a string (a nested attribute set is not).
    struct StringIfAny: Decodable {
        var string: String?
        init(from decoder: any Decoder) throws { string = try? decoder.singleValueContainer().decode(String.self) }
    }

    /// The string values of a JSON object, other values left out.
    static func strings(_ text: String, arguments: [String]) throws(NixError) -> [String: String] {
        try decode([String: StringIfAny].self, text, arguments: arguments).compactMapValues(\.string)
    }

    /// Decodes `text` as `T`, or throws ``NixError/unexpectedOutput(arguments:detail:)``.
    static func decode<T: Decodable>(_ type: T.Type, _ text: String, arguments: [String]) throws(NixError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw .unexpectedOutput(arguments: arguments, detail: String(text.prefix(300)))
        }
    }

    /// `nix path-info --json` in either shape, as `(path, info)` pairs.
    static func pathInfos(_ text: String, arguments: [String]) throws(NixError) -> [(String, PathInfo)] {
        if let list = try? JSONDecoder().decode([PathInfo].self, from: Data(text.utf8)) {
            return list.compactMap { info in info.valid == false ? nil : info.path.map { ($0, info) } }
        }
        let map = try decode([String: PathInfo?].self, text, arguments: arguments)
        return map.compactMap { path, info in info.map { (path, $0) } }
    }
}
