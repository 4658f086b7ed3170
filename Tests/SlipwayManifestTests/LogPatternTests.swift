import Foundation
import Testing
@testable import SlipwayManifest

@Suite("Log patterns (linear-time readiness matching)")
struct LogPatternTests {
    /// Pattern, line, and whether some part of the line matches. Every row is also checked
    /// against Swift Regex, the engine this replaces, so the supported subset means the same.
    static let cases: [(String, String, Bool)] = [
        ("ready to accept connections", "LOG:  database system is ready to accept connections", true),
        ("ready to accept connections", "LOG:  starting", false),
        ("^db up$", "db up", true),
        ("^db up$", "the db up", false),
        ("^db up$", "db up!", false),
        ("Listening on (tcp|unix)://\\S+:\\d+", "* Listening on tcp://127.0.0.1:9292", true),
        ("Listening on (tcp|unix)://\\S+:\\d+", "* Listening on udp://127.0.0.1:9292", false),
        ("[Rr]eady\\b", "Ready.", true),
        ("[Rr]eady\\b", "Readyness", false),
        ("\\Bady", "ready", true),
        ("a{3}", "aa", false),
        ("a{3}", "xaaay", true),
        ("^a{2,3}$", "aaaa", false),
        ("^a{2,}$", "aaaaaaa", true),
        ("^(ab)*c$", "ababc", true),
        ("^(?:ab)+c$", "c", false),
        ("colou?r", "color", true),
        ("x.z", "x\u{e9}z", true),
        ("[^0-9]+", "123", false),
        ("[a\\-z]", "-", true),
        ("[]x]", "]", true),
        ("\\[ok\\]", "[ok] started", true),
        ("\\x41\\u0042", "AB", true),
        ("\\.\\*", "a.*b", true),
        ("(a|)+b", "aab", true),
        ("(a*)*b", "aaaa", false),
        ("(?i)READY", "server ready", true),
        ("(?i)[A-C]x", "bx", true),
        ("a+?b", "aaab", true),
        ("^$", "", true),
        ("", "anything", true),
        ("\\d\\s\\w", "1 x", true),
        ("\\D\\S\\W", "a!!", true),
    ]

    @Test(arguments: cases)
    func matchesLikeSwiftRegex(_ pattern: String, _ line: String, _ expected: Bool) throws {
        let compiled = try LogPattern(pattern)
        #expect(compiled.search(line) == (expected ? .matched : .notMatched), "\(pattern) on \(line)")
        // `]` first in brackets is literal in POSIX and PCRE; Swift Regex rejects it.
        guard pattern != "[]x]" else { return }
        let regex = try Regex(pattern)
        #expect((try regex.firstMatch(in: line) != nil) == expected, "Swift Regex disagrees: \(pattern)")
    }

    /// `(a+)+$` on 40 `a`s and `!` takes a backtracking engine about 2^40 steps; here it is
    /// line length × program size.
    @Test func catastrophicPatternsStayLinear() throws {
        let line = String(repeating: "a", count: 40) + "!"
        let clock = ContinuousClock()
        let started = clock.now
        for pattern in ["(a+)+$", "(a|aa)+$", "(a*)*b", "(a|a?)+b", "^(a+)+b", "(x+x+)+y"] {
            #expect(try LogPattern(pattern).search(line) == .notMatched, "\(pattern)")
        }
        let long = String(repeating: "a", count: 16 * 1024) + "!"
        #expect(try LogPattern("(a+)+$").search(long) == .notMatched)
        let elapsed = clock.now - started
        print("6 catastrophic patterns on 41 characters and one on 16 KiB: \(elapsed)")
        #expect(elapsed < .seconds(20), "a liveness bound: backtracking takes about 2^40 steps")
    }

    @Test func aLineOverItsStepBudgetIsReportedNotRunOn() throws {
        let pattern = try LogPattern("(a|b|c|d)*z")
        let line = String(repeating: "abcd", count: 1000)
        guard case .overBudget(let steps) = pattern.search(line, budget: 1000) else {
            Issue.record("expected overBudget")
            return
        }
        #expect(steps > 1000)
        #expect(pattern.search(line) == .notMatched)
    }

    /// Unsupported syntax: rejected with where and why, never silently run differently.
    static let rejected: [(String, Int, String)] = [
        ("(a)\\1", 4, "backreferences"),
        ("foo(?=bar)", 4, "lookaround"),
        ("(?<name>x)", 1, "named groups"),
        ("a++", 3, "possessive"),
        ("[[:alpha:]]", 2, "POSIX classes"),
        ("(abc", 1, "never closed"),
        ("abc)", 4, "unmatched ')'"),
        ("*a", 1, "nothing to repeat"),
        ("a{2,1}", 2, "maximum is below"),
        ("a{5000}", 2, "at most 1000"),
        ("\\q", 1, "unknown escape"),
        ("[z-a]", 4, "lower to a higher"),
        ("x\\", 2, "lone"),
        ("(a{1000}){1000}", 1, "too large"),
        ("a{,3}", 2, "counted repetition"),
    ]

    @Test(arguments: rejected)
    func unsupportedSyntaxIsRejectedWithItsPosition(_ pattern: String, _ position: Int, _ reason: String) {
        do {
            _ = try LogPattern(pattern)
            Issue.record("\(pattern) was accepted")
        } catch {
            #expect(error.position == position, "\(pattern): \(error)")
            #expect(error.reason.contains(reason), "\(pattern): \(error)")
        }
    }

    @Test func theManifestCheckRejectsAnUnsupportedPatternAtItsValue() throws {
        let toml = """
            [services.web]
            command = "run"
            ready = { log = "ready(?=!)" }
            """
        do {
            let manifest = try ManifestLoader.parse(toml, file: "slipway.toml", root: "/p")
            _ = try manifest.services(of: manifest.resolve(profile: "dev"))
            Issue.record("accepted")
        } catch {
            let found = error.diagnostics.map {
                "\($0.location.line):\($0.location.column): \($0.message)"
            }
            #expect(found.count == 1)
            #expect(found.first?.hasPrefix("3:17: ") == true, "\(found)")
            #expect(found.first?.contains("lookaround") == true, "\(found)")
            #expect(found.first?.contains("at character 6 of the pattern") == true, "\(found)")
        }
    }
}
