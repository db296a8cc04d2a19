/**
 * What Intervals.icu computes from an athlete's records, computed the same way over an in-memory data set: weekly
 * summaries, best efforts and curves from streams, histograms, power against heart rate, activity search. The demo
 * and the tests' fake answer their analysis endpoints with these, so the figures agree with the activities they hold.
 */
import { addDays, isoWeekday, mondayOf } from "../domain/Dates.js"
import type { Json } from "./InMemoryIntervals.js"

/** The durations power and heart-rate curves are kept at. */
export const CURVE_SECS = [
  1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 360, 420, 480, 600, 720, 900, 1200, 1500, 1800, 2400,
  2700, 3600, 4500, 5400, 7200, 10_800
]
/** The distances pace curves are kept at. */
export const CURVE_METRES = [400, 800, 1000, 1500, 1609.344, 3000, 5000, 10_000, 15_000, 21_097.5]

export const round = (value: number, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits

export { addDays, isoWeekday as weekday, mondayOf }

/** The part of a curve every kind shares: its window, and the time and load of the activities it covers. */
export const curveEnvelope = (
  id: string,
  window: { readonly label: string; readonly start: string; readonly end: string },
  activities: ReadonlyArray<{ readonly moving_time?: number | null; readonly icu_training_load?: number | null }>
) => ({
  id,
  label: window.label,
  start_date_local: `${window.start}T00:00:00`,
  end_date_local: `${window.end}T00:00:00`,
  days: Math.round((Date.parse(window.end) - Date.parse(window.start)) / 86_400_000) + 1,
  moving_time: activities.reduce((sum, a) => sum + (a.moving_time ?? 0), 0),
  training_load: activities.reduce((sum, a) => sum + (a.icu_training_load ?? 0), 0)
})

/** The best average of `values` over each window length (rolling sums); null where the data is shorter. */
export const bestAverages = (values: ArrayLike<number>, windows: ReadonlyArray<number>): Array<number | null> =>
  windows.map((length) => {
    if (values.length < length) return null
    let sum = 0
    for (let i = 0; i < length; i++) sum += values[i]!
    let best = sum
    for (let i = length; i < values.length; i++) {
      sum += values[i]! - values[i - length]!
      if (sum > best) best = sum
    }
    return best / length
  })

/** The fastest time over each distance, in seconds, from cumulative distance sampled once a second. */
export const bestTimes = (distance: ArrayLike<number>, targets: ReadonlyArray<number>): Array<number | null> =>
  targets.map((target) => {
    if (distance.length === 0 || distance[distance.length - 1]! < target) return null
    let best = Infinity
    let start = 0
    for (let end = 0; end < distance.length; end++) {
      while (start < end && distance[end]! - distance[start + 1]! >= target) start++
      if (distance[end]! - distance[start]! >= target) best = Math.min(best, end - start)
    }
    return best === Infinity ? null : best
  })

/** The top `count` non-overlapping windows of `length` samples by average, best first. */
export const bestEfforts = (values: ArrayLike<number>, length: number, count: number) => {
  const efforts: Array<{ start_index: number; end_index: number; average: number; duration: number }> = []
  const taken = new Uint8Array(values.length)
  for (let n = 0; n < count; n++) {
    let best = -Infinity
    let at = -1
    let sum = 0
    for (let i = 0; i < values.length; i++) {
      sum += values[i]!
      if (i >= length) sum -= values[i - length]!
      if (i >= length - 1) {
        const start = i - length + 1
        if (sum > best && !taken.subarray(start, i + 1).some((t) => t === 1)) {
          best = sum
          at = start
        }
      }
    }
    if (at < 0) break
    taken.fill(1, at, at + length)
    efforts.push({ start_index: at, end_index: at + length, average: round(best / length, 1), duration: length })
  }
  return efforts
}

/** Seconds in buckets of `size` (values below `floor` are left out: zeros while coasting, say). */
export const histogram = (values: ArrayLike<number>, size: number, floor = 1): Array<{ start: number; secs: number }> => {
  const buckets = new Map<number, number>()
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (!(v >= floor)) continue
    const start = Math.floor(v / size) * size
    buckets.set(start, (buckets.get(start) ?? 0) + 1)
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([start, secs]) => ({ start, secs, movingSecs: secs }))
}

const mean = (values: ArrayLike<number>, from = 0, to = values.length) => {
  let sum = 0
  for (let i = from; i < to; i++) sum += values[i]!
  return to > from ? sum / (to - from) : 0
}

/** Power against heart rate: the ratio in each half, and the decoupling between them (first half's efficiency lost). */
export const powerVsHr = (watts: ArrayLike<number>, heartrate: ArrayLike<number>) => {
  const half = Math.floor(watts.length / 2)
  const first = mean(watts, 0, half) / mean(heartrate, 0, half)
  const second = mean(watts, half) / mean(heartrate, half)
  return {
    bucketSize: 60,
    warmup: 0,
    cooldown: 0,
    elapsedTime: watts.length,
    hrLag: 10,
    powerHr: round(mean(watts) / mean(heartrate), 3),
    powerHrFirst: round(first, 3),
    powerHrSecond: round(second, 3),
    decoupling: round((1 - second / first) * 100, 2),
    start: 0,
    mid: half,
    end: watts.length,
    series: Array.from({ length: Math.floor(watts.length / 60) }, (_, i) => ({
      start: i * 60,
      secs: 60,
      movingSecs: 60,
      watts: round(mean(watts, i * 60, i * 60 + 60), 1),
      hr: round(mean(heartrate, i * 60, i * 60 + 60), 1)
    }))
  }
}

/** Critical power and W′ from best efforts of 3 to 20 minutes (work = CP × t + W′, least squares), and Pmax. */
export const powerModel = (secs: ReadonlyArray<number>, watts: ReadonlyArray<number | null>) => {
  const points = secs.map((t, i) => [t, watts[i]] as const).filter((p): p is readonly [number, number] =>
    p[1] !== null && p[0] >= 180 && p[0] <= 1200
  )
  if (points.length < 2) return undefined
  const fit = line(points.map(([t, w]) => [t, w * t]))
  return {
    type: "CP",
    criticalPower: Math.round(fit.slope),
    wPrime: Math.round(fit.intercept),
    pMax: watts[0] ?? null,
    ftp: Math.round(fit.slope * 0.97),
    inputPointIndexes: points.map(([t]) => secs.indexOf(t))
  }
}

/** Critical speed and D′ from best times over 1.5 to 10 km (distance = CS × t + D′). */
export const paceModel = (metres: ReadonlyArray<number>, times: ReadonlyArray<number | null>) => {
  const points = metres.map((d, i) => [times[i], d] as const).filter((p): p is readonly [number, number] =>
    p[0] !== null && p[1] >= 1500 && p[1] <= 10_000
  )
  if (points.length < 2) return undefined
  const fit = line(points.map(([t, d]) => [t, d]))
  return {
    type: "CS",
    criticalSpeed: round(fit.slope, 3),
    dPrime: round(fit.intercept, 1),
    r2: round(fit.r2, 4),
    inputPointIndexes: points.map(([, d]) => metres.indexOf(d))
  }
}

const line = (points: ReadonlyArray<readonly [number, number]>) => {
  const n = points.length
  const mx = points.reduce((s, [x]) => s + x, 0) / n
  const my = points.reduce((s, [, y]) => s + y, 0) / n
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0)
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0)
  const syy = points.reduce((s, [, y]) => s + (y - my) ** 2, 0)
  const slope = sxy / sxx
  return { slope, intercept: my - slope * mx, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) }
}

/** The sport family an activity type counts in (for curves and summaries). */
export const familyOf = (type: string | null | undefined) =>
  /ride/i.test(type ?? "") ? "Ride" : /run|walk|hike/i.test(type ?? "") ? "Run" : /swim/i.test(type ?? "") ? "Swim" : "Other"

/**
 * Weekly rows as `athlete-summary` answers them, newest first: totals, totals by sport, time in (heart-rate) zones,
 * and fitness, fatigue and form at the end of the week.
 */
export const athleteSummary = (
  athlete: Json,
  activities: ReadonlyArray<Json>,
  wellness: ReadonlyArray<Json>,
  start: string,
  end: string
): Array<Json> => {
  const rows: Array<Json> = []
  const byDay = new Map(wellness.map((w) => [w.id as string, w]))
  for (let week = mondayOf(start); week <= end; week = addDays(week, 7)) {
    const last = addDays(week, 6)
    const done = activities.filter((a) => {
      const day = String(a.start_date_local ?? "").slice(0, 10)
      return a.source !== "STRAVA" && day >= week && day <= last
    })
    const total = (list: ReadonlyArray<Json>) => ({
      count: list.length,
      time: list.reduce((s, a) => s + (a.moving_time ?? 0), 0),
      moving_time: list.reduce((s, a) => s + (a.moving_time ?? 0), 0),
      elapsed_time: list.reduce((s, a) => s + (a.elapsed_time ?? 0), 0),
      calories: list.reduce((s, a) => s + (a.calories ?? 0), 0),
      total_elevation_gain: round(list.reduce((s, a) => s + (a.total_elevation_gain ?? 0), 0), 1),
      training_load: list.reduce((s, a) => s + (a.icu_training_load ?? 0), 0),
      srpe: 0,
      distance: round(list.reduce((s, a) => s + (a.distance ?? 0), 0), 1),
      eftp: null,
      eftpPerKg: null
    })
    const zones = Array.from({ length: 8 }, () => 0)
    for (const a of done) (a.icu_hr_zone_times ?? []).forEach((secs: number, i: number) => (zones[i] = (zones[i] ?? 0) + secs))
    const atEnd = byDay.get(last <= end ? last : end) ?? [...byDay.values()].filter((w) => w.id <= last).at(-1)
    const types = [...new Set(done.map((a) => a.type as string))]
    rows.push({
      ...total(done),
      date: week,
      athlete_id: athlete.id,
      athlete_name: athlete.name ?? null,
      email: null,
      external_id: null,
      fitness: atEnd?.ctl ?? null,
      fatigue: atEnd?.atl ?? null,
      form: atEnd?.ctl != null && atEnd?.atl != null ? round(atEnd.ctl - atEnd.atl, 4) : null,
      rampRate: atEnd?.rampRate ?? null,
      weight: atEnd?.weight ?? athlete.icu_weight ?? null,
      timeInZones: zones,
      timeInZonesTot: zones.reduce((a, b) => a + b, 0),
      byCategory: types.map((type) => ({ ...total(done.filter((a) => a.type === type)), category: type })),
      mostRecentWellnessId: atEnd?.id ?? null
    })
  }
  return rows.reverse()
}

/** `/activities/search`: a case-insensitive name search, or an exact tag when the query starts with `#`. */
export const searchActivities = (activities: ReadonlyArray<Json>, q: string, limit: number) => {
  const tag = q.startsWith("#") ? q.slice(1) : undefined
  const needle = q.toLowerCase()
  return activities
    .filter((a) => a.source !== "STRAVA")
    .filter((a) => (tag !== undefined ? (a.tags ?? []).includes(tag) : String(a.name ?? "").toLowerCase().includes(needle)))
    .sort((a, b) => String(b.start_date_local).localeCompare(String(a.start_date_local)))
    .slice(0, limit)
    .map((a) => ({
      id: a.id,
      name: a.name ?? null,
      start_date_local: a.start_date_local,
      type: a.type ?? null,
      race: a.race ?? false,
      distance: a.distance ?? null,
      moving_time: a.moving_time ?? null,
      tags: a.tags ?? null,
      description: a.description ?? null
    }))
}

/** `/activities/interval-search`: activities with at least `minReps` intervals of that duration and intensity. */
export const intervalSearch = (
  activities: ReadonlyArray<Json>,
  intervals: ReadonlyMap<string, Json>,
  query: { minSecs: number; maxSecs: number; minIntensity: number; maxIntensity: number; minReps: number; maxReps: number; limit: number; type?: string }
) =>
  activities
    .filter((a) => a.source !== "STRAVA")
    .map((a) => {
      const matching = (intervals.get(a.id)?.icu_intervals ?? []).filter((i: Json) =>
        (query.type === undefined || i.type === query.type) &&
        i.moving_time >= query.minSecs && i.moving_time <= query.maxSecs &&
        i.intensity >= query.minIntensity && i.intensity <= query.maxIntensity
      )
      return { a, matching }
    })
    .filter(({ matching }) => matching.length >= query.minReps && matching.length <= query.maxReps)
    .sort((x, y) => String(y.a.start_date_local).localeCompare(String(x.a.start_date_local)))
    .slice(0, query.limit)
    .map(({ a, matching }) => ({ ...a, icu_intervals: matching }))
