/**
 * What a planned workout will cost, estimated from its steps and the athlete's thresholds the way training-load
 * models do it: each step's intensity as a fraction of threshold (power of FTP, heart rate of LTHR, speed of
 * threshold pace), load = hours × intensity² × 100 (so an hour at threshold is 100), intensity = the square root of
 * the mean squared intensity. Steps without a target count as easy (50%); a ramp counts its whole range.
 */
import type { TextStep, TextTarget } from "./WorkoutText.js"

export interface Thresholds {
  /** Watts. */
  readonly ftp?: number | undefined
  /** Beats per minute. */
  readonly lthr?: number | undefined
  readonly maxHr?: number | undefined
  /** Resting heart rate: heart-rate intensity is (HR − rest) / (LTHR − rest) when it is known, HR / LTHR otherwise. */
  readonly restHr?: number | undefined
  /** Metres per second. */
  readonly thresholdPace?: number | undefined
  /** Upper bounds of the power zones, percent of FTP (Intervals.icu's `power_zones`, e.g. 55, 75, 90, …, 999). */
  readonly powerZones?: ReadonlyArray<number> | undefined
  /** Upper bounds of the heart-rate zones, bpm (`hr_zones`). */
  readonly hrZones?: ReadonlyArray<number> | undefined
  /** Upper bounds of the pace zones, percent of threshold speed (`pace_zones`). */
  readonly paceZones?: ReadonlyArray<number> | undefined
}

export interface Estimate {
  /** Seconds, distance steps included where a pace says how long they take. */
  readonly duration: number
  /** Metres, of the distance steps. */
  readonly distance: number
  /** Training load, as Intervals.icu counts it (100 = an hour at threshold). */
  readonly load: number
  /** Percent of threshold. */
  readonly intensity: number
  /** Seconds in each zone of the step targets' own kind, Z1 first, for the kind most steps use. */
  readonly zoneSeconds: ReadonlyArray<number>
  readonly zoneKind?: "power" | "hr" | "pace"
  /** Distance steps whose duration could not be estimated (no pace target or threshold pace). */
  readonly untimed: number
}

const EASY = 0.5

const mid = (t: TextTarget): [number, number] | undefined =>
  t.value !== undefined ? [t.value, t.value] : t.start !== undefined && t.end !== undefined ? [t.start, t.end] : undefined

/** The middle of zone `n` (1-based) given upper bounds; the top zone reaches 10% past its lower bound. */
const zoneMiddle = (bounds: ReadonlyArray<number>, n: number): number | undefined => {
  if (n < 1 || n > bounds.length) return undefined
  const lower = n === 1 ? bounds[0]! * 0.6 : bounds[n - 2]!
  const upper = bounds[n - 1]! >= 900 ? lower * 1.1 : bounds[n - 1]!
  return (lower + upper) / 2
}

const fromZones = (t: TextTarget, zone: (n: number) => number | undefined): [number, number] | undefined => {
  const range = mid(t)
  if (range === undefined) return undefined
  const low = zone(range[0])
  const high = zone(range[1])
  return low === undefined || high === undefined ? undefined : [low, high]
}

/** A step's intensity range as fractions of threshold, and which kind of target set it. */
export const stepIntensity = (
  step: TextStep,
  athlete: Thresholds
): { readonly range: [number, number]; readonly kind?: "power" | "hr" | "pace" } => {
  const scale = (range: [number, number] | undefined, by: number | undefined) =>
    range === undefined || by === undefined || by <= 0 ? undefined : [range[0] / by, range[1] / by] as [number, number]
  if (step.power !== undefined) {
    const t = step.power
    const range = t.units === "%ftp" || t.units === "%mmp"
      ? scale(mid(t), 100)
      : t.units === "w"
      ? scale(mid(t), athlete.ftp)
      : t.units === "power_zone"
      ? scale(fromZones(t, (n) => zoneMiddle(athlete.powerZones ?? [55, 75, 90, 105, 120, 150, 999], n)), 100)
      : undefined
    if (range !== undefined) return { range, kind: "power" }
  }
  if (step.hr !== undefined && athlete.lthr !== undefined) {
    const t = step.hr
    const lthr = athlete.lthr
    const bpm = t.units === "%lthr"
      ? mid(t)?.map((p) => (p / 100) * lthr)
      : t.units === "%hr" && athlete.maxHr !== undefined
      ? mid(t)?.map((p) => (p / 100) * athlete.maxHr!)
      : t.units === "hr_zone" && athlete.hrZones !== undefined
      ? fromZones(t, (n) => zoneMiddle(athlete.hrZones!, n))
      : undefined
    const rest = athlete.restHr ?? 0
    if (bpm !== undefined) return { range: bpm.map((b) => (b - rest) / (lthr - rest)) as [number, number], kind: "hr" }
  }
  if (step.pace !== undefined) {
    const t = step.pace
    const perUnit: Record<string, number> = {
      MINS_KM: 1000,
      MINS_MILE: 1609.344,
      SECS_100M: 100,
      SECS_100Y: 91.44,
      SECS_500M: 500,
      SECS_400M: 400,
      SECS_250M: 250
    }
    const metres = perUnit[t.units]
    const range = t.units === "%pace"
      ? scale(mid(t), 100)
      : t.units === "pace_zone"
      ? scale(fromZones(t, (n) => zoneMiddle(athlete.paceZones ?? [77.5, 87.7, 94.3, 100, 103.4, 111.5, 999], n)), 100)
      : metres !== undefined && athlete.thresholdPace !== undefined
      ? (mid(t)?.map((secs) => metres / secs / athlete.thresholdPace!).reverse() as [number, number] | undefined)
      : undefined
    if (range !== undefined) return { range, kind: "pace" }
  }
  return { range: [EASY, EASY] }
}

/** The zone (0-based) a fraction of threshold falls in, for the kind's bounds. */
const zoneIndex = (fraction: number, kind: "power" | "hr" | "pace", athlete: Thresholds): number => {
  const bounds = kind === "power"
    ? (athlete.powerZones ?? [55, 75, 90, 105, 120, 150, 999]).map((b) => b / 100)
    : kind === "pace"
    ? (athlete.paceZones ?? [77.5, 87.7, 94.3, 100, 103.4, 111.5, 999]).map((b) => b / 100)
    : (athlete.hrZones ?? []).map((b) => (b - (athlete.restHr ?? 0)) / ((athlete.lthr ?? 1) - (athlete.restHr ?? 0)))
  const index = bounds.findIndex((bound) => fraction <= bound)
  return index < 0 ? Math.max(0, bounds.length - 1) : index
}

export const estimateWorkout = (steps: ReadonlyArray<TextStep>, athlete: Thresholds): Estimate => {
  let seconds = 0
  let metres = 0
  let weighted = 0
  let untimed = 0
  const kinds = new Map<string, Array<number>>()
  const visit = (list: ReadonlyArray<TextStep>, times: number) => {
    for (const step of list) {
      if (step.steps !== undefined) {
        visit(step.steps, times * (step.reps ?? 1))
        continue
      }
      const { kind, range } = stepIntensity(step, athlete)
      const [a, b] = step.ramp ? range : [(range[0] + range[1]) / 2, (range[0] + range[1]) / 2]
      const meanSquare = (a * a + a * b + b * b) / 3
      let duration = step.duration
      if (duration === undefined && step.distance !== undefined) {
        const speed = step.pace !== undefined && athlete.thresholdPace !== undefined
          ? athlete.thresholdPace * ((a + b) / 2)
          : undefined
        if (speed === undefined || speed <= 0) untimed += times
        else duration = step.distance / speed
      }
      if (step.distance !== undefined) metres += step.distance * times
      if (duration === undefined) continue
      seconds += duration * times
      weighted += duration * times * meanSquare
      if (kind !== undefined) {
        const zones = kinds.get(kind) ?? Array.from({ length: 7 }, () => 0)
        zones[zoneIndex((a + b) / 2, kind, athlete)]! += duration * times
        kinds.set(kind, zones)
      }
    }
  }
  visit(steps, 1)
  const [zoneKind, zoneSeconds] = [...kinds.entries()].sort((x, y) => sum(y[1]) - sum(x[1]))[0] ?? [undefined, []]
  return {
    duration: Math.round(seconds),
    distance: Math.round(metres),
    load: Math.round((weighted / 3600) * 100),
    intensity: seconds > 0 ? Math.round(Math.sqrt(weighted / seconds) * 1000) / 10 : 0,
    zoneSeconds: zoneSeconds.map(Math.round),
    ...(zoneKind !== undefined ? { zoneKind: zoneKind as "power" | "hr" | "pace" } : {}),
    untimed
  }
}

const sum = (values: ReadonlyArray<number>) => values.reduce((a, b) => a + b, 0)

/** The settings a sport's thresholds are read from (Intervals.icu's `SportSettings`, as far as they matter here). */
export interface ThresholdSettings {
  readonly types?: ReadonlyArray<string> | null | undefined
  readonly ftp?: number | null | undefined
  readonly lthr?: number | null | undefined
  readonly max_hr?: number | null | undefined
  readonly threshold_pace?: number | null | undefined
  readonly power_zones?: ReadonlyArray<number | null> | null | undefined
  readonly hr_zones?: ReadonlyArray<number | null> | null | undefined
  readonly pace_zones?: ReadonlyArray<number | null> | null | undefined
}

const familyOfType = (type: string) =>
  /ride|cycl/i.test(type) ? "ride" : /run|walk|hike/i.test(type) ? "run" : /swim/i.test(type) ? "swim" : "other"

/** The thresholds of the settings that cover a sport type (or, failing that, one of its family). */
export const thresholdsOf = (
  settings: ReadonlyArray<ThresholdSettings> | null | undefined,
  type: string,
  restHr?: number | null
): Thresholds => {
  const chosen = settings?.find((s) => s.types?.includes(type)) ??
    settings?.find((s) => s.types?.some((t) => familyOfType(t) === familyOfType(type)))
  const list = (values: ReadonlyArray<number | null> | null | undefined) =>
    values?.filter((v): v is number => typeof v === "number")
  return {
    ftp: chosen?.ftp ?? undefined,
    lthr: chosen?.lthr ?? undefined,
    maxHr: chosen?.max_hr ?? undefined,
    restHr: restHr ?? undefined,
    thresholdPace: chosen?.threshold_pace ?? undefined,
    powerZones: list(chosen?.power_zones),
    hrZones: list(chosen?.hr_zones),
    paceZones: list(chosen?.pace_zones)
  }
}
