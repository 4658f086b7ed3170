import Testing
@testable import SlipwayProcess

@Suite("Line splitting")
struct LineSplitterTests {
    func split(_ chunks: [String], max: Int = 16 * 1024) -> [String] {
        var splitter = LineSplitter(maxLineLength: max)
        var lines: [String] = []
        for chunk in chunks {
            Array(chunk.utf8).withUnsafeBytes { raw in
                splitter.feed(raw) { lines.append(String(decoding: $0, as: UTF8.self)) }
            }
        }
        splitter.finish { lines.append(String(decoding: $0, as: UTF8.self)) }
        return lines
    }

    @Test func wholeLinesAcrossChunks() {
        #expect(split(["a", "b\nc", "d\n", "e"]) == ["ab", "cd", "e"])
    }

    @Test func carriageReturns() {
        #expect(split(["one\r\ntwo\n"]) == ["one", "two"])
        #expect(split(["one\r", "\ntwo\n"]) == ["one", "two"])
        #expect(split(["10%\r50%\r100%\n"]) == ["10%", "50%", "100%"])
    }

    @Test func emptyLinesAreKept() {
        #expect(split(["a\n\nb\n"]) == ["a", "", "b"])
    }

    @Test func longLinesAreCut() {
        let lines = split([String(repeating: "x", count: 25), "\n"], max: 10)
        #expect(lines == ["xxxxxxxxxx", "xxxxxxxxxx", "xxxxx"])
        let chunked = split(["xxxxxx", "xxxxxx", "\n"], max: 10)
        #expect(chunked == ["xxxxxxxxxx", "xx"])
    }
}
