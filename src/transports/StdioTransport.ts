/**
 * The stdio transport, for desktop clients that spawn the server (Claude Desktop, Claude Code). stdout carries only
 * the protocol; logs go to stderr (see `Main`). Both protocol eras are served: the SDK's `serveStdio` reads the
 * opening exchange (an `initialize`, or a 2026-07-28 request with its `_meta` envelope) and pins the connection to
 * one server of that era. What it reads comes through `LineTransport`: stdin line by line with a bound
 * (`StdioLines`), each line checked (`RequestGuard.readLine`, then the bridge's own checks) before the SDK gets the
 * message, so a line that is not a message is answered, not dropped in silence; and at most `MAX_OPEN_REQUESTS`
 * requests open at once (`RequestPacer`), so a client that stops reading cannot fill the server's memory.
 */
import { type JSONRPCMessage, ProtocolErrorCode, type RequestId, type Transport as SdkTransport } from "@modelcontextprotocol/server"
import { serveStdio } from "@modelcontextprotocol/server/stdio"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import * as Schedule from "effect/Schedule"
import { type Connection, McpServer } from "../McpServer.js"
import { errorAnswer, readLine } from "../mcp/RequestGuard.js"
import { AppConfig } from "../services/AppConfig.js"
import { makeRequestPacer, type RequestPacer } from "./RequestPacer.js"
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

/** JSON-RPC's server-error code for a request the server will not start because it is stopping. */
const SHUTTING_DOWN = -32000

/** Requests one client may have open at once (more wait their turn), and how many may wait before stdin is paused. */
export const MAX_OPEN_REQUESTS = 16
const MAX_WAITING = 64

/** Writes one message to stdout, waiting for the pipe to drain when it is full. */
const writeOut = (message: JSONRPCMessage): Promise<void> =>
  new Promise((resolve, reject) => {
    if (!process.stdout.writable) return reject(new Error("stdout is closed"))
    if (process.stdout.write(JSON.stringify(message) + "\n")) resolve()
    else process.stdout.once("drain", resolve)
  })

const isAnswer = (message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId } =>
  "id" in message && ("result" in message || "error" in message) && message.id !== null

/**
 * The SDK's transport interface over our own reading of stdin and writing of stdout. The SDK's entry sets the
 * callbacks, starts it and closes it; messages reach it only through the pacer, and every answer written settles
 * its request there.
 */
class LineTransport implements SdkTransport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage) => void
  private stopLines: () => void = () => undefined
  private closed = false
  private sawRequest = false
  private end: () => void = () => undefined
  readonly pacer: RequestPacer
  /** Resolves when the connection has ended (the SDK closed the transport). */
  readonly ended = new Promise<void>((resolve) => (this.end = resolve))

  constructor(
    private readonly guard: (message: JSONRPCMessage) => JSONRPCMessage | undefined,
    private readonly warn: (text: string) => void
  ) {
    this.pacer = makeRequestPacer({
      limit: MAX_OPEN_REQUESTS,
      queue: MAX_WAITING,
      dispatch: (message) => this.onmessage?.(message),
      pause: () => process.stdin.pause(),
      resume: () => process.stdin.resume()
    })
  }

  async start() {
    // Each open request may wait on one "drain" of stdout: allow that many listeners without a warning.
    process.stdout.setMaxListeners(MAX_OPEN_REQUESTS + 10)
    this.stopLines = readLines(process.stdin, MAX_LINE_BYTES, {
      line: (text) => {
        const verdict = readLine(text)
        if (verdict._tag === "Drop") return this.warn(`stdin: ${verdict.reason}`)
        if (verdict._tag === "Message" && verdict.note !== undefined) this.warn(`stdin: ${verdict.note}`)
        const answer = verdict._tag === "Answer" ? verdict.answer : this.guard(verdict.message)
        if (answer !== undefined) return void this.send(answer).catch(() => undefined)
        if (verdict._tag !== "Message") return
        const message = verdict.message
        if ("method" in message && !("id" in message) && !this.sawRequest) {
          // A notification before any request means nothing yet, and the SDK would take its envelope (or the lack
          // of one) as the connection's era, which only an answered request may decide.
          return this.warn(`stdin: a ${message.method} before any request was ignored`)
        }
        if ("method" in message && "id" in message) this.sawRequest = true
        this.pacer.offer(message)
      },
      oversize: (bytes) => {
        this.warn(`stdin: a line of ${bytes} bytes was skipped (the limit is ${MAX_LINE_BYTES})`)
        const refusal = `Invalid Request: a message of more than ${MAX_LINE_BYTES} bytes was refused`
        void this.send(errorAnswer(null, ProtocolErrorCode.InvalidRequest, refusal)).catch(() => undefined)
      }
    })
  }

  async send(message: JSONRPCMessage) {
    await writeOut(message)
    if (isAnswer(message)) this.pacer.settle(message.id)
  }

  /** Reads no more of stdin (what is in flight still gets its answer). */
  stopReading() {
    this.stopLines()
  }

  /** Called by the SDK's entry when the connection ends. */
  async close() {
    if (this.closed) return
    this.closed = true
    this.stopLines()
    this.onclose?.()
    this.end()
  }
}

export const StdioTransportLive = Layer.effect(
  Transport,
  Effect.gen(function*() {
    const mcp = yield* McpServer
    const { shutdownGrace } = yield* AppConfig
    return {
      name: "stdio",
      serve: Effect.scoped(
        Effect.gen(function*() {
          const runFork = Runtime.runFork(yield* Effect.runtime<never>())
          const transport = new LineTransport(mcp.guard, (text) => void runFork(Effect.logWarning(text)))
          // The servers the entry made: one per connection (two when a 2026-07-28 probe came before an initialize).
          const connections = new Set<Connection>()
          const inFlight = () => [...connections].reduce((n, c) => n + c.inFlight(), 0)
          const ended = Effect.promise(() => transport.ended)
          let clientGone = false
          yield* Effect.acquireRelease(
            Effect.sync(() =>
              serveStdio(() => {
                const connection = mcp.make({ onCancelled: (id) => transport.pacer.settle(id) })
                connections.add(connection)
                connection.server.onclose = () => connections.delete(connection)
                return connection.server
              }, {
                transport,
                onerror: (error) => void runFork(Effect.logDebug(`stdio: ${error.message}`))
              })
            ),
            (handle) =>
              Effect.gen(function*() {
                transport.stopReading()
                if (!clientGone) {
                  // Requests still waiting their turn were never started: they are answered so, not left hanging.
                  for (const waiting of transport.pacer.drain()) {
                    yield* Effect.promise(() =>
                      transport.send(errorAnswer(
                        waiting.id,
                        SHUTTING_DOWN,
                        "Not started: the server is shutting down; nothing was sent to Intervals.icu. Send it " +
                          "again once the server is back."
                      )).catch(() => undefined)
                    )
                  }
                }
                if (inFlight() > 0 && !clientGone) {
                  // Told to stop (SIGTERM) with calls in flight: they get the grace to finish, then an answer that
                  // says they were stopped, as over HTTP.
                  const graceMillis = Duration.toMillis(shutdownGrace)
                  yield* Effect.logInfo(`shutting down: ${inFlight()} call(s) in flight get up to ${graceMillis} ms`)
                  const finished = yield* waitUntil(() => inFlight() === 0, shutdownGrace)
                  if (!finished) {
                    yield* Effect.logWarning(`stopping ${inFlight()} call(s) still in flight after the grace`)
                    for (const connection of connections) connection.stopAll()
                    yield* waitUntil(() => transport.pacer.open() === 0, Duration.millis(500))
                  }
                } else if (inFlight() > 0) {
                  // Closing cancels what is in flight, and nothing can answer it any more: say so, not silently.
                  yield* Effect.logWarning(`stopping with ${inFlight()} call(s) in flight; they get no answer`)
                }
                yield* Effect.promise(() => handle.close())
              })
          )
          yield* Effect.logInfo("intervals-mcp serving MCP over stdio")
          yield* Effect.raceFirst(Effect.tap(stdinClosed, () => Effect.sync(() => (clientGone = true))), ended)
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
