/**
 * A transport serves the MCP server to clients until it is done (stdin closed, or the process told to stop).
 * `Main` picks one layer from `MCP_TRANSPORT`; transports know nothing of Intervals.icu or of individual tools.
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"

export class Transport extends Context.Tag("Transport")<Transport, {
  readonly name: string
  /** Runs until the client is gone or the program is interrupted; fails only if it cannot start (a port in use). */
  readonly serve: Effect.Effect<void, Error>
}>() {}
