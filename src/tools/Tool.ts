/**
 * A tool is a value: its name and description, an input and an output `Schema`, the Effect that runs it and a
 * renderer to compact text. The MCP glue (`McpServer`) turns the schemas into JSON Schema and runs the Effect; a tool
 * never sees the protocol or the transport.
 */
import type { EmbeddedResource, ToolAnnotations } from "@modelcontextprotocol/server"
import { type Effect, Schema } from "effect"
import type { IntervalsError } from "../domain/IntervalsError.js"
import type { AthleteCalendar } from "../services/AthleteCalendar.js"
import type { AppConfig } from "../services/AppConfig.js"
import type { IntervalsClient } from "../services/IntervalsClient.js"
import type { WriteJournal } from "../services/WriteJournal.js"

/** A failure a tool detects itself (a reversed date range, say), with a message for the model. */
export class ToolFailure extends Schema.TaggedError<ToolFailure>()("ToolFailure", {
  message: Schema.String,
  /** What `structuredContent.error.code` says; without it, a rule of the write mode or an argument refused. */
  code: Schema.optional(Schema.Literal("invalid_argument", "not_found", "refused_by_mode", "write_unconfirmed", "too_large"))
}) {}

/** What every tool may use; the journal of writes is the calling connection's own. */
export type ToolContext = IntervalsClient | AthleteCalendar | AppConfig | WriteJournal

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
