/**
 * Toolsets: the families the tools come in, of which `core` is always registered and the rest only when the
 * server's owner asks for them (`MCP_TOOLSETS`). Every tool listed costs the model's context on every turn, and a
 * long list makes it pick worse; the core answers most questions and plans a week, the others add depth.
 */
import * as Schema from "effect/Schema"

export const Toolset = Schema.Literal("core", "analysis", "planning", "library", "records", "custom")
export type Toolset = typeof Toolset.Type

export const TOOLSETS: ReadonlyArray<Toolset> = Toolset.literals

/** What each set adds, for the command line's help, the README and the instructions. */
export const TOOLSET_MEANING: Readonly<Record<Toolset, string>> = {
  core: "profile, fitness, summaries, activities and their intervals, wellness, the calendar, one event's writes, undo",
  analysis: "an activity's analysis, streams and comments, power and other curves, the weather forecast",
  planning: "workout checks, blocks of events with a preview, moving events, notes, deleting a date range",
  library: "the workout library: folders, saving, deleting, exporting workout files",
  records: "changing activities, wellness and sport settings; comments; gear",
  custom: "custom items: charts, fields, zones of the athlete's own"
}

/** Only the core: what `MCP_TOOLSETS` is when unset. */
export const DEFAULT_TOOLSETS: ReadonlyArray<Toolset> = ["core"]
