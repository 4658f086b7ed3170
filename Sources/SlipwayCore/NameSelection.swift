/// Picking manifest entries (artifacts, images) by name on the command line.
public enum NameSelection {
    /// The entries `names` picks, in that order; every entry when `names` is empty.
    /// - Throws: `none()` when there is nothing to pick from, `unknown(name, known)` for a name
    ///   no entry has.
    public static func select<Entry>(
        _ names: [String], from entries: [Entry], name: (Entry) -> String,
        none: () -> any Error, unknown: (String, [String]) -> any Error
    ) throws -> [Entry] {
        if names.isEmpty {
            if entries.isEmpty { throw none() }
            return entries
        }
        return try names.map { wanted in
            guard let entry = entries.first(where: { name($0) == wanted }) else { throw unknown(wanted, entries.map(name)) }
            return entry
        }
    }
}
