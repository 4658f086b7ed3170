/// Cuts a byte stream into whole lines.
///
/// `\n` ends a line; `\r\n` counts as one `\n`; a lone `\r` (progress bars redrawing a line)
/// also ends one. A line longer than ``maxLineLength`` bytes is cut there and continued on the
/// next line, so one runaway line cannot grow memory without bound. Bytes after the last
/// newline wait for more input; ``finish()`` returns them when the stream ends.
public struct LineSplitter: Sendable {
    /// The longest line emitted, in bytes (default 1 MiB: longer lines are cut so that one runaway
    /// line cannot grow memory without bound; JSON log lines of tens of KiB stay whole).
    public let maxLineLength: Int
    private var pending: [UInt8] = []
    private var lastWasCR = false

    public init(maxLineLength: Int = 1024 * 1024) {
        self.maxLineLength = maxLineLength
    }

    /// Appends `bytes` and calls `emit` with each completed line (without its terminator).
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (ArraySlice<UInt8>) -> Void) {
        var start = 0
        let count = bytes.count
        var i = 0
        while i < count {
            let byte = bytes[i]
            if byte == 0x0A || byte == 0x0D {
                if byte == 0x0A && lastWasCR && i == start && pending.isEmpty {
                    // The \n of a \r\n whose \r already ended the line.
                    lastWasCR = false
                    i += 1
                    start = i
                    continue
                }
                emitLine(bytes, start, i, emit)
                lastWasCR = byte == 0x0D
                i += 1
                start = i
                continue
            }
            lastWasCR = false
            if pending.count + (i - start) >= maxLineLength {
                emitLine(bytes, start, i, emit)
                start = i
            }
            i += 1
        }
        if start < count {
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<count]))
        }
    }

    /// The unterminated rest, if any, as a last line.
    public mutating func finish(_ emit: (ArraySlice<UInt8>) -> Void) {
        if !pending.isEmpty {
            emit(pending[...])
            pending.removeAll()
        }
        lastWasCR = false
    }

    private mutating func emitLine(
        _ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ emit: (ArraySlice<UInt8>) -> Void
    ) {
        if pending.isEmpty {
            emit(Array(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))[...])
        } else {
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
            emit(pending[...])
            pending.removeAll(keepingCapacity: true)
        }
    }
}
