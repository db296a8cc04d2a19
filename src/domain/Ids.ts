/**
 * Identifiers and dates as schemas. Everything that ends up in an Intervals.icu URL passes through one of these,
 * so a value that could change the path (`../athlete/0`, `%2F`, `?`) is refused before any request is made.
 */
import { Schema } from "effect"

const describe = (value: unknown): string => {
  const text = typeof value === "string" ? JSON.stringify(value) : String(value)
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text
}

/** An athlete id: `i12345`, a plain number for older accounts, or `0` for the athlete that owns the API key. */
export const AthleteId = Schema.String.pipe(
  Schema.filter((s) => /^(?:i?[0-9]{1,12})$/.test(s), {
    message: (issue) => `expected an athlete id like "i12345", "12345" or "0", got ${describe(issue.actual)}`,
    jsonSchema: { pattern: "^i?[0-9]{1,12}$" }
  }),
  Schema.brand("AthleteId"),
  Schema.annotations({
    description: "Athlete id (i12345); default: the configured athlete"
  })
)
export type AthleteId = typeof AthleteId.Type

/**
 * An activity id: one URL path segment. Intervals.icu ids look like `i123456789`; activities imported from Strava
 * carry Strava's numeric id.
 */
export const ActivityId = Schema.String.pipe(
  Schema.filter((s) => /^[A-Za-z0-9_-]{1,40}$/.test(s), {
    message: (issue) =>
      `expected an activity id such as "i123456789" (letters, digits, "_" or "-", at most 40), got ${
        describe(issue.actual)
      }`,
    jsonSchema: { pattern: "^[A-Za-z0-9_-]{1,40}$" }
  }),
  Schema.brand("ActivityId"),
  Schema.annotations({ description: "Intervals.icu activity id, e.g. \"i123456789\" (from get_activities)." })
)
export type ActivityId = typeof ActivityId.Type

/** Event ids are integers upstream; models often quote them, so a string of digits is accepted too. */
const EventIdNumber = Schema.Number.pipe(Schema.int(), Schema.between(1, Number.MAX_SAFE_INTEGER)).annotations({
  message: (issue) => ({
    message: `expected a numeric event id such as 12345, got ${describe(issue.actual)}`,
    override: true
  })
})
const EventIdString = Schema.String.pipe(
  Schema.filter((s) => /^[0-9]{1,15}$/.test(s), {
    message: (issue) => `expected a numeric event id such as 12345, got ${describe(issue.actual)}`,
    jsonSchema: { pattern: "^[0-9]{1,15}$" }
  })
)
export const EventId = Schema.Union(
  EventIdNumber,
  Schema.compose(EventIdString, Schema.NumberFromString).pipe(Schema.compose(EventIdNumber))
).pipe(
  Schema.annotations({
    description: "Intervals.icu calendar event id, a number such as 12345 (from get_events).",
    message: () => ({ message: "expected a numeric event id such as 12345", override: false })
  })
)
export type EventId = typeof EventId.Type

const isRealDate = (s: string): boolean => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (match === null) return false
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

/** A calendar date in the athlete's local time, `YYYY-MM-DD`, that really exists (no `2026-02-30`). */
export const LocalDate = Schema.String.pipe(
  Schema.filter(isRealDate, {
    message: (issue) => `expected a real calendar date as YYYY-MM-DD, got ${describe(issue.actual)}`,
    jsonSchema: { format: "date" }
  }),
  Schema.brand("LocalDate")
)
export type LocalDate = typeof LocalDate.Type

export const localDate = (s: string): LocalDate => Schema.decodeSync(LocalDate)(s)
