import Foundation
import SlipwayCore
import SlipwayOCI

/// Upload progress: on a terminal, one live bar per blob being uploaded (bytes and rate),
/// redrawn in place; otherwise a "still pushing" line every 10 s, so a long push shows that it
/// is alive.
final class PushMeter: @unchecked Sendable {
    private struct Upload {
        var sent: Int64
        var size: Int64
        var started: Date
    }

    private let lock = NSLock()
    private var uploads: [Digest: Upload] = [:]
    private var order: [Digest] = []
    private var total: Int64 = 0
    private let interactive: Bool
    private let started = Date()
    private var drawnLines = 0

    init(total: Int64, interactive: Bool) {
        self.interactive = interactive
    }

    func add(_ digest: Digest, _ bytes: Int, of size: Int64) {
        lock.lock()
        defer { lock.unlock() }
        if uploads[digest] == nil {
            uploads[digest] = Upload(sent: 0, size: size, started: Date())
            order.append(digest)
        }
        uploads[digest]?.sent += Int64(bytes)
        total += Int64(bytes)
    }

    /// A blob is done: its bar goes away (the caller prints its line after this).
    func finished(_ digest: Digest) {
        lock.lock()
        uploads.removeValue(forKey: digest)
        order.removeAll { $0 == digest }
        lock.unlock()
        clear()
    }

    func render() {
        lock.lock()
        let active = order.compactMap { digest in uploads[digest].map { (digest, $0) } }
        let sent = total
        lock.unlock()
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
            text += "  \(digest.hex.prefix(12)) [\(bar)] \(ByteCount.format(upload.sent)) / \(ByteCount.format(upload.size)) \(ByteCount.format(Int64(rate)))/s\n"
        }
        lock.lock(); drawnLines = active.count; lock.unlock()
        Terminal.writeError(text)
    }

    /// Moves up over the bars drawn last and erases them.
    func clear() {
        guard interactive else { return }
        Terminal.writeError(clearText())
        lock.lock(); drawnLines = 0; lock.unlock()
    }

    private func clearText() -> String {
        lock.lock(); let lines = drawnLines; lock.unlock()
        return String(repeating: "\u{1B}[1A\u{1B}[2K", count: lines) + "\r"
    }
}
