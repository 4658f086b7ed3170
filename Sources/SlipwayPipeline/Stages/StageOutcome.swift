/// How one stage ended, as recorded in ``CISummary/Stage``.
public enum StageOutcome: Sendable, Equatable {
    /// It ran and did its work.
    case passed
    /// It had nothing to do (`reason` says why); later stages still run.
    case skipped(reason: String)
    /// It failed with exit status `code`; its output already said why, `detail` sums it up.
    case failed(code: Int32, detail: String)
    /// A signal (Ctrl-C, a runner cancelling the job) stopped it; exit status 130.
    case interrupted
}
