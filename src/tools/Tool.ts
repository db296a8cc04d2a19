/**
 * A tool is a value: its name and description, an input and an output `Schema`, the Effect that runs it and a
 * renderer to compact text. The MCP glue (`McpServer`) turns the schemas into JSON Schema and runs the Effect; a tool
 * never sees the protocol or the transport.
 */
import type { EmbeddedResource, ToolAnnotations } from "@modelcontextprotocol/server"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { IntervalsError } from "../domain/IntervalsError.js"
import type { AthleteCalendar } from "../services/AthleteCalendar.js"
import type { AppConfig } from "../services/AppConfig.js"
import { Interaction, type Question } from "../services/Interaction.js"
import type { IntervalsClient } from "../services/IntervalsClient.js"
import type { WriteJournal } from "../services/WriteJournal.js"

/** A failure a tool detects itself (a reversed date range, say), with a message for the model. */
export class ToolFailure extends Schema.TaggedError<ToolFailure>()("ToolFailure", {
  message: Schema.String,
  /** What `structuredContent.error.code` says; without it, a rule of the write mode or an argument refused. */
  code: Schema.optional(
    Schema.Literal("invalid_argument", "not_found", "refused_by_mode", "write_unconfirmed", "too_large", "declined")
  )
}) {}

/**
 * What every tool may use; the journal of writes is the calling connection's own, the interaction (confirmations,
 * progress) the call's own.
 */
export type ToolContext = IntervalsClient | AthleteCalendar | AppConfig | WriteJournal | Interaction

export interface Tool<I, II, O, OI> {
  readonly name: string
  readonly title: string
  readonly description: string
  readonly annotations: ToolAnnotations
  readonly input: Schema.Schema<I, II>
  readonly output: Schema.Schema<O, OI>
  readonly run: (input: I) => Effect.Effect<O, IntervalsError | ToolFailure, ToolContext>
  readonly render: (output: O) => string
  /**
   * The answer names the athlete itself. Otherwise an answer about another athlete than the default (a coach's) is
   * headed with whose data it is.
   */
  readonly namesAthlete?: boolean
  /** Registered only with INTERVALS_WRITE_MODE=full: it destroys what cannot be put back. */
  readonly fullModeOnly?: boolean
  /** Files the answer carries besides its text (an exported workout), as MCP embedded resources. */
  readonly resources?: (output: O) => ReadonlyArray<EmbeddedResource>
}

/** A tool whose types have been forgotten, so tools of different shapes can sit in one registry. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTool = Tool<any, any, any, any>

export const make = <I, II, O, OI>(tool: Tool<I, II, O, OI>): AnyTool => tool

/** An optional output field that is left out, never `null`, when there is no value. */
export const optional = <A, I>(schema: Schema.Schema<A, I>) => Schema.optionalWith(schema, { exact: true })

/** An optional number or string field of an output: the most common members of the tools' result schemas. */
export const Num = optional(Schema.Number)
export const Str = optional(Schema.String)

/** Drops the keys whose value is `undefined` or `null`, so an output carries only what is known. */
export const compact = <A extends Record<string, unknown>>(
  record: A
): { [K in keyof A]?: Exclude<A[K], null | undefined> } =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined && value !== null)) as never

/**
 * Asks the person at the client to confirm a destructive or bulk write, where the client can ask (elicitation):
 * "accepted" lets the write go ahead, in place of the tool's own preview or `confirm` rules; a "no" (or a form
 * dismissed) ends the call with nothing done. "unavailable": the client cannot ask, and the tool's own rules apply.
 */
export const confirmWrite = (question: Question): Effect.Effect<"accepted" | "unavailable", ToolFailure, Interaction> =>
  Effect.flatMap(Interaction, (interaction) => interaction.confirm(question)).pipe(
    Effect.flatMap((verdict) =>
      verdict === "declined"
        ? Effect.fail(
          new ToolFailure({
            message: `Not done: asked "${question.message}", the user did not confirm. Nothing was sent to ` +
              "Intervals.icu.",
            code: "declined"
          })
        )
        : Effect.succeed(verdict)
    )
  )

/** Reports how far a call of several requests is (a no-op unless the client asked for progress). */
export const progress = (done: number, total: number | undefined, message: string): Effect.Effect<void, never, Interaction> =>
  Effect.flatMap(Interaction, (interaction) => interaction.progress(done, total, message))

/**
 * Requests made together, each reporting when it is in ("3 of 7 parts: zones"), so that a client asking for
 * progress sees a call of several requests move (Effect.all over the result, as it would be without).
 */
export const reporting = <T extends Record<string, Effect.Effect<unknown, unknown, unknown>>>(tasks: T): T => {
  const names = Object.keys(tasks)
  let done = 0
  return Object.fromEntries(
    names.map((name) => [
      name,
      Effect.tap(tasks[name]!, () => Effect.suspend(() => progress(++done, names.length, `${done} of ${names.length} parts: ${name}`)))
    ])
  ) as unknown as T
}
