/**
 * What the athlete did, per week or month and per sport: sessions, time, distance, elevation, load, work, time in
 * power and heart-rate zones, the longest session, and the plan against what was done (planned workouts paired with
 * activities, compliance, missed workouts). Weekly totals come from Intervals.icu's own `athlete-summary`; work, zones,
 * the longest session and months come from the activities; the plan from the calendar.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { AthleteId, LocalDate } from "../domain/Ids.js"
import type { Activity, Event, SummaryWeek } from "../domain/Intervals.js"
import * as Dates from "../domain/Dates.js"
import { addDays, AthleteCalendar, mondayOf } from "../services/AthleteCalendar.js"
import { IntervalsClient } from "../services/IntervalsClient.js"
import * as Format from "./Format.js"
import { athleteIdParam, AthleteRef, dateParam, orderedDates, resolveAthlete, whose } from "./Params.js"
import { compact, make, Num, optional, reporting } from "./Tool.js"

const SportTotals = Schema.Struct({
  sport: Schema.String,
  sessions: Schema.Number,
  time_s: Schema.Number,
  distance_m: Num,
  elevation_m: Num,
  load: Num
})
type SportTotals = typeof SportTotals.Type

const Plan = Schema.Struct({
  planned: Schema.Number.annotations({ description: "Planned workouts that were due: before today, or today and done" }),
  completed: Schema.Number,
  compliance_percent: Num,
  missed: Schema.Array(Schema.Struct({ event_id: Schema.Union(Schema.Number, Schema.String), date: Schema.String, name: optional(Schema.String) })),
  still_planned: Schema.Number.annotations({ description: "Planned workouts still to come (today's not yet done, and later)" })
})

const Period = Schema.Struct({
  start: Schema.String,
  end: Schema.String,
  label: Schema.String,
  partial: optional(Schema.String.annotations({ description: "Why the period is not whole, when it is not" })),
  sessions: Schema.Number,
  time_s: Schema.Number,
  distance_m: Num,
  elevation_m: Num,
  load: Num,
  work_kj: Num,
  sports: Schema.Array(SportTotals),
  power_zone_s: optional(Schema.Array(Schema.Number).annotations({ description: "Seconds in power zones Z1…Z7" })),
  hr_zone_s: optional(Schema.Array(Schema.Number).annotations({ description: "Seconds in heart-rate zones Z1…" })),
  longest: optional(Schema.Struct({ activity_id: Schema.String, name: optional(Schema.String), date: Schema.String, time_s: Schema.Number })),
  plan: Plan,
  fitness_end: Num,
  form_end: Num
})
export type Period = typeof Period.Type

const SummaryOutput = Schema.Struct({
  athlete: AthleteRef,
  period: Schema.Literal("week", "month"),
  start_date: Schema.String,
  end_date: Schema.String,
  periods: Schema.Array(Period).annotations({ description: "Oldest first" }),
  totals: Schema.Struct({ sessions: Schema.Number, time_s: Schema.Number, distance_m: Num, load: Num, compliance_percent: Num })
})

const EXTRA_FIELDS = ["icu_zone_times", "icu_hr_zone_times", "icu_joules"]

const sum = <A>(items: ReadonlyArray<A>, f: (a: A) => number | null | undefined) =>
  items.reduce((total, item) => total + (f(item) ?? 0), 0)

const positive = (n: number) => (n > 0 ? n : undefined)

/** Compliance: completed planned workouts over planned ones up to today, as a percentage. */
export const compliance = (planned: number, completed: number): number | undefined =>
  planned === 0 ? undefined : Math.round((completed / planned) * 100)

const firstOfMonth = (date: string): LocalDate => `${date.slice(0, 7)}-01` as LocalDate

/** The last day of the month that holds `date`. */
const lastOfMonth = (date: string): LocalDate =>
  Dates.addDays(new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)), 1)).toISOString().slice(0, 10), -1) as LocalDate

/** The periods of a window, each a calendar week (Monday to Sunday) or month, clipped to it and marked when partial. */
export const periodsOf = (start: string, end: string, period: "week" | "month", today: string) => {
  const out: Array<{ start: string; end: string; label: string; partial?: string }> = []
  let from: string = period === "week" ? Dates.mondayOf(start) : `${start.slice(0, 7)}-01`
  while (from <= end) {
    // Plain day arithmetic here: the loop must move past `end` even at the last year a date may have.
    const last = period === "week" ? Dates.addDays(from, 6) : lastOfMonth(from)
    const clippedStart = from < start ? start : from
    const clippedEnd = last > end ? end : last
    const partial = clippedStart !== from || clippedEnd !== last
      ? `only ${clippedStart === clippedEnd ? clippedStart : `${clippedStart} to ${clippedEnd}`} of the ${period} is in the window`
      : last > today
      ? `the ${period} is not over (today is ${today})`
      : undefined
    out.push({
      start: clippedStart,
      end: clippedEnd,
      label: period === "week" ? `week of ${Format.dayLabel(from)}` : new Date(`${from}T00:00:00Z`).toLocaleString("en", { month: "long", year: "numeric", timeZone: "UTC" }),
      ...(partial ? { partial } : {})
    })
    from = Dates.addDays(last, 1)
  }
  return out
}

const familyOf = (type: string | null | undefined) => type ?? "Other"

const summarise = (
  window: { start: string; end: string; label: string; partial?: string },
  activities: ReadonlyArray<Activity>,
  events: ReadonlyArray<Event>,
  week: SummaryWeek | undefined,
  today: string
): Period => {
  const done = activities.filter((a) => {
    const day = (a.start_date_local ?? "").slice(0, 10)
    return day >= window.start && day <= window.end && a.source !== "STRAVA"
  })
  const types = [...new Set(done.map((a) => familyOf(a.type)))]
  // Whole weeks use Intervals.icu's own totals by sport; months and partial weeks are summed from the activities.
  const sports: Array<SportTotals> = week !== undefined && window.partial === undefined && week.byCategory
    ? week.byCategory.map((c) => ({
      sport: c.category ?? "Other",
      sessions: c.count ?? 0,
      time_s: c.moving_time ?? c.time ?? 0,
      ...compact({
        distance_m: positive(Format.round(c.distance ?? 0)),
        elevation_m: positive(Format.round(c.total_elevation_gain ?? 0)),
        load: positive(c.training_load ?? 0)
      })
    }))
    : types.map((type) => {
      const mine = done.filter((a) => familyOf(a.type) === type)
      return {
        sport: type,
        sessions: mine.length,
        time_s: sum(mine, (a) => a.moving_time),
        ...compact({
          distance_m: positive(Format.round(sum(mine, (a) => a.distance))),
          elevation_m: positive(Format.round(sum(mine, (a) => a.total_elevation_gain))),
          load: positive(sum(mine, (a) => a.icu_training_load))
        })
      }
    })
  const power = Array.from({ length: 7 }, (_, i) => sum(done, (a) => a.icu_zone_times?.find((z) => z.id === `Z${i + 1}`)?.secs))
  const hrLength = Math.max(0, ...done.map((a) => a.icu_hr_zone_times?.length ?? 0))
  const hr = Array.from({ length: hrLength }, (_, i) => sum(done, (a) => a.icu_hr_zone_times?.[i]))
  const longest = [...done].sort((a, b) => (b.moving_time ?? 0) - (a.moving_time ?? 0))[0]
  const workouts = events.filter((e) => {
    const day = e.start_date_local.slice(0, 10)
    return e.category === "WORKOUT" && day >= window.start && day <= window.end
  })
  const paired = new Set(activities.map((a) => a.paired_event_id).filter((id) => id != null).map(String))
  const isDone = (e: Event) => e.paired_activity_id != null || paired.has(String(e.id))
  // A workout of today not done yet is still to come, not missed.
  const due = workouts.filter((e) => {
    const day = e.start_date_local.slice(0, 10)
    return day < today || (day === today && isDone(e))
  })
  const completed = due.filter(isDone)
  const missed = due.filter((e) => !isDone(e))
  return {
    start: window.start,
    end: window.end,
    label: window.label,
    ...compact({ partial: window.partial }),
    sessions: sports.reduce((n, s) => n + s.sessions, 0),
    time_s: sports.reduce((n, s) => n + s.time_s, 0),
    ...compact({
      distance_m: positive(sports.reduce((n, s) => n + (s.distance_m ?? 0), 0)),
      elevation_m: positive(sports.reduce((n, s) => n + (s.elevation_m ?? 0), 0)),
      load: positive(sports.reduce((n, s) => n + (s.load ?? 0), 0)),
      work_kj: positive(Format.round(sum(done, (a) => a.icu_joules) / 1000)),
      power_zone_s: power.some((s) => s > 0) ? power : undefined,
      hr_zone_s: hr.some((s) => s > 0) ? hr : undefined,
      longest: longest === undefined
        ? undefined
        : { activity_id: longest.id, ...compact({ name: longest.name }), date: (longest.start_date_local ?? "").slice(0, 10), time_s: longest.moving_time ?? 0 },
      fitness_end: Format.roundOrUndefined(week?.fitness, 1),
      form_end: Format.roundOrUndefined(week?.form, 1)
    }),
    sports,
    plan: {
      planned: due.length,
      completed: completed.length,
      ...compact({ compliance_percent: compliance(due.length, completed.length) }),
      missed: missed.map((e) => ({ event_id: e.id, date: e.start_date_local.slice(0, 10), ...compact({ name: e.name }) })),
      still_planned: workouts.length - due.length
    }
  }
}

const load = (athleteId: AthleteId, start: LocalDate, end: LocalDate) =>
  Effect.flatMap(IntervalsClient, (client) =>
    Effect.all(
      reporting({
        "weekly totals": client.athleteSummary(athleteId, start, end),
        activities: client.activities(athleteId, start, end, EXTRA_FIELDS),
        "planned events": client.events(athleteId, start, end)
      }),
      { concurrency: "unbounded" }
    ).pipe(Effect.map((parts) => [parts["weekly totals"], parts.activities, parts["planned events"]] as const)))

export const getTrainingSummary = make({
  name: "get_training_summary",
  title: "Training summary",
  description: "What the athlete did per week (Monday to Sunday) or month, and per sport: sessions, moving time, " +
    "distance, elevation, load, work in kJ, seconds in power and heart-rate zones, the longest session, fitness and " +
    "form at the end of each week, and the plan against what was done (planned workouts completed, compliance %, " +
    "missed workouts by date). Periods cut by the window or not over yet are marked partial. Default: the last 4 " +
    "weeks to today.",
  annotations: { title: "Training summary", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: Schema.Struct({
    athlete_id: athleteIdParam,
    start_date: dateParam(
      "First day, YYYY-MM-DD. Default: the Monday 3 weeks before this week's, or by month the 1st two months back"
    ),
    end_date: dateParam("Last day (inclusive), YYYY-MM-DD. Default: today"),
    period: optional(Schema.Literal("week", "month").annotations({ description: "Default week" }))
  }).pipe(Schema.filter(orderedDates)),
  output: SummaryOutput,
  namesAthlete: true,
  run: Effect.fn("get_training_summary")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const today = yield* Effect.flatMap(AthleteCalendar, (calendar) => calendar.today(athleteId))
    const end = input.end_date ?? today
    const period = input.period ?? "week"
    const start = input.start_date ??
      (period === "week" ? addDays(mondayOf(today), -21) : firstOfMonth(addDays(firstOfMonth(addDays(firstOfMonth(today), -1)), -1)))
    const [athlete, [weeks, activities, events]] = yield* Effect.all([whose(athleteId), load(athleteId, start, end)], {
      concurrency: 2
    })
    const byWeek = new Map(weeks.map((w) => [w.date.slice(0, 10), w]))
    const periods = periodsOf(start, end, period, today).map((window) =>
      summarise(window, activities, events, period === "week" ? byWeek.get(addDays(window.end as LocalDate, -6)) ?? byWeek.get(window.start) : undefined, today)
    )
    const planned = periods.reduce((n, p) => n + p.plan.planned, 0)
    const completed = periods.reduce((n, p) => n + p.plan.completed, 0)
    return {
      athlete,
      period,
      start_date: start,
      end_date: end,
      periods,
      totals: {
        sessions: periods.reduce((n, p) => n + p.sessions, 0),
        time_s: periods.reduce((n, p) => n + p.time_s, 0),
        ...compact({
          distance_m: positive(periods.reduce((n, p) => n + (p.distance_m ?? 0), 0)),
          load: positive(periods.reduce((n, p) => n + (p.load ?? 0), 0)),
          compliance_percent: compliance(planned, completed)
        })
      }
    }
  }),
  render: (out) => {
    const zones = (secs: ReadonlyArray<number> | undefined) =>
      secs && secs.map((s, i) => (s > 0 ? `Z${i + 1} ${Format.duration(s)}` : undefined)).filter(Boolean).join(", ")
    return [
      `${Format.athleteLabel(out.athlete)}: training from ${Format.dayLabel(out.start_date)} to ${Format.dayLabel(out.end_date)}, by ${out.period}:`,
      ...out.periods.map((p) =>
        [
          `${p.label}${p.partial ? ` (partial: ${p.partial})` : ""}: ` + (p.sessions === 0 ? "no sessions" : Format.join([
            Format.plural(p.sessions, "session"),
            Format.duration(p.time_s),
            Format.distance(p.distance_m),
            Format.unit(p.elevation_m, " m up"),
            p.load !== undefined && `load ${p.load}`,
            Format.unit(p.work_kj, " kJ"),
            p.fitness_end !== undefined && `fitness ${p.fitness_end}, form ${p.form_end}`
          ])),
          p.sports.length > 0 && `  by sport: ${p.sports.map((s) => `${s.sport} ${s.sessions}× ${Format.duration(s.time_s)}` +
            (s.distance_m ? ` ${Format.distance(s.distance_m, Format.sportFamily(s.sport))}` : "") + (s.load ? ` load ${s.load}` : "")).join("; ")}`,
          p.power_zone_s && `  power zones: ${zones(p.power_zone_s)}`,
          p.hr_zone_s && `  HR zones: ${zones(p.hr_zone_s)}`,
          p.longest && `  longest: ${p.longest.name ?? "activity"} ${Format.duration(p.longest.time_s)} on ${Format.dayLabel(p.longest.date)} (id ${p.longest.activity_id})`,
          (p.plan.planned > 0 || p.plan.still_planned > 0) && `  plan: ${p.plan.completed} of ${p.plan.planned} planned workouts done` +
            (p.plan.compliance_percent !== undefined ? ` (${p.plan.compliance_percent}%)` : "") +
            (p.plan.missed.length > 0 ? `; missed ${p.plan.missed.map((m) => `${m.name ?? "workout"} ${Format.dayLabel(m.date)}`).join(", ")}` : "") +
            (p.plan.still_planned > 0 ? `; ${p.plan.still_planned} still ahead` : "")
        ].filter((l): l is string => typeof l === "string" && l !== "").join("\n")
      ),
      `Total: ${Format.join([Format.plural(out.totals.sessions, "session"), Format.duration(out.totals.time_s), Format.distance(out.totals.distance_m), out.totals.load !== undefined && `load ${out.totals.load}`, out.totals.compliance_percent !== undefined && `${out.totals.compliance_percent}% of planned workouts done`])}`
    ].join("\n")
  }
})
