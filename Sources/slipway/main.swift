import SlipwayCommands
import SlipwayProcess

// Before any thread starts: a service that must run as another account enters here.
UserSwitch.runIfRequested(CommandLine.arguments)

Terminal.survivesBrokenPipes()

await Slipway.runMain()
