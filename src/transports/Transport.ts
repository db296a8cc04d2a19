/**
 * A transport serves the MCP server to clients until it is done (stdin closed, or the process told to stop).
 * `Main` picks one layer from `MCP_TRANSPORT`; transports know nothing of Intervals.icu or of individual tools.
 */
import { Context, type Effect } from "effect"

export class Transport extends Context.Tag("Transport")<Transport, {
  readonly name: string
  readonly serve: Effect.Effect<void>
}>() {}
