import Foundation

/// The date of an image's own content: the config's `created` and the mtime of its project and
/// artifact layers. Layers of third-party store paths and the customisation layer keep
/// ``fixedEpoch``, so their digests do not change from one commit to the next.
public struct ImageDate: Sendable, Equatable {
    /// Where the date came from.
    public enum Source: Sendable, Equatable {
        /// `SOURCE_DATE_EPOCH`, set in Slipway's environment.
        case sourceDateEpoch
        /// The committer time of `HEAD` (its object name).
        case commit(String)
        /// Neither (no git repository, no commit, or one Slipway could not read: the reason).
        case fixed(String)
    }

    /// 1970-01-01T00:00:01Z, the mtime of store and customisation layers (nginx's `nix-etag`
    /// patch expects 1; see nixpkgs PR #48337).
    public static let fixedEpoch = 1

    /// Seconds since the epoch.
    public var epoch: Int
    public var source: Source

    /// `SOURCE_DATE_EPOCH` when set (an integer), else the committer time of the `HEAD` of the
    /// repository holding `root`, else ``fixedEpoch``.
    public static func resolve(root: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> ImageDate {
        if let text = environment["SOURCE_DATE_EPOCH"], let epoch = Int(text) { return ImageDate(epoch: epoch, source: .sourceDateEpoch) }
        guard let repository = GitRepository(containing: root) else { return ImageDate(epoch: fixedEpoch, source: .fixed("no git repository")) }
        do {
            guard let commit = try repository.head() else { return ImageDate(epoch: fixedEpoch, source: .fixed("no commit yet")) }
            return ImageDate(epoch: commit.committerTime, source: .commit(commit.id))
        } catch {
            return ImageDate(epoch: fixedEpoch, source: .fixed("\(error)"))
        }
    }

    /// One line for `-v`: `image date 2026-12-02T10:00:00Z from commit 3f2c1ab…`.
    public var summary: String {
        let date = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(epoch)))
        switch source {
        case .sourceDateEpoch: return "image date \(date) from SOURCE_DATE_EPOCH"
        case .commit(let id): return "image date \(date) from commit \(id.prefix(12))"
        case .fixed(let why): return "image date \(date), the fixed epoch (\(why); a git commit or SOURCE_DATE_EPOCH dates the app layers)"
        }
    }
}
