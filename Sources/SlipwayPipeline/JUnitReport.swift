import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The counts and failing test cases of a JUnit XML file (the format PHPUnit's `--log-junit`,
/// pytest's `--junitxml`, Maven Surefire and `go-junit-report` write: `<testsuites>` /
/// `<testsuite>` / `<testcase>` with `<failure>`, `<error>` or `<skipped>` children).
public struct JUnitReport: Sendable, Codable, Equatable {
    public struct Failure: Sendable, Codable, Equatable {
        /// `Class::method` (the test case's `classname` and `name`).
        public var test: String
        /// The first line of the failure message.
        public var message: String
    }

    public var tests = 0
    public var failures = 0
    public var errors = 0
    public var skipped = 0
    public var failed: [Failure] = []

    public init() {}

    /// Parses the file at `path`.
    /// - Returns: `nil` when it cannot be read or is not XML.
    public static func read(_ path: String) -> JUnitReport? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let parser = XMLParser(data: data)
        let delegate = Collector()
        parser.delegate = delegate
        guard parser.parse() else { return nil }
        return delegate.report
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var report = JUnitReport()
        var current: String?
        var currentName = ""
        var outcome: (kind: String, message: String)?
        var text = ""

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            switch name {
            case "testcase":
                report.tests += 1
                let cls = attributes["classname"] ?? attributes["class"] ?? ""
                let test = attributes["name"] ?? "?"
                currentName = test
                current = cls.isEmpty ? test : cls + "::" + test
                outcome = nil
            case "failure", "error":
                outcome = (name, attributes["message"] ?? "")
                text = ""
            case "skipped":
                report.skipped += 1
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if outcome != nil { text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            guard name == "failure" || name == "error", let current, let found = outcome else { return }
            if name == "failure" { report.failures += 1 } else { report.errors += 1 }
            let body = found.message.isEmpty ? text : found.message
            // PHPUnit starts the text with the test's own id (`Class::method`): skip it.
            // (With a data provider it goes on: `Class::test with data set "x" ('a', 'b')`.)
            let line = body.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .first { !$0.isEmpty && !$0.contains("::" + currentName) } ?? found.kind
            report.failed.append(Failure(test: current, message: String(line.prefix(300))))
            outcome = nil
        }
    }
}
