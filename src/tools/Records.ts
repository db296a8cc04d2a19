/**
 * Changing the records of what happened and of who the athlete is: an activity (name, description, type, effort and
 * feel, gear, flags), a wellness day, a sport's settings; and deleting an activity. Each reads the record first,
 * sends only the fields that change, reads it back, and answers each change as before → after; each is journaled so
 * that `undo_last_write` can put it back.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { ActivityId } from "../domain/Ids.js"
import type { SportSettings } from "../domain/Intervals.js"
import { boundedList, boundedText, lineText } from "../domain/Limits.js"
import { scaleText, scaleValue } from "../domain/Scales.js"
import { paceText, PACE_UNIT_METRES } from "../domain/Zones.js"
import { AthleteCalendar } from "../services/AthleteCalendar.js"
import { IntervalsClient } from "../services/IntervalsClient.js"
import * as Format from "./Format.js"
import { athleteIdParam, boundedInt, dateParam, resolveAthlete } from "./Params.js"
import { compact, confirmWrite, make, optional, ToolFailure } from "./Tool.js"
import { ActivityKind, entryOf, irreversible, journal, pick, SportSettingsKind, WellnessKind } from "./Undo.js"

type Fields = Record<string, unknown>

const Change = Schema.Struct({
  field: Schema.String,
  before: Schema.String,
  after: Schema.String
})
type Change = typeof Change.Type

const shown = (value: unknown, _key?: string): string =>
  value === undefined || value === null || value === ""
    ? "(none)"
    : typeof value === "string"
    ? Format.oneLine(value, 120) ?? "(none)"
    : JSON.stringify(value)

/** The fields of `wanted` whose value differs from the record's: only those are sent. */
const differing = (record: Fields, wanted: Fields): Fields =>
  Object.fromEntries(Object.entries(wanted).filter(([key, value]) => JSON.stringify(record[key] ?? null) !== JSON.stringify(value)))

const changesOf = (
  before: Fields,
  after: Fields,
  keys: ReadonlyArray<string>,
  label: (key: string) => string,
  show: (value: unknown, key: string) => string = shown
) =>
  keys.map((key): Change => ({ field: label(key), before: show(before[key], key), after: show(after[key], key) }))

const renderChanges = (head: string, changes: ReadonlyArray<Change>, tail?: string) =>
  [
    head,
    ...changes.map((c) => `- ${c.field}: ${c.before} → ${c.after}`),
    tail
  ].filter((line): line is string => typeof line === "string").join("\n")

const nothing = (what: string) =>
  new ToolFailure({ message: `Nothing changes: ${what} already has these values, so nothing was sent to Intervals.icu.` })

const WRITE_ANNOTATIONS = (title: string) => ({
  title,
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: true,
  openWorldHint: true
})

// ---------------------------------------------------------------------------------------------------------------
// update_activity

const ACTIVITY_FIELDS: Record<string, string> = {
  name: "name",
  description: "description",
  type: "type",
  icu_rpe: "rpe",
  feel: "feel",
  gear: "gear",
  trainer: "trainer",
  commute: "commute",
  race: "race"
}

const ActivityChanges = Schema.Struct({
  activity_id: Schema.String,
  name: optional(Schema.String),
  date: optional(Schema.String),
  changes: Schema.Array(Change)
})

export const updateActivity = make({
  name: "update_activity",
  title: "Change an activity",
  description: "Change a completed activity: name, description (description_mode replace or append; required when " +
    "it already has one, so no text is lost), type, rpe (1–10, 10 the hardest), feel (" + scaleText("feel") + "), " +
    "gear_id (from get_gear_list), trainer, commute, race. Reads it first, sends only what changes, reads it back " +
    "and answers each change before → after. undo_last_write reverts it. Strava-synced activities cannot be changed. " +
    "Not registered with INTERVALS_WRITE_MODE=read-only.",
  annotations: WRITE_ANNOTATIONS("Change an activity"),
  input: Schema.Struct({
    activity_id: ActivityId,
    name: optional(lineText(200)),
    description: optional(boundedText(10_000, 1)),
    description_mode: optional(Schema.Literal("replace", "append").annotations({
      description: "replace the description, or append to it (after a blank line)"
    })),
    type: optional(lineText(40).annotations({ description: "Ride, Run, Swim, VirtualRide, …" })),
    rpe: optional(boundedInt(1, 10, "Perceived exertion, 1 (very easy) to 10 (maximal)")),
    feel: optional(boundedInt(1, 5, `Feel: ${scaleText("feel")}`)),
    gear_id: optional(lineText(40).annotations({ description: "Gear id from get_gear_list, e.g. b12345" })),
    trainer: optional(Schema.Boolean),
    commute: optional(Schema.Boolean),
    race: optional(Schema.Boolean)
  }),
  output: ActivityChanges,
  run: Effect.fn("update_activity")(function*(input) {
    const client = yield* IntervalsClient
    const before = (yield* client.activity(input.activity_id)) as unknown as Fields
    if (before["source"] === "STRAVA") {
      return yield* new ToolFailure({
        message: `Activity ${input.activity_id} was synced from Strava: Intervals.icu cannot change it through its API.`
      })
    }
    const existing = typeof before["description"] === "string" ? before["description"] : ""
    if (input.description !== undefined && existing.trim() !== "" && input.description_mode === undefined) {
      return yield* new ToolFailure({
        message: "Invalid arguments for update_activity; nothing was sent to Intervals.icu:\n- description_mode: " +
          `required, since the activity already has a description (${existing.length} characters): replace it, or ` +
          "append to it"
      })
    }
    const description = input.description === undefined
      ? undefined
      : input.description_mode === "append" && existing.trim() !== ""
      ? `${existing.trimEnd()}\n\n${input.description}`
      : input.description
    const wanted = compact({
      name: input.name,
      description,
      type: input.type,
      icu_rpe: input.rpe,
      feel: input.feel,
      trainer: input.trainer,
      commute: input.commute,
      race: input.race
    }) as Fields
    // Gear is compared by its id, and sent as Intervals.icu names it.
    const gearChanges = input.gear_id !== undefined && (before["gear"] as { id?: string } | null)?.id !== input.gear_id
    const fields = { ...differing(before, wanted), ...(gearChanges ? { gear: { id: input.gear_id } } : {}) }
    if (Object.keys(fields).length === 0) return yield* nothing(`activity ${input.activity_id}`)
    yield* client.updateActivity(input.activity_id, fields)
    const after = (yield* client.activity(input.activity_id)) as unknown as Fields
    const keys = Object.keys(fields)
    const label = Format.quote(after["name"] as string) ?? input.activity_id
    yield* journal(entryOf("update_activity", `changed activity ${input.activity_id} ${label}`, ActivityKind, [{
      id: input.activity_id,
      label,
      before: pick(before, keys),
      after: pick(after, keys)
    }]))
    const show = (value: unknown, key?: string) =>
      key === "gear"
        ? shown((value as { id?: string; name?: string } | null)?.name ?? (value as { id?: string } | null)?.id)
        : key === "feel" && typeof value === "number"
        ? scaleValue("feel", value)
        : shown(value)
    return {
      activity_id: input.activity_id,
      ...compact({ name: after["name"] as string | undefined, date: Format.datePart(after["start_date_local"] as string) }),
      changes: changesOf(before, after, keys, (key) => ACTIVITY_FIELDS[key] ?? key, show)
    }
  }),
  render: (out) =>
    renderChanges(`Changed activity ${out.activity_id}${out.name ? ` ${Format.quote(out.name)}` : ""}${out.date ? ` of ${Format.dayLabel(out.date)}` : ""}:`, out.changes)
})

// ---------------------------------------------------------------------------------------------------------------
// delete_activity

export const deleteActivity = make({
  name: "delete_activity",
  title: "Delete an activity",
  description: "Delete a completed activity and its data for good (it cannot be undone: its file cannot be uploaded " +
    "again through this server). Registered only with INTERVALS_WRITE_MODE=full.",
  annotations: {
    title: "Delete an activity",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: true
  },
  fullModeOnly: true,
  input: Schema.Struct({ activity_id: ActivityId }),
  output: Schema.Struct({
    deleted: Schema.Struct({ id: Schema.String, name: optional(Schema.String), type: optional(Schema.String), date: optional(Schema.String) })
  }),
  run: Effect.fn("delete_activity")(function*(input) {
    const client = yield* IntervalsClient
    const activity = yield* client.activity(input.activity_id)
    yield* confirmWrite({
      message: `Delete the activity "${activity.name ?? "unnamed"}" (${activity.id}, ${
        activity.start_date_local?.slice(0, 10) ?? "date unknown"
      })? It cannot be put back.`
    })
    yield* client.deleteActivity(input.activity_id)
    yield* irreversible(
      "delete_activity",
      `deleted activity ${activity.id} ${Format.quote(activity.name) ?? ""}`,
      "a deleted activity's recording cannot be put back through the API"
    )
    return {
      deleted: {
        id: activity.id,
        ...compact({ name: activity.name, type: activity.type, date: Format.datePart(activity.start_date_local) })
      }
    }
  }),
  render: (out) =>
    `Deleted activity ${out.deleted.id}: ${Format.join([out.deleted.date && Format.dayLabel(out.deleted.date), out.deleted.type, Format.quote(out.deleted.name)], " ")}. ` +
    "This cannot be undone."
})

// ---------------------------------------------------------------------------------------------------------------
// update_wellness

const Scored = (name: "soreness" | "fatigue" | "stress" | "mood" | "motivation" | "injury" | "sleepQuality") =>
  optional(boundedInt(1, 4, `${name === "sleepQuality" ? "Sleep quality" : name[0]!.toUpperCase() + name.slice(1)}: ${scaleText(name)}`))

/** The wellness fields by parameter, with how a value is sent (sleep in hours is sent as seconds). */
const WELLNESS: Record<string, { readonly field: string; readonly send?: (value: number) => number }> = {
  weight_kg: { field: "weight" },
  resting_hr_bpm: { field: "restingHR" },
  hrv_ms: { field: "hrv" },
  sleep_hours: { field: "sleepSecs", send: (hours) => Math.round(hours * 3600) },
  sleep_score: { field: "sleepScore" },
  sleep_quality: { field: "sleepQuality" },
  soreness: { field: "soreness" },
  fatigue: { field: "fatigue" },
  stress: { field: "stress" },
  mood: { field: "mood" },
  motivation: { field: "motivation" },
  injury: { field: "injury" },
  spo2_percent: { field: "spO2" },
  comments: { field: "comments" }
}

const SCALED = new Set(["soreness", "fatigue", "stress", "mood", "motivation", "injury", "sleepQuality"])

const between = (min: number, max: number, description: string) =>
  Schema.Number.pipe(Schema.finite(), Schema.between(min, max)).annotations({
    description,
    message: () => ({ message: `expected a number from ${min} to ${max}`, override: true })
  })

export const updateWellness = make({
  name: "update_wellness",
  title: "Log wellness",
  description: "Log or correct a day's wellness (default today in the athlete's timezone; no future day): weight, " +
    "resting HR, HRV, sleep (hours, score, quality), the subjective 1–4 scales (1 is always the good end: low " +
    "soreness, great mood, no injury), SpO2 and comments. Only what changes is sent; each change is answered " +
    "before → after. undo_last_write reverts it. Not registered with INTERVALS_WRITE_MODE=read-only.",
  annotations: WRITE_ANNOTATIONS("Log wellness"),
  input: Schema.Struct({
    athlete_id: athleteIdParam,
    date: dateParam("The day, YYYY-MM-DD. Default today"),
    weight_kg: optional(between(20, 300, "Body weight, kg")),
    resting_hr_bpm: optional(boundedInt(20, 150, "Resting heart rate, bpm")),
    hrv_ms: optional(between(1, 300, "HRV (rMSSD), ms")),
    sleep_hours: optional(between(0, 24, "Hours slept")),
    sleep_score: optional(between(0, 100, "Sleep score from a device, 0–100")),
    sleep_quality: Scored("sleepQuality"),
    soreness: Scored("soreness"),
    fatigue: Scored("fatigue"),
    stress: Scored("stress"),
    mood: Scored("mood"),
    motivation: Scored("motivation"),
    injury: Scored("injury"),
    spo2_percent: optional(between(50, 100, "Blood oxygen, %")),
    comments: optional(boundedText(2000).annotations({ description: "Comments for the day (replaces the day's)" }))
  }),
  output: Schema.Struct({ date: Schema.String, weekday: Schema.String, changes: Schema.Array(Change) }),
  run: Effect.fn("update_wellness")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const today = yield* Effect.flatMap(AthleteCalendar, (calendar) => calendar.today(athleteId))
    const date = input.date ?? today
    if (date > today) {
      return yield* new ToolFailure({
        message: `Invalid arguments for update_wellness; nothing was sent to Intervals.icu:\n- date: wellness is ` +
          `logged for today (${today}) or earlier, got "${date}"`
      })
    }
    const wanted: Fields = {}
    for (const [name, { field, send }] of Object.entries(WELLNESS)) {
      const value = (input as Record<string, unknown>)[name]
      if (value !== undefined) wanted[field] = send !== undefined ? send(value as number) : value
    }
    if (Object.keys(wanted).length === 0) {
      return yield* new ToolFailure({ message: "Nothing to log: give at least one wellness field besides date." })
    }
    const client = yield* IntervalsClient
    const before = (yield* client.wellnessDay(athleteId, date)) as unknown as Fields
    const fields = differing(before, wanted)
    if (Object.keys(fields).length === 0) return yield* nothing(`the wellness of ${date}`)
    yield* client.updateWellness(athleteId, date, fields)
    const after = (yield* client.wellnessDay(athleteId, date)) as unknown as Fields
    const keys = Object.keys(fields)
    yield* journal(entryOf("update_wellness", `logged wellness of ${date} (${keys.join(", ")})`, WellnessKind(athleteId), [
      { id: date, label: date, before: pick(before, keys), after: pick(after, keys) }
    ]))
    const show = (value: unknown, key?: string) =>
      typeof value === "number" && key !== undefined && SCALED.has(key)
        ? scaleValue(key as "mood", value)
        : key === "sleepSecs" && typeof value === "number"
        ? `${Format.round(value / 3600, 2)} h`
        : shown(value)
    return {
      date,
      weekday: Format.weekdayOf(date),
      changes: changesOf(before, after, keys, (key) => key, show)
    }
  }),
  render: (out) => renderChanges(`Wellness of ${Format.dayLabel(out.date)}:`, out.changes)
})

// ---------------------------------------------------------------------------------------------------------------
// update_sport_settings

const increasing = (values: ReadonlyArray<number>) => values.every((v, i) => i === 0 || v > values[i - 1]!)

const Bounds = (min: number, max: number, noun: string) =>
  boundedList(Schema.Number.pipe(Schema.finite(), Schema.between(min, max)), 10, noun, 2).pipe(
    Schema.filter((values) => increasing(values) || "expected each bound above the one before")
  )

const PACE = /^(\d{1,2}):([0-5]\d)$/

export const updateSportSettings = make({
  name: "update_sport_settings",
  title: "Change a sport's thresholds and zones",
  description: "Change the settings of one sport (found by a type it covers: Ride, Run, Swim, …): ftp_watts, " +
    "indoor_ftp_watts, lthr_bpm, max_hr_bpm, threshold_pace (m:ss in the sport's pace units, e.g. 4:10 per km or " +
    "1:45 per 100 m), w_prime_j, and zones as upper bounds: power_zones (% of FTP), hr_zones (bpm), pace_zones (% " +
    "of threshold pace); 999 leaves the top zone open. Answers each change before → after. Past activities keep " +
    "their old values unless apply_to_activities is true, which has Intervals.icu recompute them. undo_last_write " +
    "restores the settings (not a recomputation). Not registered with INTERVALS_WRITE_MODE=read-only.",
  annotations: WRITE_ANNOTATIONS("Change a sport's thresholds and zones"),
  input: Schema.Struct({
    athlete_id: athleteIdParam,
    sport: lineText(40).annotations({ description: "A type the settings cover: Ride, Run, Swim, …" }),
    ftp_watts: optional(boundedInt(30, 2000, "FTP, watts")),
    indoor_ftp_watts: optional(boundedInt(30, 2000, "Indoor FTP, watts")),
    lthr_bpm: optional(boundedInt(60, 230, "Threshold heart rate, bpm")),
    max_hr_bpm: optional(boundedInt(80, 250, "Maximum heart rate, bpm")),
    threshold_pace: optional(
      Schema.String.pipe(Schema.pattern(PACE, { message: () => "expected a pace as m:ss, e.g. 4:10" })).annotations({
        description: "Pace at threshold, m:ss in the sport's units"
      })
    ),
    w_prime_j: optional(boundedInt(1000, 100_000, "W′, joules")),
    power_zones: optional(Bounds(1, 999, "zone bounds")),
    hr_zones: optional(Bounds(30, 250, "zone bounds")),
    pace_zones: optional(Bounds(1, 999, "zone bounds")),
    apply_to_activities: optional(Schema.Boolean.annotations({ description: "Recompute past activities; default false" }))
  }),
  output: Schema.Struct({
    settings_id: Schema.String,
    types: Schema.Array(Schema.String),
    changes: Schema.Array(Change),
    applied: Schema.Boolean.annotations({ description: "Whether past activities were recomputed" })
  }),
  run: Effect.fn("update_sport_settings")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const client = yield* IntervalsClient
    const athlete = yield* client.athlete(athleteId)
    const settings = athlete.sportSettings?.find((s) => s.types?.some((t) => t.toLowerCase() === input.sport.toLowerCase()))
    if (settings === undefined || settings.id == null) {
      return yield* new ToolFailure({
        message: `No sport settings cover ${JSON.stringify(input.sport)}; they cover: ` +
          (athlete.sportSettings ?? []).map((s) => (s.types ?? []).join("/")).join(", ")
      })
    }
    const unit = PACE_UNIT_METRES[settings.pace_units ?? "MINS_KM"] ?? PACE_UNIT_METRES["MINS_KM"]!
    const pace = input.threshold_pace === undefined ? undefined : PACE.exec(input.threshold_pace)!
    const wanted = compact({
      ftp: input.ftp_watts,
      indoor_ftp: input.indoor_ftp_watts,
      lthr: input.lthr_bpm,
      max_hr: input.max_hr_bpm,
      // Intervals.icu keeps threshold pace as metres per second, whatever the units it shows it in.
      threshold_pace: pace === undefined ? undefined : Math.round((unit.metres / (Number(pace[1]) * 60 + Number(pace[2]))) * 10_000) / 10_000,
      w_prime: input.w_prime_j,
      power_zones: input.power_zones,
      hr_zones: input.hr_zones,
      pace_zones: input.pace_zones
    }) as Fields
    if (Object.keys(wanted).length === 0 && input.apply_to_activities !== true) {
      return yield* new ToolFailure({ message: "Nothing to change: give a threshold or zones (or apply_to_activities)." })
    }
    const before = settings as unknown as Fields
    const fields = differing(before, wanted)
    const id = String(settings.id)
    if (Object.keys(fields).length > 0) yield* client.updateSportSettings(athleteId, id, fields)
    if (input.apply_to_activities === true) yield* client.applySportSettings(athleteId, id)
    const after = ((yield* client.athlete(athleteId)).sportSettings?.find((s) => String(s.id) === id) ?? settings) as unknown as Fields
    const keys = Object.keys(fields)
    if (keys.length > 0) {
      yield* journal(entryOf(
        "update_sport_settings",
        `changed ${(settings.types ?? []).join("/")} settings (${keys.join(", ")})`,
        SportSettingsKind(athleteId),
        [{ id, label: (settings.types ?? []).join("/"), before: pick(before, keys), after: pick(after, keys) }]
      ))
    }
    const show = (value: unknown, key?: string) =>
      key === "threshold_pace" && typeof value === "number" ? paceText(value, (settings as SportSettings).pace_units ?? undefined) : shown(value)
    return {
      settings_id: id,
      types: [...(settings.types ?? [])],
      changes: changesOf(before, after, keys, (key) => key, show),
      applied: input.apply_to_activities === true
    }
  }),
  render: (out) =>
    renderChanges(
      `${out.types.join("/")} settings (${out.settings_id}):${out.changes.length === 0 ? " no field changed." : ""}`,
      out.changes,
      out.applied
        ? "Past activities were recomputed with these settings."
        : "Past activities keep their old values (apply_to_activities: true recomputes them)."
    )
})

