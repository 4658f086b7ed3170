import Foundation
import SlipwayCore
import SlipwayOCI
import SlipwayRegistry
import Synchronization

/// Upload progress: on a terminal, one live bar per blob being uploaded (bytes and rate),
/// redrawn in place; otherwise a "still pushing" line every 10 s, so a long push shows that it
/// is alive.
final class PushMeter: Sendable {
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
    private let started = Date()

    init(total: Int64, interactive: Bool) {
        self.interactive = interactive
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
            Terminal.status("still pushing: \(ByteCount.format(sent)) sent, \(ByteCount.format(Int64(rate)))/s")
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
        Terminal.writeError(text)
    }

    /// Moves up over the bars drawn last and erases them.
    func clear() {
        guard interactive else { return }
        Terminal.writeError(clearText())
        state.withLock { $0.drawnLines = 0 }
    }

    private func clearText() -> String {
        String(repeating: "\u{1B}[1A\u{1B}[2K", count: state.withLock { $0.drawnLines }) + "\r"
    }
}

extension PushMeter {
    /// Bytes counted for the live bars and the still-pushing line; nothing else printed.
    var quietObserver: RegistryPush.Observer {
        var observer = RegistryPush.Observer()
        observer.bytesSent = { digest, bytes, size in self.add(digest, bytes, of: size) }
        return observer
    }

    /// The quiet observer plus a line per blob and one per pushed repository.
    var observer: RegistryPush.Observer {
        var observer = quietObserver
        observer.blobDone = { blob in
            self.finished(blob.digest)
            let verb = blob.action == .uploaded ? "uploaded" : (blob.action == .mounted ? "mounted " : "exists  ")
            Terminal.status("\(verb) \(blob.digest.hex.prefix(12)) \(ByteCount.format(blob.size))")
        }
        observer.pushed = { report, tags in
            Terminal.write("pushed \(report.repository):\(tags.joined(separator: ",")) \(report.manifestDigest) "
                + "(\(report.uploaded) of \(report.blobs.count) blobs uploaded, \(ByteCount.format(report.bytesSent)))\n")
        }
        return observer
    }
}
