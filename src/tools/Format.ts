/**
 * Units and compact text for answers read by a language model. Every helper returns `undefined` for a missing
 * value, so a caller can drop it instead of printing `None`, `N/A` or a fake `0`.
 */

type Value = number | null | undefined

const known = (value: Value): value is number => typeof value === "number" && Number.isFinite(value)

/** Rounds to at most `digits` decimals, without trailing zeros. */
export const round = (value: number, digits = 0): number => {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}

export const roundOrUndefined = (value: Value, digits = 0): number | undefined =>
  known(value) ? round(value, digits) : undefined

/** `3725` → `1h02m05s`, `2700` → `45m`, `40` → `40s`. */
export const duration = (seconds: Value): string | undefined => {
  if (!known(seconds) || seconds < 0) return undefined
  const total = Math.round(seconds)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m` + (s > 0 ? `${String(s).padStart(2, "0")}s` : "")
  if (m > 0) return `${m}m` + (s > 0 ? `${String(s).padStart(2, "0")}s` : "")
  return `${s}s`
}

/** `125` → `2:05`: a count of units and its sixtieths (minutes and seconds, or hours and minutes). */
const minutesSeconds = (seconds: number): string => {
  const total = Math.round(seconds)
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`
}

/** `31260` → `8:41`: hours and minutes, for a table column whose header says `h:mm`. */
export const hoursMinutes = (seconds: Value): string | undefined =>
  !known(seconds) || seconds < 0 ? undefined : minutesSeconds(seconds / 60)

export type SportFamily = "swim" | "run" | "other"

/** Which way a speed is best read: as pace per 100 m for swims, per km for foot sports, as km/h otherwise. */
export const sportFamily = (type: string | null | undefined): SportFamily => {
  if (!type) return "other"
  if (/swim/i.test(type)) return "swim"
  if (/run|walk|hike|snowshoe/i.test(type)) return "run"
  return "other"
}

/** Metres, as km above 1 km except for swims, which count metres. */
export const distance = (metres: Value, family: SportFamily = "other"): string | undefined => {
  if (!known(metres) || metres <= 0) return undefined
  if (family === "swim" || metres < 1000) return `${Math.round(metres)} m`
  return `${round(metres / 1000, metres < 100_000 ? 2 : 1)} km`
}

/** Seconds per unit distance from a speed in m/s: per km for runs, per 100 m for swims. */
export const paceSeconds = (metresPerSecond: Value, family: SportFamily): number | undefined => {
  if (!known(metresPerSecond) || metresPerSecond <= 0 || family === "other") return undefined
  return round((family === "swim" ? 100 : 1000) / metresPerSecond, 1)
}

/** A speed as it is read for the sport: `4:35 /km`, `1:48 /100m`, or `28.4 km/h`. */
export const speed = (metresPerSecond: Value, family: SportFamily): string | undefined => {
  if (!known(metresPerSecond) || metresPerSecond <= 0) return undefined
  const pace = paceSeconds(metresPerSecond, family)
  if (pace !== undefined) return `${minutesSeconds(pace)} ${family === "swim" ? "/100m" : "/km"}`
  return `${round(metresPerSecond * 3.6, 1)} km/h`
}

/** `"Label", value + unit` when the value is known. */
export const unit = (value: Value, suffix: string, digits = 0): string | undefined =>
  known(value) ? `${round(value, digits)}${suffix}` : undefined

/**
 * Text from Intervals.icu made safe for one line of an answer: line breaks and other control characters become
 * spaces and the bidirectional overrides are dropped, so that a name can never forge a line (or reorder one) in a
 * listing a model reads.
 */
export const flat = (text: string): string =>
  text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ").replace(/[\u202a-\u202e\u2066-\u2069\u200e\u200f]/g, "")

/** Joins the known parts of a line. */
export const join = (parts: ReadonlyArray<string | undefined | false>, separator = " · "): string =>
  parts.filter((part): part is string => typeof part === "string" && part !== "").map(flat).join(separator)

/** `YYYY-MM-DDTHH:MM:SS` → `YYYY-MM-DD HH:MM`; a date stays a date. */
export const localDateTime = (value: string | null | undefined): string | undefined => {
  if (!value) return undefined
  const match = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}))?/.exec(value)
  if (match === null) return value
  return match[2] && match[2] !== "00:00" ? `${match[1]} ${match[2]}` : match[1]
}

/** The date part of a local date-time. */
export const datePart = (value: string | null | undefined): string | undefined =>
  value ? value.slice(0, 10) : undefined

/** Free text on one line, cut to `max` characters. */
export const oneLine = (text: string | null | undefined, max = 160): string | undefined => {
  if (!text) return undefined
  const line = flat(text).replace(/\s+/g, " ").trim()
  if (line === "") return undefined
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}

/** A name in quotes, its own quotes escaped so that it cannot seem to end early. */
export const quote = (text: string | null | undefined): string | undefined => {
  const line = oneLine(text, 80)
  return line === undefined ? undefined : `"${line.replace(/\\/g, "\\\\").replace(/"/g, "\\\"")}"`
}

export const plural = (count: number, word: string, many = `${word}s`): string => `${count} ${count === 1 ? word : many}`

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

/** The weekday of a local date (`2026-12-01` → `Tuesday`). */
export const weekdayOf = (date: string): string =>
  WEEKDAYS[(new Date(`${date.slice(0, 10)}T00:00:00Z`).getUTCDay() + 6) % 7]!

/** A local date with its weekday, for text: `Tue 2026-12-01`. */
export const dayLabel = (date: string): string => `${weekdayOf(date).slice(0, 3)} ${date.slice(0, 10)}`

/** "Alex Rider (i123456)", or the id alone. */
export const athleteLabel = (athlete: { readonly id: string; readonly name?: string | undefined }): string =>
  athlete.name ? `${athlete.name} (${athlete.id})` : athlete.id

/** A count with thousands separators: `12,500`. */
export const count = (n: number): string => n.toLocaleString("en")

const COMPASS = ["N", "NE", "E", "SE", "S", "SW", "W", "NW"]

/** The compass point of a bearing in degrees: for wind, the direction it blows from. */
export const compass = (degrees: number): string => COMPASS[Math.round((((degrees % 360) + 360) % 360) / 45) % 8]!

/** Tags as a model reads them: `#threshold #indoor`. */
export const tags = (list: ReadonlyArray<string> | undefined): string | undefined =>
  list === undefined || list.length === 0 ? undefined : list.map((tag) => `#${tag}`).join(" ")

/** A local date-time with its weekday, for text: `Tue 2026-12-01 06:30` (a date alone stays a date). */
export const localDayTime = (value: string | null | undefined): string | undefined => {
  const local = localDateTime(value)
  return local !== undefined && /^\d{4}-\d{2}-\d{2}/.test(local) ? `${weekdayOf(local).slice(0, 3)} ${local}` : local
}

/**
 * What a cadence counts, by sport: steps (foot sports) or strokes (swims, rowing, paddling) per minute, "spm", or
 * crank turns, "rpm", for everything else.
 */
export const cadenceUnit = (type: string | null | undefined): "rpm" | "spm" =>
  sportFamily(type) !== "other" || /row|paddl|kayak|canoe/i.test(type ?? "") ? "spm" : "rpm"

/**
 * The fields of an upstream record that an answer does not show already: every non-null string, number or boolean
 * under its raw name, so that a value the answer has no field for can still be read (lists and objects are left out).
 */
export const otherFields = (
  record: Readonly<Record<string, unknown>>,
  shown: ReadonlySet<string>
): Record<string, string | number | boolean> | undefined => {
  const rest = Object.entries(record).filter((entry): entry is [string, string | number | boolean] =>
    !shown.has(entry[0]) &&
    (typeof entry[1] === "string" || typeof entry[1] === "boolean" ||
      (typeof entry[1] === "number" && Number.isFinite(entry[1])))
  )
  return rest.length === 0 ? undefined : Object.fromEntries(rest)
}
