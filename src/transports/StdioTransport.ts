/**
 * The stdio transport, for desktop clients that spawn the server (Claude Desktop, Claude Code). stdout carries only
 * the protocol; logs go to stderr (see `Main`). stdin is read here, line by line with a bound (`StdioLines`), and
 * each line checked (`RequestGuard.readLine`) before the SDK's transport gets the message: a line that is not a
 * message is answered, not dropped in silence.
 */
import { PassThrough } from "node:stream"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { ErrorCode, type JSONRPCMessage, type RequestId } from "@modelcontextprotocol/sdk/types.js"
import { Duration, Effect, Layer, Runtime, Schedule } from "effect"
import { McpServer } from "../McpServer.js"
import { errorAnswer, readLine } from "../mcp/RequestGuard.js"
import { AppConfig } from "../services/AppConfig.js"
import { makeRequestPacer } from "./RequestPacer.js"
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

/** Requests one client may have open at once (more wait their turn), and how many may wait before stdin is paused. */
export const MAX_OPEN_REQUESTS = 16
const MAX_WAITING = 64

export const StdioTransportLive = Layer.effect(
  Transport,
  Effect.gen(function*() {
    const mcp = yield* McpServer
    const { shutdownGrace } = yield* AppConfig
    return {
      name: "stdio",
      serve: Effect.scoped(
        Effect.gen(function*() {
          // Set once the pacer exists: the connection reports a cancelled call (which gets no answer) through it.
          let settle: (id: RequestId) => void = () => undefined
          const connection = mcp.make({ onCancelled: (id) => settle(id) })
          const closed = Effect.async<void>((resume) => {
            connection.server.onclose = () => resume(Effect.void)
          })
          const runFork = Runtime.runFork(yield* Effect.runtime<never>())
          // The SDK's transport writes stdout; what it reads is fed below, so it is given a stream nobody writes.
          const transport = new StdioServerTransport(new PassThrough(), process.stdout)
          // Each open request may wait on one "drain" of stdout: allow that many listeners without a warning.
          process.stdout.setMaxListeners(MAX_OPEN_REQUESTS + 10)
          const pacer = makeRequestPacer({
            limit: MAX_OPEN_REQUESTS,
            queue: MAX_WAITING,
            dispatch: (message) => transport.onmessage?.(message),
            pause: () => process.stdin.pause(),
            resume: () => process.stdin.resume()
          })
          settle = pacer.settle
          const send = transport.send.bind(transport)
          transport.send = async (message: JSONRPCMessage) => {
            await send(message)
            if ("id" in message && ("result" in message || "error" in message) && message.id !== null) {
              pacer.settle(message.id as RequestId)
            }
          }
          const startReading = () =>
            readLines(process.stdin, MAX_LINE_BYTES, {
              line: (text) => {
                const verdict = readLine(text)
                if (verdict._tag === "Message") return pacer.offer(verdict.message)
                if (verdict._tag === "Answer") return void transport.send(verdict.answer).catch(() => undefined)
                runFork(Effect.logWarning(`stdin: ${verdict.reason}`))
              },
              oversize: (bytes) => {
                runFork(Effect.logWarning(`stdin: a line of ${bytes} bytes was skipped (the limit is ${MAX_LINE_BYTES})`))
                const refusal = `Invalid Request: a message of more than ${MAX_LINE_BYTES} bytes was refused`
                void transport.send(errorAnswer(null, ErrorCode.InvalidRequest, refusal)).catch(() => undefined)
              }
            })
          let clientGone = false
          yield* Effect.acquireRelease(
            Effect.promise(() => connection.connect(transport)).pipe(Effect.map(startReading)),
            (stopReading) =>
              Effect.gen(function*() {
                stopReading()
                if (connection.inFlight() > 0 && !clientGone) {
                  // Told to stop (SIGTERM) with calls in flight: they get the grace to finish, then an answer that
                  // says they were stopped, as over HTTP.
                  const graceMillis = Duration.toMillis(shutdownGrace)
                  yield* Effect.logInfo(
                    `shutting down: ${connection.inFlight()} call(s) in flight get up to ${graceMillis} ms`
                  )
                  const finished = yield* waitUntil(() => connection.inFlight() === 0, shutdownGrace)
                  if (!finished) {
                    yield* Effect.logWarning(`stopping ${connection.inFlight()} call(s) still in flight after the grace`)
                    connection.stopAll()
                    yield* waitUntil(() => pacer.open() === 0, Duration.millis(500))
                  }
                } else if (connection.inFlight() > 0) {
                  // Closing cancels what is in flight, and nothing can answer it any more: say so, not silently.
                  yield* Effect.logWarning(`stopping with ${connection.inFlight()} call(s) in flight; they get no answer`)
                }
                yield* Effect.promise(() => connection.server.close())
              })
          )
          yield* Effect.logInfo("intervals-mcp serving MCP over stdio")
          yield* Effect.raceFirst(Effect.tap(stdinClosed, () => Effect.sync(() => (clientGone = true))), closed)
          yield* Effect.logInfo("stdin closed; shutting down")
        })
      )
    }
  })
)

/** Waits until `done()` holds, looking every 20 ms, for at most `limit`; whether it came true. */
const waitUntil = (done: () => boolean, limit: Duration.Duration): Effect.Effect<boolean> =>
  Effect.repeat(Effect.sync(done), { until: (ok) => ok, schedule: Schedule.spaced(Duration.millis(20)) }).pipe(
    // Interruptible, so that the timeout can end the wait: a finalizer (where this runs) is uninterruptible otherwise.
    Effect.interruptible,
    Effect.timeoutOption(limit),
    Effect.map((result) => result._tag === "Some")
  )
