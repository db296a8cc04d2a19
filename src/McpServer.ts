/**
 * The bridge between the tool registry and the MCP SDK's low-level `Server`. It advertises each tool with the JSON
 * Schema generated from its `Schema`s, decodes `tools/call` arguments, runs the tool's Effect with the services, and
 * answers text plus `structuredContent`, or an `isError` result a model can act on. Transports ask it for a fresh
 * SDK `Server` per connection and know nothing else.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
  type Tool as ListedTool
} from "@modelcontextprotocol/sdk/types.js"
import { Cause, Effect, JSONSchema, ParseResult, Runtime, Schema } from "effect"
import { DEMO_NOTICE } from "./demo/DemoIdentity.js"
import type { IntervalsError } from "./domain/IntervalsError.js"
import { AppConfig } from "./services/AppConfig.js"
import { allTools, toolsFor } from "./tools/Registry.js"
import type { AnyTool, ToolContext, ToolFailure } from "./tools/Tool.js"
import { Version } from "./Version.js"

const INSTRUCTIONS = "Intervals.icu training data for one athlete (or athletes who share with them). Dates are the " +
  "athlete's local dates, YYYY-MM-DD, inclusive. List first (get_activities, get_events, get_wellness_data), then " +
  "open one item by its id. Distances are metres, times seconds, power watts, work kJ in structured results."

/** JSON Schema for a tool's input or output: draft-07 as effect generates it, without the `$schema` marker. */
export const toJsonSchema = (schema: Schema.Schema.AnyNoContext): ListedTool["inputSchema"] => {
  const { $schema: _, ...json } = JSONSchema.make(schema) as unknown as Record<string, unknown>
  return withoutTitles(json) as ListedTool["inputSchema"]
}

/**
 * An output schema says what a result holds; `additionalProperties: false` and empty `required` lists add nothing
 * a program needs there, and cost characters on every `tools/list`. (Input schemas keep them: unknown arguments are
 * refused.)
 */
const toOutputSchema = (schema: Schema.Schema.AnyNoContext) => {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip)
    if (typeof value !== "object" || value === null) return value
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key, inner]) =>
          !(key === "additionalProperties" && inner === false) &&
          !(key === "required" && Array.isArray(inner) && inner.length === 0)
        )
        .map(([key, inner]) => [key, key === "properties" ? mapValues(inner, strip) : strip(inner)])
    )
  }
  return strip(toJsonSchema(schema)) as ListedTool["outputSchema"] & object
}

const mapValues = (record: unknown, f: (value: unknown) => unknown) =>
  Object.fromEntries(Object.entries(record as Record<string, unknown>).map(([key, value]) => [key, f(value)]))

/**
 * Effect titles every refinement after its filter ("between(1, 500)"): noise for a model and tokens on every
 * `tools/list`. A `title` that is a string is such a title; a property named "title" holds a schema object.
 */
const withoutTitles = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutTitles)
  if (typeof value !== "object" || value === null) return value
  return Object.fromEntries(
    Object.entries(value).filter(([key, inner]) => !(key === "title" && typeof inner === "string")).map((
      [key, inner]
    ) => [key, withoutTitles(inner)])
  )
}

export const listing = (tool: AnyTool): ListedTool => {
  // The title is said once, at the top level, not again in the annotations.
  const { title: _, ...annotations } = tool.annotations
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: toJsonSchema(tool.input),
    outputSchema: toOutputSchema(tool.output),
    annotations
  }
}

/** "start_date: expected a real calendar date …" for each problem, with unknown parameters named as such. */
/** The parameter names a tool accepts, derived once per tool for the "unknown parameter" message. */
const parameterNames = new WeakMap<AnyTool, ReadonlyArray<string>>()
const acceptedBy = (tool: AnyTool): ReadonlyArray<string> => {
  let names = parameterNames.get(tool)
  if (names === undefined) {
    names = Object.keys((toJsonSchema(tool.input).properties ?? {}) as object)
    parameterNames.set(tool, names)
  }
  return names
}

export const formatArgumentErrors = (tool: AnyTool, error: ParseResult.ParseError): string => {
  const accepted = acceptedBy(tool)
  const byPath = new Map<string, Array<ParseResult.ArrayFormatterIssue>>()
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const path = issue.path.length > 0 ? issue.path.join(".") : "arguments"
    byPath.set(path, [...(byPath.get(path) ?? []), issue])
  }
  const lines = [...byPath].map(([path, issues]) => `${path}: ${describeIssues(tool, accepted, issues)}`)
  return `Invalid arguments for ${tool.name}; nothing was sent to Intervals.icu:\n` +
    lines.slice(0, 10).map((line) => `- ${line}`).join("\n")
}

/**
 * One message for all the problems at one place: an unknown parameter says which exist, a value outside a set of
 * literals lists the set, and otherwise this server's own wording (lower case) wins over effect's generic one.
 */
const describeIssues = (
  tool: AnyTool,
  accepted: ReadonlyArray<string>,
  issues: ReadonlyArray<ParseResult.ArrayFormatterIssue>
): string => {
  const first = issues[0]!
  if (first._tag === "Unexpected") return `unknown parameter; ${tool.name} accepts ${accepted.join(", ") || "none"}`
  if (first._tag === "Missing") return "required parameter is missing"
  const literals = issues.map((issue) => /^Expected "([^"]*)", actual (.*)$/s.exec(issue.message))
  if (literals.length > 1 && literals.every((match) => match !== null)) {
    return `expected one of ${literals.map((match) => match![1]).join(", ")}, got ${literals[0]![2]}`
  }
  return (issues.find((issue) => /^[a-z]/.test(issue.message)) ?? first).message
}

const errorResult = (text: string): CallToolResult => ({ isError: true, content: [{ type: "text", text }] })

/** Runs one tool call to a result: every failure becomes an `isError` answer, never a thrown error. */
export const callTool = (
  tool: AnyTool,
  args: unknown
): Effect.Effect<CallToolResult, never, ToolContext> =>
  Schema.decodeUnknown(tool.input, { errors: "all", onExcessProperty: "error" })(args ?? {}).pipe(
    Effect.mapError((error) => ({ _tag: "InvalidArguments" as const, message: formatArgumentErrors(tool, error) })),
    Effect.flatMap((input) => tool.run(input) as Effect.Effect<unknown, IntervalsError | ToolFailure, ToolContext>),
    Effect.flatMap((output) =>
      Effect.map(Schema.encode(tool.output)(output), (structured): CallToolResult => ({
        content: [{ type: "text", text: tool.render(output) }],
        structuredContent: structured as Record<string, unknown>
      })).pipe(Effect.orDie)
    ),
    Effect.catchAll((error) =>
      Effect.as(
        Effect.logInfo("tool call failed").pipe(Effect.annotateLogs({ tool: tool.name, error: error._tag })),
        // The tool's own refusals are written for the model already; upstream failures say which tool failed.
        errorResult(
          error._tag === "InvalidArguments" || error._tag === "ToolFailure"
            ? error.message
            : `${tool.name} failed: ${error.message}`
        )
      )
    ),
    Effect.catchAllCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.succeed(errorResult(`${tool.name} was cancelled.`))
        : Effect.as(
          Effect.logError("tool crashed", cause).pipe(Effect.annotateLogs({ tool: tool.name })),
          errorResult(`${tool.name} failed unexpectedly inside the server; the error was logged. Try again, and ` +
            "report it if it persists.")
        )
    ),
    Effect.withSpan(`tool.${tool.name}`)
  )

/** In demo mode, every answer says so first: a model must never mistake the sample athlete for the user. */
const withNotice = (result: CallToolResult): CallToolResult => ({
  ...result,
  content: result.content.map((part, index) =>
    index === 0 && part.type === "text" ? { ...part, text: `${DEMO_NOTICE}\n${part.text}` } : part
  )
})

export class McpServer extends Effect.Service<McpServer>()("McpServer", {
  effect: Effect.gen(function*() {
    const runtime = yield* Effect.runtime<ToolContext>()
    const config = yield* AppConfig
    const tools = toolsFor(config.writeMode)
    const byName = new Map(tools.map((tool) => [tool.name, tool]))
    const listed = tools.map(listing)
    const instructions = config.demo
      ? `DEMO MODE: every answer is about a built-in sample athlete, not the user; say so. ${INSTRUCTIONS}`
      : INSTRUCTIONS

    /** One `tools/call`, by name, as every client (MCP or the command line) makes it. */
    const call = (name: string, args: unknown): Effect.Effect<CallToolResult, never, ToolContext> => {
      const tool = byName.get(name)
      const result = tool === undefined
        ? Effect.succeed(errorResult(
          allTools.some((t) => t.name === name)
            ? `${name} changes data, and this server runs with INTERVALS_WRITE_MODE=${config.writeMode}, which ` +
              "registers no tool that writes; nothing was sent to Intervals.icu. The server's owner can set safe or full."
            : `Unknown tool ${JSON.stringify(name)}; available: ${tools.map((t) => t.name).join(", ")}`
        ))
        : callTool(tool, args)
      return config.demo ? Effect.map(result, withNotice) : result
    }

    /** A new SDK server wired to the tools, for one transport connection. */
    const make = (): Server => {
      const server = new Server(
        { name: "intervals-mcp", title: "Intervals.icu", version: Version },
        { capabilities: { tools: { listChanged: false } }, instructions }
      )
      server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listed }))
      server.setRequestHandler(
        CallToolRequestSchema,
        (request, extra) =>
          Runtime.runPromise(runtime)(call(request.params.name, request.params.arguments), { signal: extra.signal })
      )
      return server
    }

    return { make, call, tools, instructions } as const
  })
}) {}
