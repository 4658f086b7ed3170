import Foundation

/// The releases one host keeps for a target, as `slipway releases --json` prints them.
public struct HostReleases: Codable, Sendable {
    public struct Entry: Codable, Sendable {
        public var id: String
        /// The folder under `releases/`.
        public var directory: String
        /// ISO 8601 time of the deploy that made it.
        public var time: String?
        /// ISO 8601 time it last became healthy.
        public var activated: String?
        public var commit: String?
        /// `active` (the current, healthy one), `good`, `failed`, `rolled_back`, `activating`.
        public var outcome: String
    }

    public var host: String
    public var current: String?
    public var previous: String?
    /// The folder `current` points at.
    public var currentDirectory: String?
    /// Newest first.
    public var releases: [Entry]
    /// What runs differs from what Slipway recorded (units not matching the current release).
    public var drift: [String] = []
    public var error: String?

    /// Prints, per release folder, `R dir<TAB>outcome<TAB>activated<TAB>release.json` in deploy order
    /// (oldest first), then `C current`, `P previous`, and `D unit` for each drifted unit.
    /// - Parameter systemUnits: the units come from the host's NixOS configuration (`nixos = true`):
    ///   only whether they are active counts as drift, not their text.
    public static func script(_ paths: HostPaths, systemUnits: Bool = false) -> String {
        let b = paths.base
        return """
            cd \(b)/releases 2>/dev/null || exit 0
            list=$(cat \(b)/order 2>/dev/null)
            for x in $(ls -1 | grep -v '\\.new$'); do
                case " $(echo $list) " in *" $x "*) ;; *) list="$x $list" ;; esac
            done
            for d in $list; do
                [ -f "$d/release.json" ] || continue
                printf 'R %s\\t%s\\t%s\\t%s\\n' "$d" "$(cat $d/outcome 2>/dev/null)" \\
                    "$(cat $d/activated 2>/dev/null)" "$(cat $d/release.json)"
            done
            c=$(readlink \(b)/current 2>/dev/null); echo "C ${c#releases/}"
            p=$(readlink \(b)/previous 2>/dev/null); echo "P ${p#releases/}"
            if [ -n "$c" ]; then
                for u in $(ls \(b)/$c/units 2>/dev/null); do
                    \(systemUnits ? "true" : "cmp -s \"\(b)/$c/units/$u\" \"\(paths.unitDirectory)/$u\"") \\
                        || echo "D $u differs from the recorded release"
                    systemctl is-active --quiet "$u" || echo "D $u is not active"
                done
            fi
            true
            """
    }

    public init(host: String, parsing output: String) {
        self.host = host
        var entries: [Entry] = []
        var currentDir: String?
        var previousDir: String?
        for line in output.split(separator: "\n").map(String.init) {
            if line.hasPrefix("C ") { currentDir = Self.nonEmpty(line.dropFirst(2)) }
            if line.hasPrefix("P ") { previousDir = Self.nonEmpty(line.dropFirst(2)) }
            if line.hasPrefix("D ") { drift.append(String(line.dropFirst(2))) }
            guard line.hasPrefix("R ") else { continue }
            let fields = line.dropFirst(2).split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false).map(
                String.init)
            guard fields.count == 4,
                let record = try? JSONDecoder().decode(ReleaseRecord.self, from: Data(fields[3].utf8))
            else { continue }
            entries.append(
                Entry(
                    id: record.id, directory: fields[0], time: record.time, activated: Self.nonEmpty(fields[2]),
                    commit: record.commit, outcome: fields[1].isEmpty ? "unknown" : fields[1]))
        }
        releases = entries.reversed().map { entry in
            var entry = entry
            if entry.directory == currentDir && entry.outcome == "good" { entry.outcome = "active" }
            return entry
        }
        currentDirectory = currentDir
        current = releases.first { $0.directory == currentDir }?.id
        previous = releases.first { $0.directory == previousDir }?.id
    }

    public init(host: String, error: String) {
        self.host = host
        self.releases = []
        self.error = error
    }

    static func nonEmpty(_ text: some StringProtocol) -> String? { text.isEmpty ? nil : String(text) }

    /// The release folder `rollback` goes to: `--to` (an id, a folder or a prefix of either),
    /// else the newest good release that is not the current one.
    public func rollbackTarget(to wanted: String?) -> Entry? {
        let currentDir = currentDirectory
        if let wanted {
            return releases.first { $0.id == wanted || $0.directory == wanted }
                ?? releases.first { $0.directory.hasPrefix(Release.short(wanted)) || $0.id.hasPrefix(wanted) }
        }
        return releases.first { $0.directory != currentDir && $0.outcome == "good" }
    }
}
