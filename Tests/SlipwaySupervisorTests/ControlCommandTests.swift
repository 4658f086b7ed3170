import Foundation
import Testing

@testable import SlipwaySupervisor

/// Control-socket requests: the enum and the wire format it must keep.
@Suite("Control commands")
struct ControlCommandTests {
    @Test("every command survives a JSON round trip", arguments: ControlCommand.allCases)
    func roundTrip(_ command: ControlCommand) throws {
        let request = ControlProtocol.Request(command: command, service: command.needsService ? "db" : nil)
        let data = try JSONEncoder().encode(request)
        #expect(try JSONDecoder().decode(ControlProtocol.Request.self, from: data) == request)
    }

    @Test("the wire format is the command's name, as before the enum")
    func wireFormat() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(ControlProtocol.Request(command: .start, service: "db"))
        #expect(String(decoding: data, as: UTF8.self) == #"{"command":"start","service":"db"}"#)
        let old = Data(#"{"command":"ps"}"#.utf8)
        #expect(try JSONDecoder().decode(ControlProtocol.Request.self, from: old).command == .ps)
        #expect(ControlCommand.allCases.map(\.rawValue) == ["ps", "start", "stop", "restart", "down"])
    }

    @Test("an unknown command does not decode")
    func unknown() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ControlProtocol.Request.self, from: Data(#"{"command":"explode"}"#.utf8))
        }
    }
}

/// When a service counts as settled after a start.
@Suite("Settling")
struct SettlingTests {
    func row(_ state: ServiceState, reason: String? = nil, restarts: Int = 0, uptime: Double? = 10) -> ServiceStatus {
        ServiceStatus(
            name: "db", pid: nil, state: state, restarts: restarts, port: nil, uptime: uptime, exitStatus: nil, reason: reason)
    }

    @Test("a service without a probe is started once it has run a little, longer after a restart")
    func runningLongEnough() {
        #expect(Settling.verdict(row(.running, uptime: 0.05)) == .pending)
        #expect(Settling.verdict(row(.running, uptime: 0.3)) == .settled)
        #expect(Settling.verdict(row(.running, restarts: 1, uptime: 0.3)) == .pending, "a crash loop is not running")
        #expect(Settling.verdict(row(.running, restarts: 1, uptime: 2.5)) == .settled)
        #expect(Settling.verdict(row(.ready, restarts: 3, uptime: 0.1)) == .settled, "a probe that passed decides")
    }

    @Test(
        "verdict per state",
        arguments: [
            (ServiceState.pending, Settling.Verdict.pending), (.starting, .pending), (.restarting, .pending),
            (.stopped, .pending), (.ready, .settled), (.running, .settled), (.exited, .settled),
            (.failed, .failed("failed")),
        ])
    func verdict(_ state: ServiceState, _ expected: Settling.Verdict) {
        #expect(Settling.verdict(row(state)) == expected)
    }

    @Test("a missing row is pending; stopped fails when asked; the reason is kept")
    func details() {
        #expect(Settling.verdict(nil) == .pending)
        #expect(Settling.verdict(row(.stopped), stoppedFails: true) == .failed("stopped"))
        #expect(Settling.verdict(row(.failed, reason: "exited with status 3")) == .failed("exited with status 3"))
        let (pending, failed) = Settling.verdict([row(.ready)], services: ["db", "cache"])
        #expect(pending)
        #expect(failed.isEmpty)
    }

    @Test("poll returns the first value, or nil after the timeout")
    func poll() async throws {
        var calls = 0
        let value = try await Settling.poll(every: .milliseconds(1)) { () -> Int? in
            calls += 1
            return calls == 3 ? calls : nil
        }
        #expect(value == 3)
        let none = try await Settling.poll(every: .milliseconds(5), timeout: .milliseconds(30)) { () -> Int? in nil }
        #expect(none == nil)
    }
}
