/**
 * The bridge between the tool registry and the MCP SDK's low-level `Server`. It advertises each tool with the JSON
 * Schema generated from its `Schema`s, runs `tools/call` through `callTool` with the services, and keeps, for each
 * connection, the calls in flight: a cancelled call or a client that went away stops only its own call, and at
 * shutdown what is left can be stopped with an answer that says so. Transports ask it for a `Connection` and know
 * nothing else.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import type { Transport as SdkTransport } from "@modelcontextprotocol/sdk/shared/transport.js"
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv"
import type { jsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js"
import {
  type CallToolResult,
  ListToolsRequestSchema,
  type RequestId
} from "@modelcontextprotocol/sdk/types.js"
import { Effect, Runtime } from "effect"
import { z } from "zod"
import { DEMO_NOTICE } from "./demo/DemoIdentity.js"
import { checkRequest } from "./mcp/RequestGuard.js"
import { callTool, errorResult, tooDeepMessage } from "./mcp/ToolCall.js"
import { listing } from "./mcp/ToolListing.js"
import { AppConfig } from "./services/AppConfig.js"
import { makeJournal, WriteJournal } from "./services/WriteJournal.js"
import { describe } from "./services/Decoding.js"
import { allTools, toolsFor, writes } from "./tools/Registry.js"
import type { ToolContext } from "./tools/Tool.js"
import { Version } from "./Version.js"

export { callTool } from "./mcp/ToolCall.js"
export { listing } from "./mcp/ToolListing.js"

const INSTRUCTIONS = "Intervals.icu training data for one athlete (or athletes who share with them). Dates are the " +
  "athlete's local dates, YYYY-MM-DD, inclusive. List first (get_activities, get_events, get_wellness_data), then " +
  "open one item by its id. Distances are metres, times seconds, power watts, work kJ in structured results."

/**
 * `tools/call` as the SDK should read it: its params are checked by the bridge (`RequestGuard`), which answers a
 * malformed request in one line rather than with a validation dump.
 */
const CallToolRequest = z.object({ method: z.literal("tools/call"), params: z.unknown() })

/** In demo mode, every answer says so first: a model must never mistake the sample athlete for the user. */
const withNotice = (result: CallToolResult): CallToolResult => ({
  ...result,
  content: result.content.map((part, index) =>
    index === 0 && part.type === "text" ? { ...part, text: `${DEMO_NOTICE}\n${part.text}` } : part
  )
})

/** One client's connection: an SDK server wired to the tools, with its calls in flight. */
export interface Connection {
  readonly server: Server
  /** Connects to a transport, with the bridge's request checks in front of the SDK. */
  readonly connect: (transport: SdkTransport) => Promise<void>
  readonly inFlight: () => number
  /** Stops one call whose client went away (no answer can reach it). */
  readonly abandon: (requestId: RequestId) => void
  /** Stops every call in flight, each answering that the server stopped it (at shutdown, after the grace). */
  readonly stopAll: () => void
}

export interface ConnectionHooks {
  /** A call the client cancelled has stopped: a transport may close what it held open for the answer. */
  readonly onCancelled?: (requestId: RequestId) => void
  /** A connection that lives for one request (stateless HTTP), which can keep no journal of its writes. */
  readonly stateless?: boolean
}

/**
 * One JSON Schema validator for every connection, made on first use: the SDK would otherwise build a validator (an
 * Ajv instance, about 150 KB) for each server it makes, that is for every session and every stateless request, for
 * the elicitation forms this server does not send yet.
 */
let sharedValidator: AjvJsonSchemaValidator | undefined
const validator: jsonSchemaValidator = {
  getValidator: (schema) => (sharedValidator ??= new AjvJsonSchemaValidator()).getValidator(schema)
}

interface Flight {
  readonly controller: AbortController
  stopped: "abandoned" | "shutdown" | undefined
}

export class McpServer extends Effect.Service<McpServer>()("McpServer", {
  effect: Effect.gen(function*() {
    // Everything a tool uses but the journal, which each connection has of its own.
    const runtime = yield* Effect.runtime<Exclude<ToolContext, WriteJournal>>()
    const config = yield* AppConfig
    const tools = toolsFor(config.writeMode)
    const byName = new Map(tools.map((tool) => [tool.name, tool]))
    const listed = tools.map(listing)
    const instructions = config.demo
      ? `DEMO MODE: every answer is about a built-in sample athlete, not the user; say so. ${INSTRUCTIONS}`
      : INSTRUCTIONS
    const noticed = (result: CallToolResult) => (config.demo ? withNotice(result) : result)

    /** One `tools/call`, by name, as every client (MCP or the command line) makes it. */
    const call = (name: string, args: unknown): Effect.Effect<CallToolResult, never, ToolContext> => {
      const tool = byName.get(name)
      const result = tool === undefined
        ? Effect.succeed(errorResult(
          allTools.some((t) => t.name === name && t.fullModeOnly === true) && config.writeMode === "safe"
            ? `${name} deletes what cannot be put back, so it is registered only with INTERVALS_WRITE_MODE=full; this ` +
              "server runs with safe, and nothing was sent to Intervals.icu."
            : allTools.some((t) => t.name === name)
            ? `${name} changes data, and this server runs with INTERVALS_WRITE_MODE=${config.writeMode}, which ` +
              "registers no tool that writes; nothing was sent to Intervals.icu. The server's owner can set safe or full."
            : `Unknown tool ${describe(name)}; available: ${tools.map((t) => t.name).join(", ")}`
        ))
        : callTool(tool, args)
      return Effect.map(result, noticed)
    }

    const stoppedAnswer = (name: string) =>
      noticed(errorResult(
        `${name} was stopped because the server is shutting down, before Intervals.icu answered. ` +
          (byName.get(name) !== undefined && writes(byName.get(name)!)
            ? "The change may or may not have been saved: read the data back before trying again."
            : "Try again in a moment.")
      ))

    const make = (hooks: ConnectionHooks = {}): Connection => {
      const flights = new Map<RequestId, Flight>()
      const journal = makeJournal(undefined, hooks.stateless !== true)
      const server = new Server(
        { name: "intervals-mcp", title: "Intervals.icu", version: Version },
        { capabilities: { tools: { listChanged: false } }, instructions, jsonSchemaValidator: validator }
      )
      server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listed }))
      server.setRequestHandler(CallToolRequest, async (request, extra) => {
        const params = request.params as { name: string; arguments?: unknown }
        const flight: Flight = { controller: new AbortController(), stopped: undefined }
        const onAbort = () => flight.controller.abort()
        extra.signal.addEventListener("abort", onAbort, { once: true })
        flights.set(extra.requestId, flight)
        try {
          return await Runtime.runPromise(runtime)(
            call(params.name, params.arguments).pipe(Effect.provideService(WriteJournal, journal)),
            { signal: flight.controller.signal }
          )
        } catch (error) {
          if (flight.stopped === "shutdown") return stoppedAnswer(params.name)
          throw error
        } finally {
          flights.delete(extra.requestId)
          extra.signal.removeEventListener("abort", onAbort)
          // Cancelled by the client (not stopped by us): nothing will be answered; let the transport let go.
          if (extra.signal.aborted && flight.stopped === undefined) hooks.onCancelled?.(extra.requestId)
        }
      })

      const connect = async (transport: SdkTransport) => {
        await server.connect(transport)
        const read = transport.onmessage
        transport.onmessage = (message, extra) => {
          const verdict = checkRequest(message)
          if (verdict._tag === "Pass") return read?.(message, extra)
          const id = (message as { id: RequestId }).id
          void transport.send(
            verdict._tag === "Refuse"
              ? { jsonrpc: "2.0", id, error: { code: verdict.code, message: verdict.message } }
              : {
                jsonrpc: "2.0",
                id,
                result: noticed(errorResult(tooDeepMessage(verdict.tool, verdict.argument)))
              },
            { relatedRequestId: id }
          ).catch(() => undefined)
        }
      }

      const stop = (flight: Flight, why: "abandoned" | "shutdown") => {
        flight.stopped ??= why
        flight.controller.abort()
      }

      return {
        server,
        connect,
        inFlight: () => flights.size,
        abandon: (requestId) => {
          const flight = flights.get(requestId)
          if (flight !== undefined) stop(flight, "abandoned")
        },
        stopAll: () => {
          for (const flight of flights.values()) stop(flight, "shutdown")
        }
      }
    }

    return { make, call, tools, instructions } as const
  })
}) {}
