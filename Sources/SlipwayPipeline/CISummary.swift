import Foundation
import SlipwayCore
import SlipwayDeploy

/// `.slipway/ci/summary.json`: what one `slipway ci` did, stage by stage.
public struct CISummary: Sendable, Codable {
    public enum Result: String, Sendable, Codable { case passed, failed, interrupted }

    public struct Stage: Sendable, Codable {
        /// `skipped`: the stage had nothing to do; `not-run`: an earlier stage failed, or a signal came.
        public enum Status: String, Sendable, Codable {
            case passed, failed, skipped
            case notRun = "not-run"
        }

        public var name: StageName
        public var status: Status
        /// Wall-clock seconds.
        public var seconds: Double
        /// What failed, or why the stage was skipped.
        public var detail: String?

        public init(name: StageName, status: Status, seconds: Double, detail: String? = nil) {
            self.name = name
            self.status = status
            self.seconds = seconds
            self.detail = detail
        }
    }

    public struct Artifact: Sendable, Codable {
        public var name: String
        public var storePaths: [String]
        public init(name: String, storePaths: [String]) { self.name = name; self.storePaths = storePaths }
    }

    public struct Image: Sendable, Codable {
        public var name: String
        /// `sha256:<hex>` of the image manifest.
        public var digest: String
        /// References pushed (`HOST/REPO:TAG`), empty when not pushed.
        public var pushed: [String] = []
        public init(name: String, digest: String) { self.name = name; self.digest = digest }
    }

    public var formatVersion = 1
    public var project: String
    public var profile: String
    public var result: Result = .passed
    /// The exit status `slipway ci` ended with.
    public var exitCode: Int32 = 0
    public var seconds: Double = 0
    /// The branch the push rule saw, if known.
    public var branch: String?
    public var push: Bool = false
    public var stages: [Stage] = []
    public var tasks: [TaskOutcome] = []
    /// JUnit files copied under `.slipway/ci/`, relative to it.
    public var reports: [String] = []
    public var artifacts: [Artifact] = []
    public var images: [Image] = []
    /// The deploy stage: per target, each host's outcome (as `slipway deploy --json` prints it).
    public var deployments: [DeployOutcome] = []

    public init(project: String, profile: String) {
        self.project = project
        self.profile = profile
    }
}

extension CISummary {
    /// Writes the summary as pretty-printed JSON with sorted keys, atomically.
    /// - Throws: the encoder's or the file system's error.
    public func write(to path: String) throws {
        try PrettyJSON.data(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
