/**
 * One tool call, from raw arguments to an answer: arguments decoded (refusals name each parameter, its limit and a
 * short excerpt of what came, never the whole value), the tool's Effect run, its output rendered as text and encoded
 * as `structuredContent`, and every failure turned into an `isError` answer a model can act on. No answer is larger
 * than `MCP_MAX_ANSWER_CHARS`: longer text is cut with a note saying so and how to ask for less.
 */
import type { CallToolResult } from "@modelcontextprotocol/server"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { identity } from "effect/Function"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { IntervalsError } from "../domain/IntervalsError.js"
import { AppConfig } from "../services/AppConfig.js"
import { Interaction, type InteractionShape } from "../services/Interaction.js"
import type { AthleteId } from "../domain/Ids.js"
import { athleteLabel } from "../tools/Format.js"
import { whose } from "../tools/Params.js"
import type { AnyTool, ToolContext, ToolFailure } from "../tools/Tool.js"
import { writes } from "../tools/Registry.js"
import { linksOf } from "../resources/Resources.js"
import { errorResult, fromIntervals, toolError } from "./ToolErrors.js"
import { acceptedBy, toJsonSchema } from "./ToolListing.js"



/** How deep arguments may nest (a workout's repeats are a few levels); deeper is refused before decoding. */
export const MAX_DEPTH = 32

/** The nesting depth of a JSON value, counted without recursion, stopping once past `limit`. */
export const depthOf = (value: unknown, limit: number): number => {
  let deepest = 0
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (node === null || typeof node !== "object") continue
    deepest = Math.max(deepest, depth + 1)
    if (deepest > limit) return deepest
    for (const inner of Object.values(node)) if (inner !== null && typeof inner === "object") stack.push([inner, depth + 1])
  }
  return deepest
}

/** The length of a JSON string's contents as written in a message (escapes counted as the character they stand for). */
const decodedLength = (inner: string) => {
  try {
    return (JSON.parse(`"${inner}"`) as string).length
  } catch {
    return inner.length
  }
}

/**
 * A quoted value in a message, cut to an excerpt (unless it is one already): a refusal never echoes a huge argument
 * back.
 */
const excerpt = (message: string): string =>
  message.replace(
    /"((?:[^"\\]|\\.){60,})"(?! \(\d+ characters\))/gs,
    (_, inner: string) => `"${inner.slice(0, 40).replace(/(?<!\\)(\\\\)*\\$/, "$1")}…" (${decodedLength(inner)} characters)`
  ).slice(0, 400)

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
  if (first._tag === "Unexpected") {
    return first.path.length > 1
      ? `unknown field inside ${String(first.path[0])}`
      : `unknown parameter; ${tool.name} accepts ${accepted.join(", ") || "none"}`
  }
  if (first._tag === "Missing") return first.path.length > 1 ? "required field is missing" : "required parameter is missing"
  const literals = issues.map((issue) => /^Expected "([^"]*)", actual (.*)$/s.exec(issue.message))
  if (literals.length > 1 && literals.every((match) => match !== null)) {
    return `expected one of ${literals.map((match) => match![1]).join(", ")}, got ${excerpt(literals[0]![2]!)}`
  }
  return excerpt(plain((issues.find((issue) => /^[a-z]/.test(issue.message)) ?? first).message))
}

/**
 * Effect's generic "Expected <type>, actual <value>" in words, without the schema's internals (`ReadonlyArray<int &
 * between(1, 86400)>`): what kind of value was expected, and what came.
 */
const plain = (message: string): string => {
  const match = /^Expected (.*?), actual (.*)$/s.exec(message)
  if (match === null) return message
  const [, expected, actual] = match as unknown as [string, string, string]
  const kind = expected.startsWith("ReadonlyArray<")
    ? "a list"
    : expected === "boolean"
    ? "true or false"
    : expected === "string"
    ? "text"
    : expected === "number"
    ? "a number"
    : /^[A-Z][A-Za-z]*$/.test(expected)
    ? `a ${expected.toLowerCase()} (an object)`
    : /^\{/.test(expected) || expected.includes("readonly ")
    ? "an object"
    : expected.charAt(0).toLowerCase() + expected.slice(1)
  return `expected ${kind}, got ${actual}`
}

/** "start_date: expected a real calendar date …" for each problem, with unknown parameters named as such. */
export const formatArgumentErrors = (tool: AnyTool, error: ParseResult.ParseError): string => {
  const accepted = acceptedBy(tool)
  const byPath = new Map<string, Array<ParseResult.ArrayFormatterIssue>>()
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const path = issue.path.length > 0 ? issue.path.join(".") : "arguments"
    byPath.set(path, [...(byPath.get(path) ?? []), issue])
  }
  const lines = [...byPath].map(([path, issues]) => `${path}: ${describeIssues(tool, accepted, issues)}`)
  return `Invalid arguments for ${tool.name}; nothing was sent to Intervals.icu:\n` +
    lines.slice(0, 10).map((line) => `- ${line}`).join("\n") +
    (lines.length > 10 ? `\n- and ${lines.length - 10} more` : "")
}

/** The argument nested past the limit ("workout_doc"), or undefined when none is. */
export const tooDeep = (args: unknown): string | undefined => {
  if (args === null || typeof args !== "object") return undefined
  if (depthOf(args, MAX_DEPTH) <= MAX_DEPTH) return undefined
  return Object.entries(args).find(([, value]) => depthOf(value, MAX_DEPTH - 1) > MAX_DEPTH - 1)?.[0] ?? "arguments"
}

/** How many values arguments may hold in all: a season's plan is a few thousand; decoding far more costs seconds. */
export const MAX_VALUES = 100_000

/**
 * Past this many values, decoding stops at the first problem rather than listing them all: ten thousand bad items
 * would each cost an issue (and the message shows ten at most anyway).
 */
const ALL_ERRORS_UP_TO = 2_000

/** The number of values (objects, lists, scalars) in a JSON value, counted without recursion, stopping past `limit`. */
const valuesIn = (value: unknown, limit: number): number => {
  let seen = 0
  const stack: Array<unknown> = [value]
  while (stack.length > 0 && seen <= limit) {
    const node = stack.pop()
    seen++
    if (node !== null && typeof node === "object") for (const inner of Object.values(node)) stack.push(inner)
  }
  return seen
}

/** The most items each list parameter of a tool takes, read once from its advertised JSON Schema. */
const listLimits = new WeakMap<AnyTool, ReadonlyMap<string, number>>()
const listLimitsOf = (tool: AnyTool): ReadonlyMap<string, number> => {
  let limits = listLimits.get(tool)
  if (limits === undefined) {
    const properties = (toJsonSchema(tool.input).properties ?? {}) as Record<string, { maxItems?: unknown }>
    limits = new Map(
      Object.entries(properties).flatMap(([name, schema]) =>
        typeof schema.maxItems === "number" ? [[name, schema.maxItems] as const] : []
      )
    )
    listLimits.set(tool, limits)
  }
  return limits
}

/**
 * A refusal of arguments too big to decode (decoding checks a list's length only after every item, and reports each
 * bad item): a list past its parameter's limit, or more values in all than `MAX_VALUES`. Undefined when they fit.
 */
export const oversized = (tool: AnyTool, args: unknown): string | undefined => {
  if (args === null || typeof args !== "object") return undefined
  const lines: Array<string> = []
  for (const [name, value] of Object.entries(args)) {
    const max = listLimitsOf(tool).get(name)
    if (Array.isArray(value) && max !== undefined && value.length > max) {
      lines.push(`${name}: expected at most ${count(max)} items, got ${count(value.length)}`)
    }
  }
  if (lines.length === 0 && valuesIn(args, MAX_VALUES) > MAX_VALUES) {
    // Named by the argument that holds the most, which is the one to shorten.
    const [largest] = Object.entries(args)
      .map(([name, value]) => [name, valuesIn(value, MAX_VALUES)] as const)
      .sort((a, b) => b[1] - a[1])
    lines.push(
      `${largest?.[0] ?? "arguments"}: more than ${count(MAX_VALUES)} values in all; send less at once (a plan in ` +
        "parts, say)"
    )
  }
  return lines.length === 0
    ? undefined
    : `Invalid arguments for ${tool.name}; nothing was sent to Intervals.icu:\n${lines.map((l) => `- ${l}`).join("\n")}`
}

/** The refusal of arguments nested past the limit. */
export const tooDeepMessage = (tool: string, argument: string) =>
  `Invalid arguments for ${tool}; nothing was sent to Intervals.icu:\n- ${argument}: nested more than ${MAX_DEPTH} ` +
  "levels deep; a workout needs a few (repeats nest at most two levels)"

class InvalidArguments {
  readonly _tag = "InvalidArguments"
  constructor(readonly message: string, readonly parameter?: string) {}
}

/** The parameter a decoding failure is first about ("start_date"), for `structuredContent.error.parameter`. */
const firstParameter = (error: ParseResult.ParseError): string | undefined => {
  const first = ParseResult.ArrayFormatter.formatErrorSync(error)[0]?.path[0]
  return first === undefined ? undefined : String(first)
}

interface Cut {
  readonly path: string
  readonly kept: number
  readonly total: number
  readonly unit: "items" | "characters"
}

/** The longest string in a value, with its holder and key, found without recursion. */
const longestString = (root: unknown) => {
  let best: { holder: Record<string, unknown>; key: string; path: string; length: number } | undefined
  const stack: Array<[unknown, string]> = [[root, ""]]
  while (stack.length > 0) {
    const [node, path] = stack.pop()!
    if (node === null || typeof node !== "object") continue
    for (const [key, inner] of Object.entries(node)) {
      const at = path === "" ? key : `${path}.${key}`
      if (typeof inner === "string" && (best === undefined || inner.length > best.length)) {
        best = { holder: node as Record<string, unknown>, key, path: at, length: inner.length }
      } else stack.push([inner, at])
    }
  }
  return best
}

/** Every list in a value, with where it is, found without recursion. */
const listsIn = (root: unknown): Array<{ readonly path: string; readonly list: Array<unknown> }> => {
  const found: Array<{ path: string; list: Array<unknown> }> = []
  const stack: Array<[unknown, string]> = [[root, ""]]
  while (stack.length > 0) {
    const [node, path] = stack.pop()!
    if (node === null || typeof node !== "object") continue
    if (Array.isArray(node)) found.push({ path, list: node })
    for (const [key, inner] of Object.entries(node)) stack.push([inner, path === "" ? key : `${path}.${key}`])
  }
  return found
}

/**
 * Shortens the longest lists of a structured result until it fits (the result still matches its schema: lists only
 * get shorter); undefined when even that is not enough.
 */
const trimToFit = (structured: Record<string, unknown>, limit: number): ReadonlyArray<Cut> | undefined => {
  const cuts = new Map<string, Cut>()
  for (let round = 0; round < 50; round++) {
    const size = JSON.stringify(structured).length
    if (size <= limit) return [...cuts.values()]
    const largest = listsIn(structured)
      .filter(({ list }) => list.length > 1)
      .map((entry) => ({ ...entry, bytes: JSON.stringify(entry.list).length }))
      .sort((a, b) => b.bytes - a.bytes)[0]
    if (largest === undefined) {
      // No list left to shorten: cut the longest text (a string stays a string, so the schema still holds).
      const text = longestString(structured)
      if (text === undefined || text.length < 100) return undefined
      const keep = Math.max(0, text.length - (size - limit) - 100)
      const total = cuts.get(text.path)?.total ?? text.length
      text.holder[text.key] = `${(text.holder[text.key] as string).slice(0, keep)}…`
      cuts.set(text.path, { path: text.path, kept: keep, total, unit: "characters" })
      continue
    }
    const keep = Math.max(1, Math.min(largest.list.length - 1, Math.floor(largest.list.length * ((largest.bytes - (size - limit)) / largest.bytes) * 0.95)))
    const total = cuts.get(largest.path)?.total ?? largest.list.length
    largest.list.length = keep
    cuts.set(largest.path, { path: largest.path, kept: keep, total, unit: "items" })
  }
  return undefined
}

/** Fits an answer into the cap: its lists shortened and its text cut, with a note that says what and how to ask for less. */
const capped = (tool: AnyTool, result: CallToolResult, limit: number): CallToolResult => {
  const part = result.content[0]
  const structured = (result.structuredContent ?? undefined) as Record<string, unknown> | undefined
  const cuts = structured === undefined || JSON.stringify(structured).length <= limit ? [] : trimToFit(structured, limit)
  if (cuts === undefined) {
    // A write's change has happened by now: a model must not take this answer as a failure and try again.
    if (writes(tool)) {
      return errorResult(
        `${tool.name} made the change, but its answer does not fit this server's limit of ${count(limit)} ` +
          "characters (MCP_MAX_ANSWER_CHARS), so it was not sent. Do not repeat the call: read the result back instead.",
        toolError("too_large", { hint: "The change was made: read the result back, do not repeat the call." })
      )
    }
    return errorResult(
      `${tool.name}'s answer does not fit this server's limit of ${count(limit)} characters (MCP_MAX_ANSWER_CHARS), so ` +
        "it was not sent. Ask for less: a shorter date range, a smaller limit or max_points, fewer stream types, or full=false.",
      toolError("too_large")
    )
  }
  if (cuts.length === 0 && !(part?.type === "text" && part.text.length > limit)) return result
  const text = part?.type === "text" ? part.text : ""
  const note = (keptChars: number | undefined) =>
    `[Cut to fit this server's limit of ${count(limit)} characters (MCP_MAX_ANSWER_CHARS): ` + [
      keptChars === undefined ? undefined : `the text after ${count(keptChars)} of ${count(text.length)} characters`,
      ...cuts.map((cut) =>
        `${cut.path} kept ${count(cut.kept)} of ${count(cut.total)}${cut.unit === "characters" ? " characters" : ""}`
      )
    ].filter((p): p is string => p !== undefined).join("; ") +
    (writes(tool)
      ? ". The change itself was made; only its answer was cut.]"
      : ". Ask for less to see the rest: a shorter date range, a smaller limit or max_points, or fewer stream types.]")
  // Cut at a line break, leaving room for the note (whose figures are at most a few characters longer).
  const room = limit - note(text.length).length - 8
  const lineEnd = text.lastIndexOf("\n", room)
  const kept = text.length + note(undefined).length + 1 <= limit
    ? text
    : text.slice(0, lineEnd > room / 2 ? lineEnd : Math.max(0, room))
  return {
    ...result,
    content: [
      { type: "text", text: `${kept}\n${note(kept.length < text.length ? kept.length : undefined)}` },
      ...result.content.slice(1)
    ]
  }
}

const count = (n: number) => n.toLocaleString("en")

/**
 * "Athlete: Sam Coached (i654321)" over an answer about another athlete than the default one (a coach reading an
 * athlete who shares with them), so a model never takes one athlete's data for another's. Read in parallel with the
 * tool, from the cached profile; if it cannot be read, the id alone.
 */
const headingFor = (
  tool: AnyTool,
  input: unknown,
  defaultAthlete: string
): Effect.Effect<string, never, ToolContext> | undefined => {
  const athleteId = (input as { readonly athlete_id?: unknown } | null)?.athlete_id
  if (tool.namesAthlete === true || typeof athleteId !== "string") return undefined
  if (athleteId === defaultAthlete || athleteId === "0") return undefined
  return whose(athleteId as AthleteId).pipe(
    Effect.map((athlete) => `Athlete: ${athleteLabel(athlete)}`),
    Effect.orElseSucceed(() => `Athlete: ${athleteId}`)
  )
}

/** Runs one tool call to a result: every failure becomes an `isError` answer, never a thrown error. */
/**
 * A write, once begun, runs to its end even if the client cancels: cut off half-way it would leave a change made
 * upstream but not recorded in the journal, neither answered nor undoable. It runs in a fiber of its own that the
 * call only waits for, so cancelling the call stops the wait, not the write; the write's own request timeouts (and
 * the end of the process) still bound it, which making it uninterruptible would not.
 */
const detached = <A, E, R>(write: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.forkDaemon(write), Fiber.join)

/**
 * The text of an answer. With `marked`, other parts (an exported file) show as `[resource]`; links to activities and
 * events never do: the text names them already.
 */
export const textOf = (result: CallToolResult, marked = false): string =>
  result.content.flatMap((part) =>
    part.type === "text" ? [part.text] : marked && part.type !== "resource_link" ? [`[${part.type}]`] : []
  ).join("\n")

/** A tool's own refusal with no code of its own: a rule of the write mode, or an argument it cannot act on. */
const refusalCode = (message: string) => (message.includes("INTERVALS_WRITE_MODE") ? "refused_by_mode" : "invalid_argument")

export const callTool = (
  tool: AnyTool,
  args: unknown,
  interaction: InteractionShape = Interaction.none
): Effect.Effect<CallToolResult, never, Exclude<ToolContext, Interaction>> =>
  Effect.suspend(() => {
    // Deep nesting is refused before decoding, which (like any recursive reader) would run out of stack.
    const deep = tooDeep(args)
    const tooBig = deep === undefined ? oversized(tool, args) : undefined
    return deep !== undefined
      ? Effect.fail(new InvalidArguments(tooDeepMessage(tool.name, deep), deep))
      : tooBig !== undefined
      ? Effect.fail(new InvalidArguments(tooBig))
      : Schema.decodeUnknown(tool.input, {
        errors: valuesIn(args, ALL_ERRORS_UP_TO) > ALL_ERRORS_UP_TO ? "first" : "all",
        onExcessProperty: "error"
      })(args ?? {}).pipe(
        Effect.mapError((error) => new InvalidArguments(formatArgumentErrors(tool, error), firstParameter(error)))
      )
  }).pipe(
    Effect.flatMap((input) =>
      Effect.flatMap(AppConfig, (config): Effect.Effect<
        readonly [unknown, string | undefined],
        IntervalsError | ToolFailure,
        ToolContext
      > => {
        const run = (writes(tool) ? detached : identity)(
          tool.run(input) as Effect.Effect<unknown, IntervalsError | ToolFailure, ToolContext>
        )
        const heading = headingFor(tool, input, config.athleteId)
        // Most calls have no heading, and forking a fiber for none would cost every call.
        return heading === undefined
          ? Effect.map(run, (output) => [output, undefined])
          : Effect.all([run, heading], { concurrency: "unbounded" })
      })
    ),
    Effect.flatMap(([output, heading]) =>
      Effect.map(Schema.encode(tool.output)(output), (structured): CallToolResult => ({
        content: [
          { type: "text", text: heading === undefined ? tool.render(output) : `${heading}\n${tool.render(output)}` },
          ...(tool.resources?.(output) ?? []),
          ...linksOf(structured)
        ],
        structuredContent: structured as Record<string, unknown>
      })).pipe(Effect.orDie)
    ),
    Effect.flatMap((result) => Effect.map(AppConfig, (config) => capped(tool, result, config.maxAnswerChars))),
    Effect.catchAll((error) =>
      Effect.as(
        Effect.logInfo("tool call failed").pipe(Effect.annotateLogs({ tool: tool.name, error: error._tag })),
        // The tool's own refusals are written for the model already; upstream failures say which tool failed.
        error._tag === "InvalidArguments"
          ? errorResult(
            error.message,
            toolError("invalid_argument", error.parameter === undefined ? {} : { parameter: error.parameter })
          )
          : error._tag === "ToolFailure"
          ? errorResult(error.message, toolError(error.code ?? refusalCode(error.message)))
          : errorResult(`${tool.name} failed: ${error.message}`, fromIntervals(error))
      )
    ),
    Effect.catchAllCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.succeed(errorResult(`${tool.name} was cancelled.`, toolError(writes(tool) ? "write_unconfirmed" : "timeout")))
        : Effect.as(
          Effect.logError("tool crashed", cause).pipe(Effect.annotateLogs({ tool: tool.name })),
          errorResult(
            `${tool.name} failed unexpectedly inside the server; the error was logged. Try again, and ` +
              "report it if it persists.",
            toolError("internal")
          )
        )
    ),
    Effect.provideService(Interaction, interaction),
    // No stack trace for the span: its name says where it is, and capturing one costs every call.
    Effect.withSpan(`tool.${tool.name}`, { captureStackTrace: false })
  )
