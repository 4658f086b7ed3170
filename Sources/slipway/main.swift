import SlipwayCommands
import SlipwayProcess

// Before any thread starts: a service that must run as another account enters here.
UserSwitch.runIfRequested(CommandLine.arguments)
// The watchdog beside `run` and `up` (GuardianLink): no argument parsing.
GuardianLink.runIfRequested(CommandLine.arguments)
// A warm `slipway exec`: replaced by the command here, on the main thread, with no other started.
Slipway.execIfWarm()

Terminal.survivesBrokenPipes()

await Slipway.runMain()
