import Foundation
import SlipwayCore
import SlipwayProcess

/// Prints service logs from `.slipway/state/<profile>/logs/` and follows them (reading the
/// files, so it works whether or not the supervisor still runs).
struct LogFollower {
    let directory: String
    let services: [String]

    func run(lines count: Int, follow: Bool, only service: String? = nil) async throws {
        let names = service.map { [$0] } ?? services
        let prefixed = names.count > 1
        let width = names.map(\.count).max() ?? 0
        func prefix(_ name: String) -> String {
            prefixed ? name.padding(toLength: width, withPad: " ", startingAt: 0) + " | " : ""
        }
        var offsets: [String: UInt64] = [:]
        var partial: [String: Data] = [:]
        for name in names {
            let path = directory + "/\(name).log"
            for line in LogTail.lastLines(of: path, count: count) { Terminal.write(prefix(name) + line + "\n") }
            offsets[name] = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64) ?? 0
        }
        guard follow else { return }
        while true {
            for name in names {
                let path = directory + "/\(name).log"
                guard let handle = FileHandle(forReadingAtPath: path) else { continue }
                let size = (try? handle.seekToEnd()) ?? 0
                var offset = offsets[name] ?? 0
                if size < offset { offset = 0 }  // truncated
                if size > offset {
                    try? handle.seek(toOffset: offset)
                    var data = (partial[name] ?? Data()) + ((try? handle.read(upToCount: Int(size - offset))) ?? Data())
                    offsets[name] = size
                    if let last = data.lastIndex(of: 0x0A) {
                        let complete = data[..<last]
                        data = Data(data[(last + 1)...])
                        var out = ""
                        for line in String(decoding: complete, as: UTF8.self).split(
                            separator: "\n", omittingEmptySubsequences: false)
                        {
                            out += prefix(name) + line + "\n"
                        }
                        Terminal.write(out)
                    }
                    partial[name] = data
                }
                try? handle.close()
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
