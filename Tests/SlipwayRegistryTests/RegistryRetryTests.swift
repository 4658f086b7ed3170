import Foundation
import Testing
@testable import SlipwayRegistry

/// The retry policy's numbers, and the docs that quote them.
@Suite("Registry retries")
struct RegistryRetryTests {
    let retry = RegistryRetry()

    @Test func waitsAreJitteredUnderADoublingCeiling() {
        #expect(retry.delay(afterFailure: 1, unit: 1) == .milliseconds(100))
        #expect(retry.delay(afterFailure: 2, unit: 1) == .milliseconds(200))
        #expect(retry.delay(afterFailure: 5, unit: 1) == .milliseconds(1600))
        #expect(retry.delay(afterFailure: 6, unit: 1) == .seconds(2), "capped")
        #expect(retry.delay(afterFailure: 40, unit: 1) == .seconds(2))
        #expect(retry.delay(afterFailure: 3, unit: 0) == .zero)
        #expect(retry.delay(afterFailure: 3, unit: 0.5) == .milliseconds(200))
        let waits = Set((0..<50).map { _ in retry.delay(afterFailure: 4) })
        #expect(waits.count > 40, "random waits differ: \(waits.count)")
        #expect(waits.allSatisfy { $0 >= .zero && $0 <= .milliseconds(800) })
    }

    @Test func aRegistryThatOnlyFailsIsReportedWithinTheNoAnswerLimit() {
        #expect(retry.attempts == RegistryRetry.defaultAttempts)
        #expect(retry.worstCaseWait <= .seconds(25), "\(retry.worstCaseWait)")
        #expect(retry.noAnswerLimit + .seconds(5) <= .seconds(30), "a dead registry fails within 30 s")
        // At 50% faults a step fails all its tries with probability 2^-attempts.
        #expect(pow(0.5, Double(retry.attempts)) < 1e-4)
    }

    /// docs/cli.md and docs/reliability.md state the numbers the code uses.
    @Test(arguments: ["docs/cli.md", "docs/reliability.md"])
    func theDocsQuoteTheCodesNumbers(_ doc: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent(doc), encoding: .utf8)
        #expect(text.contains("\(RegistryRetry.defaultAttempts) tries"), "\(doc) names the number of tries")
        #expect(text.contains("\(Int(retry.noAnswerLimit.components.seconds)) s"), "\(doc) names the no-answer limit")
        for wrong in ["6 attempts", "8 attempts"] { #expect(!text.contains(wrong), "\(doc) still says \(wrong)") }
    }
}
