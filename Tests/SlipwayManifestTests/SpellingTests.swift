import SlipwayManifest
import Testing

/// "did you mean" suggestions: close names only, never a name that shares nothing.
@Suite("Spelling suggestions")
struct SpellingTests {
    @Test("a typo gets the close name")
    func closeName() {
        #expect(Spelling.closest(to: "reddis", in: ["redis", "postgres"]) == "redis")
        #expect(Spelling.closest(to: "db", in: ["da", "web"]) == "da")
    }

    @Test("a one-letter name gets no other one-letter name (d is not a typo of a)")
    func nothingShared() {
        #expect(Spelling.closest(to: "d", in: ["a", "b", "c"]) == nil)
        #expect(Spelling.closest(to: "xy", in: ["ab"]) == nil)
    }
}
