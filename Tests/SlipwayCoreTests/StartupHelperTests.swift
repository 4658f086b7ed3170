import Foundation
import SlipwayCore
import Testing

/// Hand-written stand-ins for Foundation calls on the start-up path give Foundation's answers.
@Suite("Start-up helpers")
struct StartupHelperTests {
    @Test func theProcessorCountIsFoundations() {
        #expect(ProcessorCount.active == ProcessInfo.processInfo.activeProcessorCount)
    }

    @Test func blanksTrimAsFoundationsWhitespaces() {
        for text in ["", "   ", "\t x y \t", "no-blanks", " \u{00A0}nbsp\u{2003}", " line\n", "\nboth\n ", "é ", " 日本 "] {
            #expect(text.trimmingBlanks == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
        }
        #expect("  sub  ".dropFirst().trimmingBlanks == "sub", "a Substring too")
    }
}
