/**
 * The stdio transport, for desktop clients that spawn the server (Claude Desktop, Claude Code). stdout carries only
 * the protocol; logs go to stderr (see `Main`).
 */
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { Effect, Layer } from "effect"
import { McpServer } from "../McpServer.js"
import { Transport } from "./Transport.js"

/**
 * Resolves when the client goes away. The SDK's transport does not notice stdin closing, so without this the
 * process would outlive the client that spawned it.
 */
const stdinClosed = Effect.async<void>((resume) => {
  const done = () => resume(Effect.void)
  process.stdin.once("end", done)
  process.stdin.once("close", done)
  return Effect.sync(() => {
    process.stdin.off("end", done)
    process.stdin.off("close", done)
  })
})

export const StdioTransportLive = Layer.effect(
  Transport,
  Effect.map(McpServer, (mcp) => ({
    name: "stdio",
    serve: Effect.scoped(
      Effect.gen(function*() {
        const connection = mcp.make()
        const closed = Effect.async<void>((resume) => {
          connection.server.onclose = () => resume(Effect.void)
        })
        yield* Effect.acquireRelease(
          Effect.promise(() => connection.connect(new StdioServerTransport())),
          () =>
            Effect.zipRight(
              // Closing cancels what is in flight, and nothing can answer it any more: say so, not silently.
              connection.inFlight() > 0
                ? Effect.logWarning(`stopping with ${connection.inFlight()} call(s) in flight; they get no answer`)
                : Effect.void,
              Effect.promise(() => connection.server.close())
            )
        )
        yield* Effect.logInfo("intervals-mcp serving MCP over stdio")
        yield* Effect.raceFirst(stdinClosed, closed)
        yield* Effect.logInfo("stdin closed; shutting down")
      })
    )
  }))
)
