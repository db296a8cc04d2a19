/**
 * Identifiers and dates as schemas. Everything that ends up in an Intervals.icu URL passes through one of these,
 * so a value that could change the path (`../athlete/0`, `%2F`, `?`) is refused before any request is made.
 */
import * as Schema from "effect/Schema"

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
    description: "Default: the configured athlete"
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
  Schema.annotations({ description: "Activity id, e.g. i123456789 (from get_activities)" })
)
export type ActivityId = typeof ActivityId.Type

/**
 * A numeric id of Intervals.icu (an event, a custom item): a whole number, or its digits as a string. JSON numbers
 * above 2^53 lose digits before any server sees them, so such ids must come as strings; a number that is no longer
 * exact is refused rather than used. Decoded to its digits, which is what goes in a URL.
 */
const numericId = (what: string, example: string, description: string) => {
  const expected = `expected ${what} such as ${example} (a whole number, or a string of digits)`
  const exact = Schema.Number.pipe(
    Schema.filter((n) => Number.isInteger(n) && n >= 1 && n <= Number.MAX_SAFE_INTEGER, {
      message: (issue) => {
        const n = issue.actual as number
        // The number as it arrived may already be another id (JSON rounds past 2^53), so no digits are suggested.
        return Number.isInteger(n) && n > Number.MAX_SAFE_INTEGER
          ? `${what} larger than 9007199254740991 loses digits as a JSON number (this one arrived as ${describe(n)}, ` +
            "which may be a different id): give it as a string of its exact digits, e.g. \"12345\""
          : `${expected}, got ${describe(n)}`
      }
    })
  )
  const Digits = Schema.String.pipe(
    Schema.filter((s) => /^[1-9][0-9]{0,18}$/.test(s), {
      message: (issue) => `${expected}, got ${describe(issue.actual)}`,
      jsonSchema: { pattern: "^[1-9][0-9]{0,18}$" }
    })
  )
  return Schema.Union(
    Schema.transform(exact, Schema.String, { strict: true, decode: (n) => String(n), encode: (s) => Number(s) }),
    Digits
  ).annotations({
    description,
    message: () => ({ message: expected, override: false })
  })
}

export const EventId = numericId(
  "an event id",
  "12345",
  "Intervals.icu calendar event id, a number such as 12345 (from get_events)."
).pipe(Schema.brand("EventId"))
export type EventId = typeof EventId.Type

export const ItemId = numericId("a custom item id", "9101", "Custom item id (from get_custom_items)").pipe(
  Schema.brand("ItemId")
)
export type ItemId = typeof ItemId.Type

/** A workout or folder of the library: the same kind of id upstream, named for what it is in messages. */
export const LibraryWorkoutId = numericId(
  "a library workout id",
  "5501",
  "Library workout id (from get_workout_library)"
).pipe(Schema.brand("ItemId"))
export const FolderId = numericId("a library folder id", "3301", "Library folder id (from get_workout_library)").pipe(
  Schema.brand("ItemId")
)

/** An id as Intervals.icu answers it: a number, or a string of digits when it is above 2^53. */
export const AnswerId = Schema.Union(Schema.Number, Schema.String)
export type AnswerId = typeof AnswerId.Type

/** An id from an answer, as the number JSON carries when it is exact, else its digits. */
export const idValue = (id: string | number): number | string => {
  const n = Number(id)
  return Number.isSafeInteger(n) ? n : String(id)
}

/** Dates this server accepts: every real date in these years (Intervals.icu holds nothing older). */
export const FIRST_YEAR = 1900
export const LAST_YEAR = 2199

const realDate = (s: string): "ok" | "shape" | "range" | "unreal" => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (match === null) return "shape"
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  if (year < FIRST_YEAR || year > LAST_YEAR) return "range"
  if (month < 1 || month > 12 || day < 1) return "unreal"
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!
  return day <= days ? "ok" : "unreal"
}

/** A calendar date in the athlete's local time, `YYYY-MM-DD`, that really exists (no `2026-02-30`). */
export const LocalDate = Schema.String.pipe(
  Schema.filter((s) => realDate(s) === "ok", {
    message: (issue) => {
      const verdict = realDate(String(issue.actual))
      return verdict === "range"
        ? `expected a date from ${FIRST_YEAR}-01-01 to ${LAST_YEAR}-12-31, got ${describe(issue.actual)}`
        : verdict === "unreal"
        ? `expected a real calendar date as YYYY-MM-DD, got ${describe(issue.actual)}, which does not exist`
        : `expected a real calendar date as YYYY-MM-DD, got ${describe(issue.actual)}`
    },
    jsonSchema: { format: "date" }
  }),
  Schema.brand("LocalDate")
)
export type LocalDate = typeof LocalDate.Type

export const localDate = (s: string): LocalDate => Schema.decodeSync(LocalDate)(s)
