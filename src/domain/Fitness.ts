/**
 * Fitness (CTL), fatigue (ATL) and form (TSB) as Intervals.icu models them: exponentially weighted averages of the
 * daily training load with time constants of 42 and 7 days (each day, fitness moves 1 − e^(−1/42) of the way from
 * its value to the day's load), and form = fitness − fatigue. The form zones are those of Intervals.icu's fitness
 * chart.
 */

import { addDays } from "./Dates.js"

export const FITNESS_DAYS = 42
export const FATIGUE_DAYS = 7

const fitnessStep = 1 - Math.exp(-1 / FITNESS_DAYS)
const fatigueStep = 1 - Math.exp(-1 / FATIGUE_DAYS)

export interface Load {
  readonly fitness: number
  readonly fatigue: number
}

/** The next day's fitness and fatigue, given that day's load. */
export const nextDay = (from: Load, load: number): Load => ({
  fitness: from.fitness + (load - from.fitness) * fitnessStep,
  fatigue: from.fatigue + (load - from.fatigue) * fatigueStep
})

export type FormZone = "transition" | "fresh" | "grey zone" | "optimal" | "high risk"

/** Intervals.icu's form zones, from the freshest: form above +25, +5 to +25, −10 to +5, −30 to −10, below −30. */
export const FORM_ZONES: ReadonlyArray<{ readonly zone: FormZone; readonly above?: number; readonly upTo?: number; readonly meaning: string }> = [
  { zone: "transition", above: 25, meaning: "very fresh: fitness is being lost" },
  { zone: "fresh", above: 5, upTo: 25, meaning: "ready to race" },
  { zone: "grey zone", above: -10, upTo: 5, meaning: "maintaining: neither fresh nor building" },
  { zone: "optimal", above: -30, upTo: -10, meaning: "building fitness" },
  { zone: "high risk", upTo: -30, meaning: "overreaching: rest soon" }
]

export const formZone = (form: number): FormZone =>
  form > 25 ? "transition" : form > 5 ? "fresh" : form > -10 ? "grey zone" : form > -30 ? "optimal" : "high risk"

export const THRESHOLDS_TEXT = "Form zones (Intervals.icu): transition above +25, fresh +5 to +25, grey zone −10 to +5, " +
  "optimal −30 to −10, high risk below −30."

export interface ProjectedDay {
  readonly date: string
  readonly plannedLoad: number
  readonly fitness: number
  readonly fatigue: number
  readonly form: number
}

/**
 * Fitness and fatigue day by day from `start` (the values at the end of `from`) to `to`, each later day adding its
 * planned load; `todayLoad` is load still to come on `from` itself (planned but not done yet).
 */
export const project = (
  start: Load,
  from: string,
  to: string,
  plannedLoad: (date: string) => number,
  todayLoad = 0
): Array<ProjectedDay> => {
  const days: Array<ProjectedDay> = []
  // What is still planned today lands on today's values.
  let state: Load = todayLoad > 0
    ? { fitness: start.fitness + todayLoad * fitnessStep, fatigue: start.fatigue + todayLoad * fatigueStep }
    : start
  days.push({ date: from, plannedLoad: todayLoad, ...state, form: state.fitness - state.fatigue })
  for (let date = addDays(from, 1); date <= to; date = addDays(date, 1)) {
    const load = plannedLoad(date)
    state = nextDay(state, load)
    days.push({ date, plannedLoad: load, ...state, form: state.fitness - state.fatigue })
  }
  return days
}

/** Daily fitness and fatigue from daily loads, from `seed` on `first`'s eve (for one sport's own curve). */
export const fromLoads = (loads: ReadonlyMap<string, number>, first: string, last: string, seed: Load = { fitness: 0, fatigue: 0 }) => {
  const days: Array<{ date: string; load: number } & Load> = []
  let state = seed
  for (let date = first; date <= last; date = addDays(date, 1)) {
    const load = loads.get(date) ?? 0
    state = nextDay(state, load)
    days.push({ date, load, ...state })
  }
  return days
}
