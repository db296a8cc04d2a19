/**
 * Fitness, fatigue and form over a window, daily or weekly, optionally for one sport, with Intervals.icu's form zone
 * for each value, and their projection forward through the planned workouts to a date (by default the next race),
 * so that "where will my form be on race day?" is one call.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { type AthleteId, type LocalDate } from "../domain/Ids.js"
import { formZone, fromLoads, project, type ProjectedDay, THRESHOLDS_TEXT } from "../domain/Fitness.js"
import type { Event } from "../domain/Intervals.js"
import { addDays, AthleteCalendar } from "../services/AthleteCalendar.js"
import { IntervalsClient } from "../services/IntervalsClient.js"
import * as Format from "./Format.js"
import { athleteIdParam, AthleteRef, dateParam, orderedDates, resolveAthlete, whose } from "./Params.js"
import { compact, make, optional, ToolFailure } from "./Tool.js"

export const Zone = Schema.Literal("transition", "fresh", "grey zone", "optimal", "high risk")

const Point = Schema.Struct({
  date: Schema.String,
  weekday: Schema.String,
  fitness: Schema.Number,
  fatigue: Schema.Number,
  form: Schema.Number,
  form_zone: Zone,
  ramp_rate: optional(Schema.Number.annotations({ description: "Fitness gained over the last 7 days" })),
  load: optional(Schema.Number.annotations({ description: "Training load of the day (or week)" }))
})
type Point = typeof Point.Type

/** One day of a projection, as get_fitness and add_events_bulk's preview show it. */
export const Projected = Schema.Struct({
  date: Schema.String,
  weekday: Schema.String,
  planned_load: Schema.Number,
  fitness: Schema.Number,
  fatigue: Schema.Number,
  form: Schema.Number,
  form_zone: Zone
})

/** A projected day as answers show it: rounded, with its weekday and its form's zone. */
export const projectedRow = (d: ProjectedDay): typeof Projected.Type => ({
  date: d.date,
  weekday: Format.weekdayOf(d.date),
  planned_load: Format.round(d.plannedLoad),
  fitness: Format.round(d.fitness, 1),
  fatigue: Format.round(d.fatigue, 1),
  form: Format.round(d.form, 1),
  form_zone: formZone(d.form)
})

const FitnessOutput = Schema.Struct({
  athlete: AthleteRef,
  sport: optional(Schema.String),
  granularity: Schema.Literal("day", "week"),
  start_date: Schema.String,
  end_date: Schema.String,
  today: Schema.String,
  points: Schema.Array(Point).annotations({ description: "Oldest first; a week shows its last day" }),
  current: optional(Point),
  projection: optional(Schema.Struct({
    to_date: Schema.String,
    to_weekday: Schema.String,
    why: Schema.String,
    race: optional(Schema.Struct({ id: Schema.Union(Schema.Number, Schema.String), name: Schema.String, category: Schema.String, date: Schema.String })),
    planned_workouts: Schema.Number,
    planned_load: Schema.Number,
    method: Schema.String,
    days: Schema.Array(Projected),
    at_end: Projected
  })),
  form_zones: Schema.String
})
type FitnessOutput = typeof FitnessOutput.Type

const RACES = new Set(["RACE_A", "RACE_B", "RACE_C"])
/** Planned events that carry load into the projection. */
const LOADED = new Set(["WORKOUT", "RACE_A", "RACE_B", "RACE_C"])

const familyOf = (type: string | null | undefined) =>
  /ride/i.test(type ?? "") ? "Ride" : /run|walk|hike/i.test(type ?? "") ? "Run" : /swim/i.test(type ?? "") ? "Swim" : "Other"

const point = (date: string, fitness: number, fatigue: number, extra: { ramp?: number | undefined; load?: number | undefined }): Point => ({
  date,
  weekday: Format.weekdayOf(date),
  fitness: Format.round(fitness, 1),
  fatigue: Format.round(fatigue, 1),
  form: Format.round(fitness - fatigue, 1),
  form_zone: formZone(fitness - fatigue),
  ...compact({ ramp_rate: Format.roundOrUndefined(extra.ramp, 1), load: Format.roundOrUndefined(extra.load) })
})

/** Every day's fitness and fatigue in the window (and on today), from wellness, or from one sport's activities. */
const daily = (athleteId: AthleteId, start: LocalDate, end: LocalDate, sport: string | undefined) =>
  Effect.gen(function*() {
    const client = yield* IntervalsClient
    if (sport === undefined) {
      const wellness = yield* client.wellness(athleteId, start, end)
      return wellness
        .filter((w) => w.ctl != null && w.atl != null)
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((w) => ({ date: w.id, fitness: w.ctl!, fatigue: w.atl!, ramp: w.rampRate ?? undefined, load: w.ctlLoad ?? undefined }))
    }
    // One sport's own curve: its loads from 180 days before the window, so that the averages have settled.
    const lead = addDays(start, -180)
    const activities = yield* client.activities(athleteId, lead, end)
    const loads = new Map<string, number>()
    for (const a of activities) {
      if (familyOf(a.type) !== sport || a.icu_training_load == null || !a.start_date_local) continue
      const day = a.start_date_local.slice(0, 10)
      loads.set(day, (loads.get(day) ?? 0) + a.icu_training_load)
    }
    const days = fromLoads(loads, lead, end)
    return days.filter((d) => d.date >= start).map((d, i, all) => ({
      date: d.date,
      fitness: d.fitness,
      fatigue: d.fatigue,
      load: d.load,
      ramp: i >= 7 ? d.fitness - all[i - 7]!.fitness : undefined
    }))
  })

export const getFitness = make({
  name: "get_fitness",
  title: "Fitness, fatigue and form",
  description: "Fitness (CTL), fatigue (ATL), form (TSB = fitness - fatigue) and ramp rate over a window, daily or " +
    "weekly, optionally for one sport, each form labelled with its zone. Projects forward from today through the " +
    "planned workouts' load to project_to (default: the next race), so 'where will my form be on race day?' is one " +
    `call. Default window: the last 6 weeks to today. ${THRESHOLDS_TEXT}`,
  annotations: { title: "Fitness, fatigue and form", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: Schema.Struct({
    athlete_id: athleteIdParam,
    start_date: dateParam("First day, YYYY-MM-DD. Default: 42 days before end_date"),
    end_date: dateParam("Last day of history, YYYY-MM-DD. Default: today"),
    granularity: optional(Schema.Literal("day", "week").annotations({ description: "Default: day up to 8 weeks, else week" })),
    sport: optional(Schema.Literal("Ride", "Run", "Swim").annotations({
      description: "Only this sport's load (its own fitness curve); default all sports"
    })),
    project_to: dateParam("Project to this day, YYYY-MM-DD (at most a year ahead). Default: the next race within 180 days, else 3 weeks")
  }).pipe(Schema.filter(orderedDates)),
  output: FitnessOutput,
  namesAthlete: true,
  run: Effect.fn("get_fitness")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const calendar = yield* AthleteCalendar
    const client = yield* IntervalsClient
    const today = yield* calendar.today(athleteId)
    const end = input.end_date ?? today
    const start = input.start_date ?? addDays(end, -42)
    if (input.project_to !== undefined && (input.project_to <= today || input.project_to > addDays(today, 366))) {
      return yield* new ToolFailure({
        message: "Invalid arguments for get_fitness:\n- project_to: expected a " +
          `date after today (${today}) and at most a year ahead, got "${input.project_to}"`
      })
    }
    // History through today, so that the projection starts from today's values whatever the window.
    const historyEnd = end > today ? end : today
    const [athlete, days, planned] = yield* Effect.all([
      whose(athleteId),
      daily(athleteId, start, historyEnd, input.sport),
      client.events(athleteId, today, input.project_to !== undefined && input.project_to > today ? input.project_to : addDays(today, 180))
    ], { concurrency: "unbounded" })
    const inWindow = days.filter((d) => d.date >= start && d.date <= end)
    const weekly = (input.granularity ?? (inWindow.length > 56 ? "week" : "day")) === "week"
    const points = weekly
      ? inWindow.filter((d, i) => Format.weekdayOf(d.date) === "Sunday" || i === inWindow.length - 1).map((d) => {
        const from = addDays(d.date as LocalDate, -6)
        const load = inWindow.filter((x) => x.date >= from && x.date <= d.date).reduce((s, x) => s + (x.load ?? 0), 0)
        return point(d.date, d.fitness, d.fatigue, { ramp: d.ramp, load })
      })
      : inWindow.map((d) => point(d.date, d.fitness, d.fatigue, { ramp: d.ramp, load: d.load }))
    const now = days.find((d) => d.date === today) ?? days.at(-1)

    // The projection: today's values, then each day's planned load (workouts and races not yet done).
    const ofSport = (e: Event) => input.sport === undefined || familyOf(e.type) === input.sport
    const race = [...planned].sort((a, b) => a.start_date_local.localeCompare(b.start_date_local))
      .find((e) => RACES.has(e.category ?? "") && e.start_date_local.slice(0, 10) >= today && ofSport(e))
    const to = input.project_to ?? (race ? race.start_date_local.slice(0, 10) : addDays(today, 21))
    const loadOn = new Map<string, number>()
    let workouts = 0
    for (const e of planned) {
      const day = e.start_date_local.slice(0, 10)
      if (!LOADED.has(e.category ?? "") || e.paired_activity_id || day < today || day > to || !ofSport(e)) continue
      loadOn.set(day, (loadOn.get(day) ?? 0) + (e.icu_training_load ?? 0))
      workouts++
    }
    const projection = now === undefined || to <= today
      ? undefined
      : project({ fitness: now.fitness, fatigue: now.fatigue }, today, to, (d) => loadOn.get(d) ?? 0, loadOn.get(today) ?? 0)
    const projected = projection?.map(projectedRow)
    return {
      athlete,
      ...compact({ sport: input.sport }),
      granularity: weekly ? "week" as const : "day" as const,
      start_date: start,
      end_date: end,
      today,
      points,
      ...(now !== undefined ? { current: point(now.date, now.fitness, now.fatigue, { ramp: now.ramp, load: now.load }) } : {}),
      ...(projected !== undefined && projected.length > 0
        ? {
          projection: {
            to_date: to,
            to_weekday: Format.weekdayOf(to),
            why: input.project_to !== undefined ? "the date asked for" : race ? "the next race" : "no race planned: 3 weeks ahead",
            ...(race && !input.project_to
              ? { race: { id: race.id, name: race.name ?? "race", category: race.category ?? "RACE", date: race.start_date_local.slice(0, 10) } }
              : {}),
            planned_workouts: workouts,
            planned_load: Format.round([...loadOn.values()].reduce((a, b) => a + b, 0)),
            method: "From today's fitness and fatigue, each day adds the planned load of the workouts and races not yet " +
              "done (their estimated training load) with Intervals.icu's model: fitness and fatigue move 1-e^(-1/42) and " +
              "1-e^(-1/7) of the way to the day's load; days with nothing planned count as rest. Unplanned training will " +
              "make fitness higher and form lower than this.",
            days: weekly ? projected.filter((d, i) => d.weekday === "Sunday" || i === projected.length - 1) : projected,
            at_end: projected.at(-1)!
          }
        }
        : {}),
      form_zones: THRESHOLDS_TEXT
    }
  }),
  render: (out) => {
    const figures = (p: { fitness: number; fatigue: number; form: number; form_zone: string }) =>
      `fitness ${p.fitness} · fatigue ${p.fatigue} · form ${p.form > 0 ? "+" : ""}${p.form} (${p.form_zone})`
    const line = (p: { date: string; fitness: number; fatigue: number; form: number; form_zone: string }) =>
      `${Format.dayLabel(p.date)} ${figures(p)}`
    const head = `${Format.athleteLabel(out.athlete)}${out.sport ? `, ${out.sport} only` : ""}: fitness from ` +
      `${out.start_date} to ${out.end_date}, ${out.granularity === "week" ? "weekly (the week's last day)" : "daily"}:`
    return [
      head,
      ...out.points.map((p) => line(p) + (p.ramp_rate !== undefined ? ` · ramp ${p.ramp_rate > 0 ? "+" : ""}${p.ramp_rate}` : "") + (p.load !== undefined ? ` · load ${p.load}` : "")),
      out.current && `Today (${Format.dayLabel(out.today)}): ${figures(out.current)}`,
      out.projection && [
        `Projection to ${Format.dayLabel(out.projection.to_date)} (${out.projection.why}` +
        `${out.projection.race ? `: ${out.projection.race.name}, ${out.projection.race.category}` : ""}), through ` +
        `${Format.plural(out.projection.planned_workouts, "planned workout")} (load ${out.projection.planned_load}):`,
        ...out.projection.days.filter((d, i, all) => out.granularity === "week" || all.length <= 15 || d.weekday === "Sunday" || i === 0 || i === all.length - 1)
          .map((d) => `${line(d)}${d.planned_load > 0 ? ` · planned ${d.planned_load}` : ""}`),
        `On ${Format.dayLabel(out.projection.at_end.date)}: form ${out.projection.at_end.form > 0 ? "+" : ""}${out.projection.at_end.form} (${out.projection.at_end.form_zone}).`,
        `How: ${out.projection.method}`
      ].join("\n"),
      out.form_zones
    ].filter((l): l is string => typeof l === "string").join("\n")
  }
})
