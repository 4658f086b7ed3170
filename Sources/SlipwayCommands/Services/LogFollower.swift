import Foundation
import SlipwayCore
import SlipwayProcess

/// Prints service logs from `.slipway/state/<profile>/logs/` and follows them (reading the
/// files, so it works whether or not the supervisor still runs). The bytes printed are the
/// log file's own, whole lines only (``LogTail``), with a `name | ` prefix when several
/// services are shown.
struct LogFollower {
    let directory: String
    let services: [String]

    func run(lines count: Int, follow: Bool, only service: String? = nil) async throws {
        let names = service.map { [$0] } ?? services
        let width = names.map(\.count).max() ?? 0
        let prefixes = Dictionary(uniqueKeysWithValues: names.map { name in
            (name, names.count > 1 ? Array((name.padding(toLength: width, withPad: " ", startingAt: 0) + " | ").utf8) : [])
        })
        var offsets: [String: UInt64] = [:]
        for name in names {
            let path = directory + "/\(name).log"
            let size = Self.size(path)
            let start = (try? LogTail.startOfLastLines(count, path: path, end: size)) ?? size
            // Following: a last line still being written is printed once it is whole.
            let end = follow ? ((try? LogTail.endOfCompleteLines(path: path, from: start, end: size)) ?? start) : size
            let copied = (try? LogTail.copy(path: path, from: start, to: end, linePrefix: prefixes[name] ?? [],
                                            into: Terminal.write(bytes:))) ?? start
            if !follow, copied > start, Self.lastByte(path, at: copied) != 0x0A { Terminal.write("\n") }
            offsets[name] = copied
        }
        guard follow else { return }
        while true {
            for name in names {
                let path = directory + "/\(name).log"
                let size = Self.size(path)
                var offset = offsets[name] ?? 0
                if size < offset { offset = 0 }  // truncated
                let end = (try? LogTail.endOfCompleteLines(path: path, from: offset, end: size)) ?? offset
                if end > offset {
                    offset = (try? LogTail.copy(path: path, from: offset, to: end, linePrefix: prefixes[name] ?? [],
                                                into: Terminal.write(bytes:))) ?? offset
                }
                offsets[name] = offset
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    private static func size(_ path: String) -> UInt64 {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? UInt64) ?? 0
    }

    private static func lastByte(_ path: String, at end: UInt64) -> UInt8? {
        guard end > 0, let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        try? handle.seek(toOffset: end - 1)
        return (try? handle.read(upToCount: 1))?.first
    }
}
