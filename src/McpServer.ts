/**
 * The bridge between the tool registry and the MCP SDK's low-level `Server`. It advertises each tool with the JSON
 * Schema generated from its `Schema`s, runs `tools/call` through `callTool` with the services, and keeps, for each
 * connection, the calls in flight: a cancelled call or a client that went away stops only its own call, and at
 * shutdown what is left can be stopped with an answer that says so. Transports ask it for a `Connection` and know
 * nothing else.
 */
import {
  type CallToolResult,
  type JSONRPCMessage,
  type jsonSchemaValidator,
  type RequestId,
  PROTOCOL_VERSION_META_KEY,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type Transport as SdkTransport
} from "@modelcontextprotocol/server"
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/server/validators/ajv"
import { hkdfSync } from "node:crypto"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import { DEMO_NOTICE } from "./demo/DemoIdentity.js"
import { callInteraction, canShowForms, isModern } from "./mcp/CallInteraction.js"
import { complete } from "./mcp/Completions.js"
import { instructionsFor } from "./mcp/Instructions.js"
import { promptsFor, renderPrompt } from "./prompts/Prompts.js"
import { resolve, resourceTemplates, staticResources } from "./resources/Resources.js"
import { freshness } from "./services/IntervalsClient.js"
import { checkRequest } from "./mcp/RequestGuard.js"
import { callTool, textOf } from "./mcp/ToolCall.js"
import { errorResult, toolError } from "./mcp/ToolErrors.js"
import { listing } from "./mcp/ToolListing.js"
import { capMode } from "./auth/Access.js"
import { AppConfig, type WriteMode } from "./services/AppConfig.js"
import { UpstreamAccount } from "./services/UpstreamAccount.js"
import type { Principal } from "./services/ServerAuth.js"
import { Interaction, type InteractionShape } from "./services/Interaction.js"
import { makeJournal, WriteJournal } from "./services/WriteJournal.js"
import { describe } from "./services/Decoding.js"
import { allTools, toolsetOf, toolsFor, writes } from "./tools/Registry.js"
import type { ToolContext } from "./tools/Tool.js"
import { Version } from "./Version.js"

export { callTool } from "./mcp/ToolCall.js"
export { listing } from "./mcp/ToolListing.js"

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

/** A connection signed in with Intervals.icu calls it with that athlete's token, not the server's key. */
const withAccount = (principal: Principal | undefined) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  principal?.kind === "grant" && Option.isSome(principal.upstream)
    ? Effect.locally(effect, UpstreamAccount, Option.some(principal.upstream.value))
    : effect

/** The upstream path a data resource's tool reads, for the read cache's freshness of it. */
const pathOf = (tool: string) =>
  tool === "get_athlete_profile" ? "/athlete/a" : tool === "get_activity_details" ? "/activity/a" : "/athlete/a/events/1"

/** How long a 2026-07-28 client may keep the tool list: it changes only when the server restarts. */
const LIST_TTL_MS = 10 * 60 * 1000

export interface ConnectionHooks {
  /** A call the client cancelled has stopped: a transport may close what it held open for the answer. */
  readonly onCancelled?: (requestId: RequestId) => void
  /**
   * A connection that lives for one request, which can keep no journal of its writes: a 2026-07-28 HTTP request
   * ("per-request"), or any request of a server run with MCP_STATELESS ("stateless").
   */
  readonly stateless?: "per-request" | "stateless"
  /** Who connected (over HTTP): an OAuth grant's access caps what the connection lists and may call. */
  readonly principal?: Principal
}

/**
 * One JSON Schema validator for every connection, made on first use: the SDK would otherwise build a validator (an
 * Ajv instance, about 150 KB) for each server it makes, that is for every session and every stateless request, for
 * the elicitation forms this server does not send yet.
 */
/** How long a 2025-era client may take to answer a confirmation; no answer is a no. */
const CONFIRM_TIMEOUT_MS = 5 * 60_000

let sharedValidator: AjvJsonSchemaValidator | undefined
const validator: jsonSchemaValidator = {
  getValidator: (schema) => (sharedValidator ??= new AjvJsonSchemaValidator()).getValidator(schema)
}

/** A value made on first use, then kept. */
const lazy = <A>(make: () => A) => {
  let value: { readonly a: A } | undefined
  return () => (value ??= { a: make() }).a
}

interface Flight {
  readonly controller: AbortController
  stopped: "abandoned" | "shutdown" | undefined
}

export class McpServer extends Effect.Service<McpServer>()("McpServer", {
  effect: Effect.gen(function*() {
    // Everything a tool uses but the journal, which each connection has of its own, and the interaction, which each
    // call has.
    const runtime = yield* Effect.runtime<Exclude<ToolContext, WriteJournal | Interaction>>()
    const config = yield* AppConfig
    /**
     * What a connection sees in a write mode: the server's own, or the lesser one of a connection whose OAuth grant
     * allows less (a grant of read only lists, and can call, only the tools that read). Made once per mode.
     */
    const surfaces = new Map<WriteMode, ReturnType<typeof makeSurface>>()
    const makeSurface = (mode: WriteMode) => {
      const tools = toolsFor(mode, config.toolsets)
      const byName = new Map(tools.map((tool) => [tool.name, tool]))
      const has = (name: string) => byName.has(name)
      const promptsByName = new Map(promptsFor(mode).map((prompt) => [prompt.name, prompt]))
      return {
        mode,
        tools,
        byName,
        has,
        // The JSON Schemas are made on the first tools/list, not at start-up: initialize is answered sooner.
        listed: lazy(() => tools.map(listing)),
        promptsByName,
        promptList: [...promptsByName.values()].map((prompt) => ({
          name: prompt.name,
          title: prompt.title,
          description: prompt.description,
          arguments: prompt.arguments.map(({ description, name, required }) => ({ name, description, required: required === true }))
        })),
        instructions: instructionsFor(mode, config.demo, config.toolsets, has)
      }
    }
    const surfaceOf = (mode: WriteMode) => {
      let surface = surfaces.get(mode)
      if (surface === undefined) surfaces.set(mode, (surface = makeSurface(mode)))
      return surface
    }
    const own = surfaceOf(config.writeMode)
    const { tools, instructions } = own
    const resourceList = staticResources.map(({ content: _, ...resource }) => resource)
    // The key of confirmations' seals, the same in every replica that serves this account (derived from its key,
    // which only the server's owner has), so that an answer may come back to another one.
    const sealKey = new Uint8Array(
      hkdfSync("sha256", Redacted.value(config.apiKey), "intervals-mcp", "confirmation seal", 32)
    )
    const noticed = (result: CallToolResult) => (config.demo ? withNotice(result) : result)

    /** Why a tool is not there: unknown, or left out by the toolsets or the write mode (so nothing was sent). */
    const unregistered = (name: string, mode: WriteMode): CallToolResult => {
      if (mode !== config.writeMode && own.byName.has(name)) {
        const granted = mode === "read-only" ? "read only" : "read and write (no deletes)"
        return errorResult(
          `${name} changes data, and this connection was granted ${granted} access when it was connected; ` +
            "nothing was sent to Intervals.icu. To allow it, connect the app again and choose more on the sign-in page.",
          toolError("refused_by_mode", { hint: "Tell the user this connection may not do that; do not retry." })
        )
      }
      const set = toolsetOf(name)
      if (set === undefined) {
        return errorResult(
          `Unknown tool ${describe(name)}; available: ${tools.map((t) => t.name).join(", ")}`,
          toolError("invalid_argument", { parameter: "name", hint: "Call one of the tools tools/list names." })
        )
      }
      if (!config.toolsets.includes(set) && set !== "core") {
        const asked = ["core", ...config.toolsets.filter((s) => s !== "core")]
        return errorResult(
          `${name} is in the ${set} toolset, which this server does not register (MCP_TOOLSETS=` +
            `${asked.join(",")}); nothing was sent to Intervals.icu. The server's owner can add it with ` +
            `MCP_TOOLSETS=${[...asked, set].join(",")} (or all).`,
          toolError("refused_by_mode", { hint: `Use the tools tools/list names, or ask the owner for the ${set} toolset.` })
        )
      }
      return allTools.some((t) => t.name === name && t.fullModeOnly === true) && config.writeMode === "safe"
        ? errorResult(
          `${name} deletes what cannot be put back, so it is registered only with INTERVALS_WRITE_MODE=full; ` +
            "this server runs with safe, and nothing was sent to Intervals.icu.",
          toolError("refused_by_mode")
        )
        : errorResult(
          `${name} changes data, and this server runs with INTERVALS_WRITE_MODE=${config.writeMode}, which ` +
            "registers no tool that writes; nothing was sent to Intervals.icu. The server's owner can set safe " +
            "or full.",
          toolError("refused_by_mode")
        )
    }

    /** One `tools/call`, by name, as every client (MCP or the command line) makes it. */
    const call = (
      name: string,
      args: unknown,
      interaction: InteractionShape = Interaction.none,
      mode: WriteMode = config.writeMode
    ): Effect.Effect<CallToolResult, never, Exclude<ToolContext, Interaction>> => {
      const tool = surfaceOf(mode).byName.get(name)
      const result = tool === undefined ? Effect.succeed(unregistered(name, mode)) : callTool(tool, args, interaction)
      return Effect.map(result, noticed)
    }

    const stoppedAnswer = (name: string) =>
      own.byName.get(name) !== undefined && writes(own.byName.get(name)!)
        ? noticed(errorResult(
          `${name} was stopped because the server is shutting down, before Intervals.icu answered. The change may ` +
            "or may not have been saved: read the data back before trying again.",
          toolError("write_unconfirmed")
        ))
        : noticed(errorResult(
          `${name} was stopped because the server is shutting down, before Intervals.icu answered. Try again in a ` +
            "moment.",
          toolError("upstream_unavailable", { hint: "The server is restarting: try again in a moment." })
        ))

    // Cache hints for 2026-07-28 clients (2025-era answers never carry them). The tool list changes only with a
    // restart (the write mode); every answer is one athlete's, so only the client may keep it.
    const listTtl = config.cache ? LIST_TTL_MS : 0
    const cacheHints = {
      "tools/list": { ttlMs: listTtl, cacheScope: "private" },
      "prompts/list": { ttlMs: listTtl, cacheScope: "private" },
      "resources/list": { ttlMs: listTtl, cacheScope: "private" },
      "resources/templates/list": { ttlMs: listTtl, cacheScope: "private" },
      "server/discover": { ttlMs: listTtl, cacheScope: "private" }
    } as const

    /**
     * The bridge's checks in front of the SDK, for a transport whose messages it reads itself: undefined to pass the
     * message on, or the answer to send instead.
     */
    const guard = (message: JSONRPCMessage): JSONRPCMessage | undefined => {
      const verdict = checkRequest(message)
      // Arguments nested too deep are a tool's argument error: `callTool` refuses them before decoding, and its
      // answer goes out through the SDK, which shapes a result for the connection's era (only errors are the same
      // in both).
      if (verdict._tag !== "Refuse") return undefined
      const id = (message as { id: RequestId }).id
      return { jsonrpc: "2.0", id, error: { code: verdict.code, message: verdict.message } }
    }

    const make = (hooks: ConnectionHooks = {}): Connection => {
      const principal = hooks.principal
      const mode = capMode(config.writeMode, principal?.kind === "grant" ? principal.access : undefined)
      const { has, instructions, listed, promptList, promptsByName } = surfaceOf(mode)
      // Everything a call of this connection runs with: its journal, its grant's mode, its Intervals.icu account.
      const run = (name: string, args: unknown, interaction?: InteractionShape) =>
        call(name, args, interaction, mode).pipe(
          Effect.provideService(WriteJournal, journal),
          withAccount(principal)
        )
      const flights = new Map<RequestId, Flight>()
      const journal = makeJournal(undefined, hooks.stateless)
      const server = new Server(
        { name: "intervals-mcp", title: "Intervals.icu", version: Version },
        {
          capabilities: {
            tools: { listChanged: false },
            prompts: { listChanged: false },
            resources: { listChanged: false, subscribe: false },
            completions: {}
          },
          instructions,
          jsonSchemaValidator: validator,
          cacheHints
        }
      )
      server.setRequestHandler("tools/list", () => ({ tools: listed() }))
      server.setRequestHandler("resources/list", () => ({ resources: resourceList }))
      server.setRequestHandler("resources/templates/list", () => ({ resourceTemplates: [...resourceTemplates] }))
      server.setRequestHandler("resources/read", async (request, ctx) => {
        const { uri } = request.params
        const content = resolve(uri)
        if (content === undefined) {
          throw new ProtocolError(
            ProtocolErrorCode.ResourceNotFound,
            `No resource ${describe(uri)}: this server has ${resourceList.map((r) => r.uri).join(", ")}, ` +
              "intervals://activity/{id} and intervals://event/{id}"
          )
        }
        // Cache hints are of the 2026-07-28 revision only; a 2025-era answer carries none.
        const envelope = ctx.mcpReq.envelope as Readonly<Record<string, unknown>> | undefined
        const modern = envelope?.[PROTOCOL_VERSION_META_KEY] !== undefined
        const hint = (ttlMs: number) => (modern ? { ttlMs, cacheScope: "private" as const } : {})
        if ("text" in content) {
          return { contents: [{ uri, mimeType: "text/markdown", text: content.text }], ...hint(listTtl) }
        }
        const result = await Runtime.runPromise(runtime)(
          run(content.tool, content.args),
          { signal: ctx.mcpReq.signal }
        )
        if (result.isError === true) {
          const error = (result.structuredContent as { error?: { code?: string } } | undefined)?.error
          throw new ProtocolError(
            error?.code === "not_found" || error?.code === "invalid_argument"
              ? ProtocolErrorCode.ResourceNotFound
              : ProtocolErrorCode.InternalError,
            `${uri}: ${textOf(result)}`
          )
        }
        return {
          contents: [{ uri, mimeType: "application/json", text: JSON.stringify(result.structuredContent) }],
          // As long as the read cache keeps what it shows.
          ...hint(config.cache ? Duration.toMillis(freshness(pathOf(content.tool))) : 0)
        }
      })
      server.setRequestHandler("completion/complete", async (request, ctx) => {
        const { argument, ref } = request.params
        if (ref.type === "ref/prompt" && !promptsByName.get(ref.name)?.arguments.some((a) => a.name === argument.name)) {
          throw new ProtocolError(
            ProtocolErrorCode.InvalidParams,
            promptsByName.has(ref.name)
              ? `Prompt ${ref.name} has no argument ${describe(argument.name)}`
              : `Unknown prompt ${describe(ref.name)}`
          )
        }
        const completion = await Runtime.runPromise(runtime)(
          complete(
            (name, args) => run(name, args),
            ref.type === "ref/prompt" ? { type: ref.type, name: ref.name } : { type: "ref/resource", uri: ref.uri },
            argument
          ),
          { signal: ctx.mcpReq.signal }
        )
        return { completion }
      })
      server.setRequestHandler("prompts/list", () => ({ prompts: promptList }))
      server.setRequestHandler("prompts/get", (request) => {
        const prompt = promptsByName.get(request.params.name)
        if (prompt === undefined) {
          throw new ProtocolError(
            ProtocolErrorCode.InvalidParams,
            `Unknown prompt ${describe(request.params.name)}; available: ${[...promptsByName.keys()].join(", ")}`
          )
        }
        return Either.match(renderPrompt(prompt, request.params.arguments ?? {}, has), {
          onLeft: (message) => {
            throw new ProtocolError(ProtocolErrorCode.InvalidParams, message)
          },
          onRight: (text) => ({
            description: prompt.description,
            messages: [{ role: "user" as const, content: { type: "text" as const, text } }]
          })
        })
      })
      server.setRequestHandler("tools/call", async (request, ctx) => {
        const { name, arguments: args } = request.params
        const requestId = ctx.mcpReq.id
        const signal = ctx.mcpReq.signal
        const flight: Flight = { controller: new AbortController(), stopped: undefined }
        const onAbort = () => flight.controller.abort()
        signal.addEventListener("abort", onAbort, { once: true })
        flights.set(requestId, flight)
        // A 2025-era client is asked back while the call waits: one that can show a form, on a connection with a
        // way back to it (not a stateless request).
        const askable = !isModern(ctx) && hooks.stateless !== "stateless" &&
          canShowForms(server.getClientCapabilities()?.elicitation)
        const asking = callInteraction(ctx, {
          name,
          args,
          key: sealKey,
          signal: flight.controller.signal,
          ask: askable
            ? (params) =>
              // On the call's own stream (over HTTP, the POST's), as an answer to it would go.
              ctx.mcpReq.elicitInput(params, {
                relatedRequestId: ctx.mcpReq.id,
                signal: flight.controller.signal,
                timeout: CONFIRM_TIMEOUT_MS
              })
            : undefined
        })
        try {
          const result = await Runtime.runPromise(runtime)(
            run(name, args, asking.interaction),
            { signal: flight.controller.signal }
          )
          return asking.pending() ?? result
        } catch (error) {
          if (flight.stopped === "shutdown") return stoppedAnswer(name)
          throw error
        } finally {
          flights.delete(requestId)
          signal.removeEventListener("abort", onAbort)
          // Cancelled by the client (not stopped by us): nothing will be answered; let the transport let go.
          if (signal.aborted && flight.stopped === undefined) hooks.onCancelled?.(requestId)
        }
      })

      const connect = async (transport: SdkTransport) => {
        await server.connect(transport)
        const read = transport.onmessage
        transport.onmessage = (message, extra) => {
          const answer = guard(message)
          if (answer === undefined) return read?.(message, extra)
          void transport.send(answer, { relatedRequestId: (message as { id: RequestId }).id }).catch(() => undefined)
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

    return { make, call, guard, tools, instructions } as const
  })
}) {}
