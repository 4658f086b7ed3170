import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where service output goes: one file per service and, optionally, a multiplexed stream
/// (the terminal of a foreground `slipway up`) with aligned, coloured name prefixes.
///
/// Each call writes whole lines with one `write(2)` per destination, under a lock, so lines
/// of concurrent services never interleave mid-line. Thread-safe.
public final class LogSink: Sendable {
    private struct State {
        var files: [String: Int32] = [:]
        var colours: [String: Int] = [:]
    }

    private let state = Mutex(State())
    /// Folder of `<service>.log` files (`.slipway/state/<profile>/logs`).
    public let directory: String
    /// File descriptor of the multiplexed stream, or -1 for none.
    public let console: Int32
    public let useColour: Bool
    /// Width the name prefix is padded to.
    public let prefixWidth: Int
    private let lineObservers = Mutex<[String: @Sendable (String) -> Void]>([:])

    /// - Parameters:
    ///   - directory: created if missing.
    ///   - console: e.g. `STDOUT_FILENO`, or -1.
    ///   - names: the services, to align prefixes.
    public init(directory: String, console: Int32, names: [String]) {
        self.directory = directory
        self.console = console
        self.useColour = console >= 0 && isatty(console) == 1 && getenv("NO_COLOR") == nil
        self.prefixWidth = max(names.map(\.count).max() ?? 0, 4)
        mkdir(directory, 0o755)
        state.withLock { state in
            for (i, name) in names.enumerated() { state.colours[name] = i }
        }
    }

    /// Called with every line of `service` (for `log` readiness probes), as text.
    public func observe(_ service: String, _ observer: (@Sendable (String) -> Void)?) {
        lineObservers.withLock { $0[service] = observer }
    }

    public func logPath(_ service: String) -> String { directory + "/" + service + ".log" }

    /// Writes lines of one service. `lines` are without terminators.
    public func write(_ service: String, lines: [ArraySlice<UInt8>]) {
        guard !lines.isEmpty else { return }
        var fileBytes: [UInt8] = []
        fileBytes.reserveCapacity(lines.reduce(0) { $0 + $1.count + 1 })
        for line in lines {
            fileBytes.append(contentsOf: line)
            fileBytes.append(0x0A)
        }
        var consoleBytes: [UInt8] = []
        if console >= 0 {
            let prefix = Array(self.prefix(service).utf8)
            consoleBytes.reserveCapacity(fileBytes.count + lines.count * prefix.count)
            for line in lines {
                consoleBytes.append(contentsOf: prefix)
                consoleBytes.append(contentsOf: line)
                consoleBytes.append(0x0A)
            }
        }
        state.withLock { state in
            let fd = fileDescriptor(service, &state)
            if fd >= 0 { writeAll(fd, fileBytes) }
            if console >= 0 { writeAll(console, consoleBytes) }
        }
        if let observer = lineObservers.withLock({ $0[service] }) {
            for line in lines { observer(String(decoding: line, as: UTF8.self)) }
        }
    }

    /// A Slipway message about a service (started, exited, restarting), to its log and console.
    public func note(_ service: String, _ text: String) {
        write(service, lines: [Array("[slipway] \(text)".utf8)[...]])
    }

    /// Closes the log files.
    public func close() {
        state.withLock { state in
            for fd in state.files.values { Glibc.close(fd) }
            state.files.removeAll()
        }
    }

    private func prefix(_ service: String) -> String {
        let padded = service + String(repeating: " ", count: max(0, prefixWidth - service.count))
        guard useColour else { return padded + " | " }
        let palette = [36, 33, 32, 35, 34, 91, 96, 93, 92, 95]
        let index = state.withLock { $0.colours[service] } ?? 0
        return "\u{1B}[\(palette[index % palette.count])m\(padded) |\u{1B}[0m "
    }

    private func fileDescriptor(_ service: String, _ state: inout State) -> Int32 {
        if let fd = state.files[service] { return fd }
        let fd = open(logPath(service), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        if fd >= 0 { state.files[service] = fd }
        return fd
    }

    /// A failed write (a full disk, a closed terminal) loses those lines; the service runs on.
    /// `write(2)` until every byte is out (a pipe or terminal may take part of it), retrying on EINTR.
    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
            }
        }
    }
}
