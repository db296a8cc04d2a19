/**
 * The stdio transport, for desktop clients that spawn the server (Claude Desktop, Claude Code). stdout carries only
 * the protocol; logs go to stderr (see `Main`). stdin is read here, line by line with a bound (`StdioLines`), and
 * each line checked (`RequestGuard.readLine`) before the SDK's transport gets the message: a line that is not a
 * message is answered, not dropped in silence.
 */
import { PassThrough } from "node:stream"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js"
import { Effect, Layer, Runtime } from "effect"
import { McpServer } from "../McpServer.js"
import { errorAnswer, readLine } from "../mcp/RequestGuard.js"
import { readLines } from "./StdioLines.js"
import { Transport } from "./Transport.js"

/** The longest line read on stdin: far above any real request (a season's plan is well under 1 MiB). */
export const MAX_LINE_BYTES = 4 * 1024 * 1024

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
        const runFork = Runtime.runFork(yield* Effect.runtime<never>())
        // The SDK's transport writes stdout; what it reads is fed below, so it is given a stream nobody writes.
        const transport = new StdioServerTransport(new PassThrough(), process.stdout)
        const stopReading = () =>
          readLines(process.stdin, MAX_LINE_BYTES, {
            line: (text) => {
              const verdict = readLine(text)
              if (verdict._tag === "Message") return transport.onmessage?.(verdict.message)
              if (verdict._tag === "Answer") return void transport.send(verdict.answer).catch(() => undefined)
              runFork(Effect.logWarning(`stdin: ${verdict.reason}`))
            },
            oversize: (bytes) => {
              runFork(Effect.logWarning(`stdin: a line of ${bytes} bytes was skipped (the limit is ${MAX_LINE_BYTES})`))
              const refusal = `Invalid Request: a message of more than ${MAX_LINE_BYTES} bytes was refused`
              void transport.send(errorAnswer(null, ErrorCode.InvalidRequest, refusal)).catch(() => undefined)
            }
          })
        yield* Effect.acquireRelease(
          Effect.promise(() => connection.connect(transport)).pipe(Effect.map(stopReading)),
          (stop) =>
            Effect.sync(stop).pipe(
              // Closing cancels what is in flight, and nothing can answer it any more: say so, not silently.
              Effect.zipRight(
                connection.inFlight() > 0
                  ? Effect.logWarning(`stopping with ${connection.inFlight()} call(s) in flight; they get no answer`)
                  : Effect.void
              ),
              Effect.zipRight(Effect.promise(() => connection.server.close()))
            )
        )
        yield* Effect.logInfo("intervals-mcp serving MCP over stdio")
        yield* Effect.raceFirst(stdinClosed, closed)
        yield* Effect.logInfo("stdin closed; shutting down")
      })
    )
  }))
)
