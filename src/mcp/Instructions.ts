/**
 * The server's instructions, which a client gives the model once per connection: what the server is for, how to
 * start, and the rules for writing. They name only tools the server registers (a test checks every mode and toolset),
 * and say which toolsets are off, so that a model asked for more can tell the user how to get it.
 */
import type { WriteMode } from "../services/AppConfig.js"
import type { Registered } from "../prompts/Prompts.js"
import { type Toolset, TOOLSETS } from "../tools/Toolsets.js"

const ABOUT = "Intervals.icu training data and planning for one athlete, or for athletes who share with them " +
  "(athlete_id on every tool)."

const START = "Start with get_athlete_profile (zones, thresholds, today's date in the athlete's timezone), then " +
  "get_training_summary or get_fitness for the picture; list (get_activities, search_activities, get_events, " +
  "get_wellness_data) before opening one item by its id. Dates are the athlete's local dates, YYYY-MM-DD, inclusive."

const UNITS = "Structured results use metres, seconds, watts and kJ; the text says the units."

const writes = (has: Registered) =>
  (has("validate_workout")
    ? "Before writing a workout, check its text with validate_workout (the syntax: resource " +
      "intervals://docs/workout-syntax). Plans: add_events_bulk previews first (dry_run), and is written with the " +
      "preview's token only after the user agreed to what it shows; move_events likewise. "
    : "Workout text follows resource intervals://docs/workout-syntax; add_or_update_event answers with its check. " +
      "Show a plan to the user and write it only after they agreed. ") +
  "Never change, delete or overwrite without the user's say-so. undo_last_write reverts this connection's newest " +
  "change."

const off = (sets: ReadonlyArray<Toolset>) => {
  const missing = TOOLSETS.filter((set) => set !== "core" && !sets.includes(set))
  return missing.length === 0
    ? undefined
    : `Toolsets off (the server's owner can add them with MCP_TOOLSETS): ${missing.join(", ")}.`
}

const SAFETY = "Never ask the user for an API key or password in the chat: the server's owner configures it."

const DEMO = "DEMO MODE: every answer is about a built-in sample athlete, not the user; say so."

export const instructionsFor = (
  mode: WriteMode,
  demo: boolean,
  sets: ReadonlyArray<Toolset>,
  has: Registered
): string =>
  [demo ? DEMO : undefined, ABOUT, START, mode === "read-only" ? undefined : writes(has), UNITS, off(sets), SAFETY]
    .filter((part): part is string => part !== undefined)
    .join(" ")
