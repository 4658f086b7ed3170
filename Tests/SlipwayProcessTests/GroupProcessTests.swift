import Foundation
import Synchronization
import Testing
@testable import SlipwayProcess

/// Real programs through ``GroupProcess`` and its ``ProcessReactor``: lines in order, exit
/// statuses and signals, the wait for every holder of the pipe, many at once, and start errors.
@Suite("Group processes")
struct GroupProcessTests {
    /// A sink's log folder in a fresh temporary folder, and the lines it got.
    final class Capture: Sendable {
        let folder = NSTemporaryDirectory() + "slipway-groupprocess-\(UUID().uuidString)"
        let sink: LogSink

        init() { sink = LogSink(directory: folder, console: -1, names: []) }

        func lines(_ name: String) -> [String] {
            let text = (try? String(contentsOfFile: sink.logPath(name), encoding: .utf8)) ?? ""
            return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        }

        deinit { try? FileManager.default.removeItem(atPath: folder) }
    }

    func run(_ script: String, name: String = "p", cwd: String = "/", capture: Capture) async throws
        -> GroupProcess.Termination
    {
        let started = Mutex<pid_t>(0)
        let (pid, termination) = try await GroupProcess.run(
            ["/bin/sh", "-c", script], environment: ["PATH": "/usr/bin:/bin", "GREETING": "hello"], cwd: cwd,
            name: name, sink: capture.sink
        ) { pid in started.withLock { $0 = pid } }
        #expect(started.withLock { $0 } == pid)
        #expect(kill(pid, 0) != 0, "the leader was not reaped")
        return termination
    }

    @Test("standard output and error arrive as lines in the order written, the unterminated rest last")
    func linesInOrder() async throws {
        let capture = Capture()
        let status = try await run(
            "echo one; echo two >&2; echo \"$GREETING\"; printf 'rest'", capture: capture)
        #expect(status == .exited(0))
        #expect(capture.lines("p") == ["one", "two", "hello", "rest"])
    }

    @Test("exit statuses and killing signals are told apart")
    func statuses() async throws {
        let capture = Capture()
        #expect(try await run("exit 7", capture: capture) == .exited(7))
        #expect(try await run("kill -TERM $$", capture: capture) == .signaled(SIGTERM))
    }

    @Test("it returns only once a background child holding the output has closed it")
    func waitsForThePipe() async throws {
        let capture = Capture()
        let clock = ContinuousClock()
        let begin = clock.now
        let status = try await run("(sleep 0.3; echo late) & echo early", capture: capture)
        #expect(status == .exited(0))
        #expect(clock.now - begin >= .milliseconds(300))
        #expect(capture.lines("p") == ["early", "late"])
    }

    @Test("a hundred programs at once each get their own lines and status")
    func manyAtOnce() async throws {
        let capture = Capture()
        let results = try await withThrowingTaskGroup(of: (Int, GroupProcess.Termination).self) { group in
            for i in 0..<100 {
                group.addTask {
                    (i, try await run("i=0; while [ $i -lt 50 ]; do echo \(i)-$i; i=$((i+1)); done; exit \(i % 3)",
                                      name: "p\(i)", capture: capture))
                }
            }
            var all: [Int: GroupProcess.Termination] = [:]
            for try await (i, status) in group { all[i] = status }
            return all
        }
        for i in 0..<100 {
            #expect(results[i] == .exited(Int32(i % 3)))
            #expect(capture.lines("p\(i)") == (0..<50).map { "\(i)-\($0)" })
        }
    }

    @Test("a long burst of output is read whole")
    func bigOutput() async throws {
        let capture = Capture()
        let status = try await run("i=0; while [ $i -lt 20000 ]; do echo line-$i; i=$((i+1)); done", capture: capture)
        #expect(status == .exited(0))
        let lines = capture.lines("p")
        #expect(lines.count == 20000)
        #expect(lines.last == "line-19999")
    }

    @Test("a missing program or working folder is an error, not a process")
    func startErrors() async throws {
        let capture = Capture()
        await #expect(throws: ProcessError.self) {
            _ = try await GroupProcess.run(
                ["/nonexistent/program"], environment: [:], cwd: "/", name: "p", sink: capture.sink) { _ in }
        }
        do {
            _ = try await run("true", cwd: "/nonexistent-folder", capture: capture)
            Issue.record("a missing working folder started a process")
        } catch {
            #expect((error as? ProcessError)?.message.contains("/nonexistent-folder") == true, "\(error)")
        }
    }
}
