import CSlipwayBuild

/// Slipway's version and the commit it was built from.
///
/// The version is the one fact `scripts/release` names its tarball after and generated pipelines
/// pin (see `docs/install.md`); the commit is set only by a release build, which writes it to
/// `Sources/CSlipwayBuild/build_commit.h` for the build (see build.c). Other builds report none.
public enum SlipwayVersion {
    /// The release version, semantic versioning (`MAJOR.MINOR.PATCH`).
    public static let number = "0.1.0"

    /// The full commit id (40 hex digits) of a release build, with `-dirty` appended when the
    /// tree had uncommitted changes; `nil` in any other build.
    public static var commit: String? {
        let value = String(cString: slipway_build_commit())
        return value.isEmpty ? nil : value
    }

    /// What `slipway --version` prints: `0.1.0 (commit 1a2b3c4d5e6f)` for a release build,
    /// `0.1.0 (commit 1a2b3c4d5e6f-dirty)` for one from uncommitted changes, and
    /// `0.1.0 (development build: no commit recorded)` for any other.
    public static var description: String {
        guard let commit else { return "\(number) (development build: no commit recorded)" }
        let dirty = commit.hasSuffix("-dirty") ? "-dirty" : ""
        return "\(number) (commit \(commit.prefix(12))\(dirty))"
    }
}
