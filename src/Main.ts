/**
 * The program's entry. With no arguments it is the MCP server (stdio unless `MCP_TRANSPORT` says otherwise), as
 * desktop clients start it; with any argument (`--demo`, `--help`, `check`, `call …`) the command line is loaded and
 * decides, so that the server's cold start never pays for argument parsing.
 */
import { provideConfig, runMain, serve } from "./Layers.js"

process.setSourceMapsEnabled(true)

if (process.argv.length > 2) {
  const { cli } = await import("./cli/Cli.js")
  runMain(cli(process.argv))
} else {
  runMain(provideConfig({})(serve))
}
