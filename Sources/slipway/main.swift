import SlipwayCommands

await Slipway.runMain()
