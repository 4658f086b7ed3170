import ArgumentParser
import SlipwayProcess

/// `slipway __guardian` (internal): see ``GuardianLink``.
struct GuardianCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "__guardian", shouldDisplay: false)

    @Argument var token: String = ""

    func run() throws {
        GuardianLink.runGuardian(token: token)
    }
}
