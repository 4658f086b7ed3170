import Foundation
import SlipwayCore
import SlipwaySupervisor

/// Supervisors of the same project for other profiles (their control sockets answer).
enum OtherSupervisors {
    static func running(layout: ProjectLayout, except profile: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: layout.runDir)) ?? []
        return names.filter { $0.hasSuffix(".sock") }.map { String($0.dropLast(5)) }.filter { $0 != profile }
            .filter { ControlClient(path: layout.controlSocket(profile: $0)).isAlive }.sorted()
    }
}
