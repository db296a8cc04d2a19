/**
 * Plans written in bulk and moved in bulk, each in two calls: a preview (the default, `dry_run`), then the write of
 * exactly what was previewed, proven by the preview's token. The preview of a plan shows each event with its date,
 * weekday, check and load, the load per day, where fitness, fatigue and form go through the block, and what is in
 * the calendar already on those days. Plans are written with one `POST …/events/bulk?upsert=true`, each event with a
 * deterministic `external_id`, so that writing the same plan again updates it instead of doubling it; races and
 * notes already there are never overwritten.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import type { AthleteId } from "../domain/Ids.js"
import { LibraryWorkoutId, LocalDate } from "../domain/Ids.js"
import type { Event, LibraryWorkout } from "../domain/Intervals.js"
import { project } from "../domain/Fitness.js"
import { boundedList, boundedText, lineText } from "../domain/Limits.js"
import { checkText } from "../domain/WorkoutCheck.js"
import { toWorkoutText, WorkoutDoc } from "../domain/WorkoutDoc.js"
import { sportOf } from "../domain/WorkoutText.js"
import { AppConfig } from "../services/AppConfig.js"
import { addDays, AthleteCalendar } from "../services/AthleteCalendar.js"
import { IntervalsClient } from "../services/IntervalsClient.js"
import { Category, EVENT_KEYS, eventLabel, recreatable, SAFE_RULE } from "./CalendarWrites.js"
import { Projected, projectedRow } from "./Fitness.js"
import * as Format from "./Format.js"
import { athleteIdParam, boundedInt, orderedDates, resolveAthlete, whose } from "./Params.js"
import { compact, confirmWrite, make, optional, progress, ToolFailure } from "./Tool.js"
import { entryOf, EventKind, journal, pick } from "./Undo.js"
import { thresholdsFor } from "./Workouts.js"

// ---------------------------------------------------------------------------------------------------------------
// Preview tokens

/** Signs previews for this process only; a token cannot be made without having asked for the preview. */
const SECRET = randomBytes(32)
/** How long a preview may be written. */
const TOKEN_MINUTES = 30

const sign = (payload: unknown, expires: number) =>
  `${expires.toString(36)}.${createHmac("sha256", SECRET).update(`${expires}:${JSON.stringify(payload)}`).digest("base64url")}`

const makeToken = (payload: unknown) => sign(payload, Date.now() + TOKEN_MINUTES * 60_000)

/** Why a token does not prove this write was previewed, or undefined when it does. */
const tokenProblem = (token: string | undefined, payload: unknown): string | undefined => {
  if (token === undefined) return "dry_run: false needs the token of the preview of exactly these events"
  const expires = parseInt(token.split(".")[0] ?? "", 36)
  if (!Number.isFinite(expires)) return "the token is not one this server gave"
  const expected = Buffer.from(sign(payload, expires))
  const given = Buffer.from(token)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return "the token does not match these arguments: they differ from the preview (or it was given by another " +
      "server process); preview again and write with its token"
  }
  return expires < Date.now() ? `the preview is older than ${TOKEN_MINUTES} minutes; preview again` : undefined
}

const TokenParams = {
  dry_run: optional(Schema.Boolean.annotations({ description: "Default true: preview only. false (with token) writes" })),
  token: optional(boundedText(200, 1).annotations({ description: "The preview's token, to write exactly that" }))
}

const refuse = (tool: string, lines: ReadonlyArray<string>) =>
  new ToolFailure({
    message: `Invalid arguments for ${tool}; nothing was sent to Intervals.icu:\n${lines.slice(0, 10).map((l) => `- ${l}`).join("\n")}` +
      (lines.length > 10 ? `\n- and ${lines.length - 10} more` : "")
  })

const midnight = (date: string) => `${date}T00:00:00`

/** Load planned per day by the events of a calendar (not done yet, so not paired with an activity). */
const plannedLoad = (events: ReadonlyArray<Event>, skip: ReadonlySet<string>) => {
  const byDay = new Map<string, number>()
  for (const e of events) {
    if (skip.has(String(e.id)) || e.paired_activity_id || !/^(WORKOUT|RACE_[ABC])$/.test(e.category ?? "")) continue
    const day = e.start_date_local.slice(0, 10)
    byDay.set(day, (byDay.get(day) ?? 0) + (e.icu_training_load ?? 0))
  }
  return byDay
}

/** Fitness, fatigue and form from today to `to`, through the load already planned and the block's. */
const projectionThrough = (athleteId: AthleteId, today: LocalDate, to: string, loadOn: ReadonlyMap<string, number>) =>
  Effect.gen(function*() {
    const client = yield* IntervalsClient
    const wellness = yield* client.wellness(athleteId, addDays(today, -3), today)
    const now = [...wellness].sort((a, b) => a.id.localeCompare(b.id)).filter((w) => w.ctl != null && w.atl != null).at(-1)
    if (now === undefined || to <= today) return undefined
    const days = project({ fitness: now.ctl!, fatigue: now.atl! }, today, to, (d) => loadOn.get(d) ?? 0, loadOn.get(today) ?? 0)
    return days.map(projectedRow)
  })

/** The days of a projection worth a line: Sundays, days with load in the block, and the last day. */
const milestones = <A extends { date: string; planned_load: number }>(days: ReadonlyArray<A>, block: ReadonlySet<string>) =>
  days.filter((d, i) => i === days.length - 1 || Format.weekdayOf(d.date) === "Sunday" || (block.has(d.date) && i === 0))

// ---------------------------------------------------------------------------------------------------------------
// add_events_bulk

const PlanCategory = Schema.Literal("WORKOUT", "RACE_A", "RACE_B", "RACE_C", "NOTE")

const PlannedEvent = Schema.Struct({
  date: LocalDate.annotations({ description: "Day, YYYY-MM-DD" }),
  name: lineText(200),
  category: optional(PlanCategory.annotations({ description: "Default WORKOUT" })),
  workout_type: optional(lineText(40).annotations({ description: "Ride, Run, Swim, … Required for a workout or race" })),
  workout_doc: optional(WorkoutDoc),
  text: optional(boundedText(10_000, 1).annotations({ description: "Workout text (Intervals.icu syntax), or a note's text" })),
  library_workout_id: optional(LibraryWorkoutId.annotations({ description: "A library workout to plan on this day" })),
  moving_time: optional(boundedInt(60, 86_400, "Planned duration, seconds (a workout's is estimated otherwise)")),
  indoor: optional(Schema.Boolean),
  tags: optional(boundedList(lineText(50), 20, "tags"))
})
type PlannedEvent = typeof PlannedEvent.Type

const PlanItem = Schema.Struct({
  index: Schema.Number,
  date: Schema.String,
  weekday: Schema.String,
  category: Schema.String,
  name: Schema.String,
  type: optional(Schema.String),
  action: Schema.Literal("create", "update", "keep").annotations({
    description: "create; update the event an earlier write of this plan made; keep (a race or note already there)"
  }),
  event_id: optional(Schema.String),
  external_id: Schema.String,
  duration_s: optional(Schema.Number),
  load: optional(Schema.Number.annotations({ description: "Estimated from the athlete's zones" })),
  intensity_percent: optional(Schema.Number),
  steps: optional(Schema.Number),
  problems: optional(Schema.Array(Schema.String))
})
type PlanItem = typeof PlanItem.Type

const Existing = Schema.Struct({ id: Schema.String, category: optional(Schema.String), name: optional(Schema.String) })

const BulkOutput = Schema.Struct({
  athlete: Schema.Struct({ id: Schema.String, name: optional(Schema.String) }),
  preview: Schema.Boolean,
  token: optional(Schema.String),
  expires_in_minutes: optional(Schema.Number),
  events: Schema.Array(PlanItem),
  load_by_day: Schema.Array(Schema.Struct({ date: Schema.String, weekday: Schema.String, load: Schema.Number })),
  already_planned: Schema.Array(Schema.Struct({ date: Schema.String, events: Schema.Array(Existing) }))
    .annotations({ description: "Events already in the calendar on the plan's days (a plan adds; it never deletes)" }),
  projection: optional(Schema.Struct({ days: Schema.Array(Projected), at_end: Projected, method: Schema.String })),
  written: optional(Schema.Number)
})
type BulkOutput = typeof BulkOutput.Type

const externalIdOf = (athleteId: string, date: string, category: string, name: string) =>
  `intervals-mcp-${createHash("sha256").update(`${athleteId}|${date}|${category}|${name.trim().toLowerCase()}`).digest("hex").slice(0, 20)}`

interface Prepared {
  readonly item: Omit<PlanItem, "action" | "event_id">
  readonly body: Record<string, unknown>
}

const prepare = (athleteId: AthleteId, events: ReadonlyArray<PlannedEvent>) =>
  Effect.gen(function*() {
    const client = yield* IntervalsClient
    const libraryIds = [...new Set(events.flatMap((e) => (e.library_workout_id === undefined ? [] : [e.library_workout_id])))]
    const library = new Map<string, LibraryWorkout>(
      yield* Effect.forEach(libraryIds, (id) => Effect.map(client.libraryWorkout(athleteId, id), (w) => [id, w] as const), {
        concurrency: 4
      })
    )
    const thresholds = new Map<string, Effect.Effect.Success<ReturnType<typeof thresholdsFor>>>()
    const problems: Array<string> = []
    const prepared: Array<Prepared> = []
    for (const [index, e] of events.entries()) {
      const at = `events[${index}]`
      const fromLibrary = e.library_workout_id === undefined ? undefined : library.get(e.library_workout_id)
      const category = e.category ?? "WORKOUT"
      const type = e.workout_type ?? fromLibrary?.type ?? undefined
      if (e.workout_doc !== undefined && e.text !== undefined) problems.push(`${at}: give either workout_doc or text, not both`)
      if (category !== "NOTE" && type === undefined) problems.push(`${at}.workout_type: required for a ${category.toLowerCase()}`)
      if (category === "NOTE" && e.workout_doc !== undefined) problems.push(`${at}.workout_doc: a note has no workout`)
      const written = e.workout_doc === undefined ? undefined : toWorkoutText(e.workout_doc)
      if (written !== undefined && written._tag === "Left") {
        problems.push(`${at}.${written.left.path}: ${written.left.message}`)
        continue
      }
      const text = written?.right ?? e.text ?? fromLibrary?.description ?? undefined
      let checked: ReturnType<typeof checkText> | undefined
      if (category === "WORKOUT" && text !== undefined && type !== undefined) {
        if (!thresholds.has(type)) thresholds.set(type, yield* thresholdsFor(athleteId, type))
        checked = checkText(text, sportOf(type), thresholds.get(type)!)
      }
      const estimate = checked?.estimate
      const external = externalIdOf(athleteId, e.date, category, e.name)
      prepared.push({
        item: {
          index,
          date: e.date,
          weekday: Format.weekdayOf(e.date),
          category,
          name: e.name,
          external_id: external,
          ...compact({
            type,
            duration_s: e.moving_time ?? (estimate && estimate.duration > 0 ? estimate.duration : undefined),
            load: estimate && estimate.duration > 0 ? estimate.load : undefined,
            intensity_percent: estimate && estimate.duration > 0 ? estimate.intensity : undefined,
            steps: checked?.stepCount,
            problems: checked && checked.problems.length > 0
              ? checked.problems.map((p) => `${p.line > 0 ? `line ${p.line}: ` : ""}${p.message}`)
              : undefined
          })
        },
        body: compact({
          category,
          start_date_local: midnight(e.date),
          name: e.name,
          type,
          description: text,
          moving_time: e.moving_time ?? (estimate && estimate.duration > 0 ? estimate.duration : undefined),
          indoor: e.indoor ?? fromLibrary?.indoor ?? undefined,
          tags: e.tags ?? fromLibrary?.tags ?? undefined,
          external_id: external
        })
      })
    }
    // Two events of one plan with the same day, category and name would be one event.
    const seen = new Map<string, number>()
    for (const p of prepared) {
      const first = seen.get(p.item.external_id)
      if (first !== undefined) {
        problems.push(`events[${p.item.index}]: the same day, category and name as events[${first}]; give it another name`)
      } else seen.set(p.item.external_id, p.item.index)
    }
    return { prepared, problems }
  })

export const addEventsBulk = make({
  name: "add_events_bulk",
  title: "Plan many events at once",
  description: "Put a block of workouts, notes and races on the calendar in one go (at most 60). First call: a " +
    "preview (dry_run defaults to true) listing each event with its date, weekday, check (steps, load, problems), " +
    "the planned load per day, fitness/fatigue/form projected through the block, what is already planned on those " +
    "days, and a token. Second call: the same events with dry_run: false and the token writes exactly them. Writing " +
    "the same plan again updates its events rather than doubling them; races and notes already there are never " +
    "overwritten; nothing is ever deleted. INTERVALS_WRITE_MODE=safe (default) writes no event before today; " +
    "read-only does not register it. undo_last_write reverts the write.",
  annotations: {
    title: "Plan many events at once",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: true
  },
  input: Schema.Struct({
    athlete_id: athleteIdParam,
    events: boundedList(PlannedEvent, 60, "events", 1),
    ...TokenParams
  }),
  output: BulkOutput,
  namesAthlete: true,
  run: Effect.fn("add_events_bulk")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const client = yield* IntervalsClient
    const config = yield* AppConfig
    const today = yield* Effect.flatMap(AthleteCalendar, (calendar) => calendar.today(athleteId))
    const { prepared, problems } = yield* prepare(athleteId, input.events)
    if (config.writeMode !== "full") {
      for (const e of input.events.map((e, i) => [e, i] as const).filter(([e]) => e.date < today)) {
        problems.push(`events[${e[1]}].date: ${e[0].date} is before today (${today}); ${SAFE_RULE}`)
      }
    }
    if (problems.length > 0) return yield* refuse("add_events_bulk", problems)

    const dates = prepared.map((p) => p.item.date).sort()
    const first = dates[0]!
    const last = dates.at(-1)!
    const [athlete, calendar] = yield* Effect.all(
      [whose(athleteId), client.events(athleteId, LocalDate.make(first), LocalDate.make(last))],
      { concurrency: 2 }
    )
    const byExternal = new Map(calendar.filter((e) => e.external_id).map((e) => [e.external_id!, e]))
    const items: Array<PlanItem> = prepared.map((p) => {
      const existing = byExternal.get(p.item.external_id)
      const action = existing === undefined ? "create" : /^(RACE_[ABC]|NOTE)$/.test(existing.category ?? "") ? "keep" : "update"
      return { ...p.item, action, ...(existing !== undefined ? { event_id: String(existing.id) } : {}) }
    })
    const sent = prepared.filter((_, i) => items[i]!.action !== "keep")
    const mine = new Set(items.flatMap((i) => (i.event_id !== undefined ? [i.event_id] : [])))
    const others = calendar.filter((e) => !mine.has(String(e.id)))
    const alreadyPlanned = [...new Set(others.map((e) => e.start_date_local.slice(0, 10)))].sort().map((date) => ({
      date,
      events: others.filter((e) => e.start_date_local.slice(0, 10) === date).map((e) => ({
        id: String(e.id),
        ...compact({ category: e.category, name: e.name })
      }))
    }))
    const blockLoad = new Map<string, number>()
    for (const item of items) if (item.action !== "keep" && item.load !== undefined) blockLoad.set(item.date, (blockLoad.get(item.date) ?? 0) + item.load)
    // What is planned already (less what this plan rewrites), to the end of the block, plus the block.
    const planned = yield* client.events(athleteId, today, LocalDate.make(last > today ? last : today))
    const loadOn = plannedLoad(planned, mine)
    for (const [day, load] of blockLoad) loadOn.set(day, (loadOn.get(day) ?? 0) + load)
    const projected = yield* projectionThrough(athleteId, today, last, loadOn)
    const payload = { athleteId, bodies: sent.map((p) => p.body) }
    const base = {
      athlete,
      events: items,
      load_by_day: [...blockLoad].sort(([a], [b]) => a.localeCompare(b)).map(([date, load]) => ({
        date,
        weekday: Format.weekdayOf(date),
        load: Format.round(load)
      })),
      already_planned: alreadyPlanned,
      ...(projected !== undefined && projected.length > 0
        ? {
          projection: {
            days: milestones(projected, new Set(blockLoad.keys())),
            at_end: projected.at(-1)!,
            method: "From today's fitness and fatigue, each day adds the load already planned and the block's " +
              "estimated load (Intervals.icu's 42- and 7-day model)."
          }
        }
        : {})
    }
    if (input.dry_run !== false) {
      return { ...base, preview: true, token: makeToken(payload), expires_in_minutes: TOKEN_MINUTES } satisfies BulkOutput
    }
    const problem = tokenProblem(input.token, payload)
    // Where the client can ask, the person confirms the write (their yes stands in for a token, which shows only
    // that the model saw a preview); elsewhere the token is the rule.
    const writing = items.filter((i) => i.action !== "keep")
    const verdict = sent.length === 0 ? "unavailable" : yield* confirmWrite({
      message: `Write ${Format.plural(writing.length, "event")} to the calendar, ${first} to ${last}?`,
      items: writing.map((i) =>
        Format.join([
          `${Format.dayLabel(i.date)} ${i.category} "${i.name}"`,
          i.action === "update" ? "replaces the one there" : undefined,
          i.load !== undefined ? `load ${i.load}` : undefined
        ])
      )
    })
    if (problem !== undefined && verdict !== "accepted") return yield* refuse("add_events_bulk", [`token: ${problem}`])
    if (sent.length === 0) return { ...base, preview: false, written: 0 }
    const saved = yield* client.createEvents(athleteId, sent.map((p) => p.body))
    // Journaled at once: created events are deleted by an undo, rewritten ones get their fields back.
    const before = new Map(calendar.map((e) => [String(e.id), e]))
    yield* journal(entryOf(
      "add_events_bulk",
      `planned ${Format.plural(saved.length, "event")} from ${first} to ${last}`,
      EventKind(athleteId),
      saved.map((e) => {
        const old = before.get(String(e.id))
        return {
          id: String(e.id),
          label: eventLabel(e),
          after: pick(e as unknown as Record<string, unknown>, EVENT_KEYS),
          ...(old !== undefined ? { before: pick(old as unknown as Record<string, unknown>, EVENT_KEYS) } : {})
        }
      })
    ))
    const ids = new Map(saved.map((e) => [e.external_id ?? "", String(e.id)]))
    return {
      ...base,
      events: items.map((i) => (ids.has(i.external_id) ? { ...i, event_id: ids.get(i.external_id)! } : i)),
      preview: false,
      written: saved.length
    }
  }),
  render: (out) => {
    const lines = [
      out.preview
        ? `Preview for ${Format.athleteLabel(out.athlete)} (nothing was written): ${Format.plural(out.events.length, "event")}`
        : `Wrote ${Format.plural(out.written ?? 0, "event")} for ${Format.athleteLabel(out.athlete)}:`,
      ...out.events.map((e) =>
        `- ${Format.dayLabel(e.date)} ${Format.join([
          Format.join([e.category, e.type, Format.quote(e.name)], " "),
          Format.duration(e.duration_s),
          e.load !== undefined && `load ${e.load}`,
          e.steps !== undefined && Format.plural(e.steps, "step"),
          e.action === "update" ? `updates event ${e.event_id}` : e.action === "keep" ? `kept: event ${e.event_id} is not overwritten` : e.event_id ? `event ${e.event_id}` : undefined
        ])}` + (e.problems ? `\n  problems: ${e.problems.join("; ")}` : "")
      ),
      out.load_by_day.length > 0 && `Load by day: ${out.load_by_day.map((d) => `${d.weekday.slice(0, 3)} ${d.date.slice(5)} ${d.load}`).join(", ")}`,
      out.already_planned.length > 0 &&
      `Already planned on these days (kept): ${out.already_planned.map((d) => `${d.date} ${d.events.map((e) => `${e.category ?? ""} ${Format.quote(e.name) ?? ""} (${e.id})`.trim()).join(", ")}`).join("; ")}`,
      out.projection && `Projection: ${out.projection.days.map((d) => `${d.weekday.slice(0, 3)} ${d.date.slice(5)} fitness ${d.fitness}, form ${d.form} (${d.form_zone})`).join("; ")}`,
      out.preview && `To write exactly this, call add_events_bulk again with the same events, dry_run: false and token "${out.token}" (valid ${out.expires_in_minutes} min).`
    ]
    return lines.filter((l): l is string => typeof l === "string").join("\n")
  }
})

// ---------------------------------------------------------------------------------------------------------------
// move_events

const MoveItem = Schema.Struct({
  event_id: Schema.String,
  name: optional(Schema.String),
  category: optional(Schema.String),
  from: Schema.String,
  to: Schema.String,
  to_weekday: Schema.String,
  action: Schema.Literal("move", "copy", "keep"),
  reason: optional(Schema.String.annotations({ description: "Why an event is kept where it is" })),
  new_event_id: optional(Schema.String)
})
type MoveItem = typeof MoveItem.Type

const shift = (value: string | null | undefined, days: number) =>
  value == null ? undefined : `${addDays(LocalDate.make(value.slice(0, 10)), days)}${value.slice(10)}`

export const moveEvents = make({
  name: "move_events",
  title: "Move or copy events",
  description: "Shift the events of a date range by days (negative for earlier), or copy them there with copy: " +
    "true; optionally only some categories. First call: a preview (dry_run defaults to true) of each event from → " +
    "to, what stays and why, and a token; second call with dry_run: false and the token does exactly that. In safe " +
    "mode (INTERVALS_WRITE_MODE=safe, the default) past events are not moved and nothing moves or is copied before " +
    "today; read-only does not register it. undo_last_write reverts it.",
  annotations: { title: "Move or copy events", readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  input: Schema.Struct({
    athlete_id: athleteIdParam,
    start_date: LocalDate.annotations({ description: "First day of the range, YYYY-MM-DD" }),
    end_date: LocalDate.annotations({ description: "Last day (inclusive), YYYY-MM-DD" }),
    days: Schema.Number.pipe(Schema.int(), Schema.between(-365, 365), Schema.filter((n) => n !== 0)).annotations({
      description: "Days to shift by, -365 to 365, not 0",
      message: () => ({ message: "expected a whole number of days from -365 to 365, not 0", override: true })
    }),
    copy: optional(Schema.Boolean.annotations({ description: "Copy instead of move; default false" })),
    category: optional(boundedList(Category, 14, "categories", 1).annotations({ description: "Only these categories" })),
    ...TokenParams
  }).pipe(
    Schema.filter(orderedDates),
    Schema.filter((input) =>
      input.start_date >= addDays(input.end_date, -92) ||
      { path: ["end_date"], message: "expected a range of at most 93 days" }
    )
  ),
  output: Schema.Struct({ preview: Schema.Boolean, token: optional(Schema.String), events: Schema.Array(MoveItem), done: optional(Schema.Number) }),
  run: Effect.fn("move_events")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const client = yield* IntervalsClient
    const config = yield* AppConfig
    const today = yield* Effect.flatMap(AthleteCalendar, (calendar) => calendar.today(athleteId))
    const safe = config.writeMode !== "full"
    const events = (yield* client.events(athleteId, input.start_date, input.end_date)).filter((e) => {
      const day = e.start_date_local.slice(0, 10)
      return day >= input.start_date && day <= input.end_date &&
        (input.category === undefined || input.category.includes(e.category as typeof Category.Type))
    })
    const action = input.copy === true ? "copy" as const : "move" as const
    const items: Array<MoveItem> = events.map((e) => {
      const from = e.start_date_local.slice(0, 10)
      const to = addDays(LocalDate.make(from), input.days)
      const reason = safe && action === "move" && from < today
        ? `dated before today (${today}): ${SAFE_RULE}`
        : safe && to < today
        ? `would land before today (${today}), where it could not be changed again`
        : action === "move" && e.paired_activity_id
        ? "done: it is paired with an activity"
        : undefined
      return {
        event_id: String(e.id),
        ...compact({ name: e.name, category: e.category }),
        from,
        to,
        to_weekday: Format.weekdayOf(to),
        action: reason === undefined ? action : "keep" as const,
        ...(reason !== undefined ? { reason } : {})
      }
    })
    const chosen = events.filter((_, i) => items[i]!.action !== "keep")
    const payload = { athleteId, action, days: input.days, ids: chosen.map((e) => String(e.id)) }
    if (input.dry_run !== false) return { preview: true, token: makeToken(payload), events: items }
    const problem = tokenProblem(input.token, payload)
    const verb = action === "copy" ? "Copy" : "Move"
    const verdict = chosen.length === 0 ? "unavailable" : yield* confirmWrite({
      message: `${verb} ${Format.plural(chosen.length, "event")} by ${input.days} days?`,
      items: items.filter((i) => i.action !== "keep").map((i) =>
        `${Format.dayLabel(i.from)} → ${Format.dayLabel(i.to)} ${i.category ?? ""} "${i.name ?? "unnamed"}"`
      )
    })
    if (problem !== undefined && verdict !== "accepted") return yield* refuse("move_events", [`token: ${problem}`])
    if (chosen.length === 0) return { preview: false, events: items, done: 0 }

    if (action === "copy") {
      // One request; deterministic ids, so that the same copy written twice is not made twice.
      const bodies = chosen.map((e) => ({
        ...recreatable(e),
        start_date_local: shift(e.start_date_local, input.days),
        ...compact({ end_date_local: shift(e.end_date_local, input.days) }),
        external_id: `intervals-mcp-copy-${createHash("sha256").update(`${athleteId}|${e.id}|${input.days}`).digest("hex").slice(0, 16)}`
      }))
      const saved = yield* client.createEvents(athleteId, bodies)
      yield* journal(entryOf("move_events", `copied ${Format.plural(saved.length, "event")} by ${input.days} days`, EventKind(athleteId), saved.map((e) => ({
        id: String(e.id),
        label: eventLabel(e),
        after: pick(e as unknown as Record<string, unknown>, EVENT_KEYS)
      }))))
      const byOriginal = new Map(chosen.map((e, i) => [String(e.id), saved[i]]))
      return {
        preview: false,
        events: items.map((i) => (byOriginal.get(i.event_id) ? { ...i, new_event_id: String(byOriginal.get(i.event_id)!.id) } : i)),
        done: saved.length
      }
    }
    // Moves one by one (there is no bulk move); what moved is journaled even if a later one fails.
    const moved: Array<{ before: Event; after: Event }> = []
    const keys = ["start_date_local", "end_date_local"]
    const record = () =>
      moved.length === 0 ? Effect.void : journal(entryOf(
        "move_events",
        `moved ${Format.plural(moved.length, "event")} by ${input.days} days`,
        EventKind(athleteId),
        moved.map(({ after, before }) => ({
          id: String(after.id),
          label: eventLabel(after),
          before: pick(before as unknown as Record<string, unknown>, keys),
          after: pick(after as unknown as Record<string, unknown>, keys)
        }))
      ))
    for (const e of chosen) {
      // Said before each request, so that the last word before the answer is not lost in a client's race between
      // the two (and says what the call is waiting for).
      yield* progress(moved.length, chosen.length, `moving event ${moved.length + 1} of ${chosen.length}`)
      const fields = compact({
        start_date_local: shift(e.start_date_local, input.days),
        end_date_local: shift(e.end_date_local, input.days)
      })
      const result = yield* Effect.either(client.updateEvent(athleteId, e.id, fields))
      if (result._tag === "Left") {
        yield* record()
        return yield* new ToolFailure({
          message: `Moved ${moved.length} of ${chosen.length} events, then moving event ${e.id} failed: ` +
            `${result.left.message}${moved.length > 0 ? " undo_last_write moves back the ones that moved." : ""}`
        })
      }
      moved.push({ before: e, after: result.right })
    }
    yield* record()
    return { preview: false, events: items, done: moved.length }
  }),
  render: (out) =>
    [
      out.preview
        ? `Preview (nothing changed yet): ${Format.plural(out.events.filter((e) => e.action !== "keep").length, "event")} to ${out.events.find((e) => e.action !== "keep")?.action ?? "move"}`
        : `Done: ${Format.plural(out.done ?? 0, "event")} ${out.events.some((e) => e.action === "copy") ? "copied" : "moved"}`,
      ...out.events.map((e) =>
        `- ${Format.join([e.category, Format.quote(e.name)], " ")} (${e.event_id}): ${e.from} → ${e.to_weekday.slice(0, 3)} ${e.to}` +
        (e.action === "keep" ? ` — kept where it is: ${e.reason}` : e.new_event_id ? ` as event ${e.new_event_id}` : "")
      ),
      out.preview && `To do exactly this, call move_events again with the same arguments, dry_run: false and token "${out.token}".`
    ].filter((l): l is string => typeof l === "string").join("\n")
})
