import Foundation
import SlipwayCore
import SlipwayOCI
import Synchronization

/// Upload progress: on a terminal, one live bar per blob being uploaded (bytes and rate),
/// redrawn in place; otherwise a "still pushing" line every 10 s, so a long push shows that it
/// is alive. Text goes through ``Output``; sizes are bytes, rates bytes per second.
public final class PushMeter: Sendable {
    /// Where the meter writes: results (stdout), redrawn bars (stderr), status lines.
    public struct Output: Sendable {
        public var write: @Sendable (String) -> Void
        public var writeError: @Sendable (String) -> Void
        public var status: @Sendable (String) -> Void

        public init(
            write: @escaping @Sendable (String) -> Void, writeError: @escaping @Sendable (String) -> Void,
            status: @escaping @Sendable (String) -> Void
        ) {
            self.write = write
            self.writeError = writeError
            self.status = status
        }
    }

    private struct Upload {
        var sent: Int64
        var size: Int64
        var started: Date
    }

    private struct State {
        var uploads: [Digest: Upload] = [:]
        var order: [Digest] = []
        var total: Int64 = 0
        var drawnLines = 0
    }

    private let state = Mutex(State())
    private let interactive: Bool
    private let output: Output
    private let started = Date()

    /// - Parameter interactive: draw live bars (stderr is a terminal); else a line every 10 s.
    public init(interactive: Bool, output: Output) {
        self.interactive = interactive
        self.output = output
    }

    /// Runs `body` with the meter redrawn every 250 ms (interactive) or 10 s, cleared after.
    public func showing<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let ticker = Task { [interactive] in
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(interactive ? 250 : 10_000))
                self.render()
            }
        }
        defer { ticker.cancel(); clear() }
        return try await body()
    }

    func add(_ digest: Digest, _ bytes: Int, of size: Int64) {
        state.withLock { state in
            if state.uploads[digest] == nil {
                state.uploads[digest] = Upload(sent: 0, size: size, started: Date())
                state.order.append(digest)
            }
            state.uploads[digest]?.sent += Int64(bytes)
            state.total += Int64(bytes)
        }
    }

    /// A blob is done: its bar goes away (the caller prints its line after this).
    func finished(_ digest: Digest) {
        state.withLock { state in
            state.uploads.removeValue(forKey: digest)
            state.order.removeAll { $0 == digest }
        }
        clear()
    }

    func render() {
        let (active, sent) = state.withLock { state in
            (state.order.compactMap { digest in state.uploads[digest].map { (digest, $0) } }, state.total)
        }
        guard sent > 0 else { return }
        guard interactive else {
            let rate = Double(sent) / max(Date().timeIntervalSince(started), 0.001)
            output.status("still pushing: \(ByteCount.format(sent)) sent, \(ByteCount.format(Int64(rate)))/s")
            return
        }
        var text = clearText()
        for (digest, upload) in active {
            let width = 24
            let filled = upload.size > 0 ? min(width, Int(Double(upload.sent) / Double(upload.size) * Double(width))) : 0
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            let rate = Double(upload.sent) / max(Date().timeIntervalSince(upload.started), 0.001)
            text += "  \(digest.hex.prefix(12)) [\(bar)] \(ByteCount.format(upload.sent)) / \(ByteCount.format(upload.size)) "
                + "\(ByteCount.format(Int64(rate)))/s\n"
        }
        state.withLock { $0.drawnLines = active.count }
        output.writeError(text)
    }

    /// Moves up over the bars drawn last and erases them.
    func clear() {
        guard interactive else { return }
        output.writeError(clearText())
        state.withLock { $0.drawnLines = 0 }
    }

    private func clearText() -> String {
        String(repeating: "\u{1B}[1A\u{1B}[2K", count: state.withLock { $0.drawnLines }) + "\r"
    }
}

extension PushMeter {
    /// Bytes counted for the live bars and the still-pushing line; nothing else printed.
    public var quietObserver: RegistryPush.Observer {
        var observer = RegistryPush.Observer()
        observer.bytesSent = { digest, bytes, size in self.add(digest, bytes, of: size) }
        observer.pushed = { report, _ in self.writeNotes(report) }
        return observer
    }

    /// The report's notes, one `slipway: note:` line each on standard error.
    func writeNotes(_ report: PushReport) {
        for note in report.notes { output.writeError("slipway: note: \(note)\n") }
    }

    /// The quiet observer plus a line per blob and one per pushed repository.
    public var observer: RegistryPush.Observer {
        var observer = quietObserver
        observer.blobDone = { blob in
            self.finished(blob.digest)
            let verb = blob.action == .uploaded ? "uploaded" : (blob.action == .mounted ? "mounted " : "exists  ")
            self.output.status("\(verb) \(blob.digest.hex.prefix(12)) \(ByteCount.format(blob.size))")
        }
        observer.pushed = { report, tags in
            self.writeNotes(report)
            self.output.write("pushed \(report.repository):\(tags.joined(separator: ",")) \(report.manifestDigest) "
                + "(\(report.uploaded) of \(report.blobs.count) blobs uploaded, \(ByteCount.format(report.bytesSent)))\n")
        }
        return observer
    }
}
