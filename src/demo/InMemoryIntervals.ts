/**
 * An Intervals.icu that lives in memory: the API's paths and their behaviour (date windows, `fields=`, saving a
 * workout parses its text, bulk deletes, error bodies shaped like the real ones) over a data set held in plain JSON.
 * The built-in demo serves it behind `HttpClient` (`DemoUpstream`); the tests' fake serves it over real HTTP with
 * authentication and scripted faults. Writes change the data set in place, for the life of the process.
 */
import { addDays } from "../domain/Dates.js"
import { estimateWorkout, thresholdsOf } from "../domain/WorkoutEstimate.js"
import { parseWorkoutText, workoutDocOf } from "../domain/WorkoutText.js"
import { workoutFile } from "./WorkoutFiles.js"
import {
  athleteSummary,
  bestAverages,
  bestEfforts,
  bestTimes,
  CURVE_METRES,
  CURVE_SECS,
  curveEnvelope,
  familyOf,
  histogram,
  intervalSearch,
  paceModel,
  powerVsHr,
  round,
  searchActivities
} from "./Analytics.js"

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any

export interface ApiRequest {
  readonly method: string
  /** The path below the API root, e.g. `/athlete/i1/events` (a leading `/api/v1` is removed). */
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly body?: unknown
}

export interface ApiResponse {
  readonly status: number
  /** JSON for most answers; text or bytes for file downloads. */
  readonly body: unknown
  readonly contentType?: string
  readonly headers?: Readonly<Record<string, string>>
}

/** The data an in-memory Intervals.icu serves: one athlete's records, changed in place by writes. */
export interface Dataset {
  /** The athlete's local date when the data set was made. */
  readonly today: string
  readonly athlete: Json
  readonly activities: Array<Json>
  readonly intervals: Map<string, Json>
  /** The streams of one activity (made on demand: they are large). */
  readonly streams: (activityId: string) => ReadonlyArray<Json>
  readonly wellness: Array<Json>
  readonly events: Array<Json>
  readonly messages: Map<string, Array<Json>>
  readonly customItems: Array<Json>
  /** The power curves for a query (`type`, `curves`, `filters`). */
  readonly powerCurves: (query: Readonly<Record<string, string>>) => Json
  /** The heart-rate and pace curves for a query; computed from the streams when a data set has none of its own. */
  readonly hrCurves?: (query: Readonly<Record<string, string>>) => Json
  readonly paceCurves?: (query: Readonly<Record<string, string>>) => Json
  readonly gear: Array<Json>
  /** The weather forecast for the athlete's locations (`/weather-forecast`). */
  readonly weather?: Json
  /** For an athlete who shares with the key's owner: what the key may do (`icu_permission`). */
  readonly permission?: string
  /** The workout library: folders and plans, their workouts in `children`. */
  readonly folders?: Array<Json>
}

export interface InMemoryIntervals {
  readonly data: Dataset
  readonly handle: (request: ApiRequest) => ApiResponse
}

const json = (body: unknown, status = 200): ApiResponse => ({ status, body })

/** Error bodies as Intervals.icu sends them: `{status, error}`. */
const failure = (status: number, message: string): ApiResponse => json({ status, error: message }, status)

/** `?fields=a,b` returns only those keys and drops nulls, as the spec says. */
const onlyFields = (object: Json, fields: string | undefined) => {
  if (!fields) return object
  const wanted = new Set(fields.split(","))
  return Object.fromEntries(Object.entries(object).filter(([key, value]) => wanted.has(key) && value !== null))
}

/** A local date or date-time inside `oldest`…`newest` (a date-time bound compares in full, a date by day). */
export const inRange = (value: string, oldest: string | undefined, newest: string | undefined): boolean => {
  const day = value.slice(0, 10)
  return (oldest === undefined || value >= oldest || day >= oldest) &&
    (newest === undefined || (newest.length > 10 ? value <= newest : day <= newest))
}

/**
 * A saved WORKOUT's text is parsed into its workout_doc, as Intervals.icu does on every save, and its load,
 * intensity and duration estimated from the athlete's zones where the writer gave none.
 */
const withWorkout = (event: Json, parse: (text: string | null | undefined) => Json, athlete?: Json): Json => {
  if (event.category !== "WORKOUT" && event.category !== undefined) return event
  const doc = parse(event.description)
  if (athlete === undefined || (doc.steps ?? []).length === 0) return { ...event, workout_doc: doc }
  const estimate = estimateWorkout(
    parseWorkoutText(event.description).steps,
    thresholdsOf(athlete.sportSettings, event.type ?? "Ride", athlete.icu_resting_hr)
  )
  return {
    ...event,
    workout_doc: doc,
    icu_training_load: estimate.load,
    icu_intensity: estimate.intensity,
    ...(event.moving_time ? {} : { moving_time: estimate.duration })
  }
}

/** An athlete who shares their data with the key's owner; their data set is made only when first needed. */
export interface SharedAthlete {
  readonly id: string
  readonly name: string
  readonly timezone: string
  /** What the key may do for this athlete, as Intervals.icu's `icu_permission` says it. */
  readonly permission: string
  readonly dataset: () => Dataset
}

export interface Options {
  /** Athletes who share their data with the key's owner (a coach's athletes). */
  readonly coached?: ReadonlyArray<SharedAthlete>
  /** Intervals.icu's reading of workout text (the default is this server's own reader). */
  readonly parseWorkout?: (text: string | null | undefined) => Json
  /** The clock for `created` stamps. */
  readonly now?: () => Date
  /** The first id given to a created record. */
  readonly firstId?: number
}

/** A curve window from its id: `90d`, `1y`, `all`, `s0` (this season: this year), `s1`, `r.FROM.TO`. */
export const curveWindow = (id: string, today: string): { start: string; end: string; label: string } | undefined => {
  const days = /^(\d+)d$/.exec(id)
  const shift = (n: number) => {
    const d = new Date(`${today}T00:00:00Z`)
    d.setUTCDate(d.getUTCDate() - n)
    return d.toISOString().slice(0, 10)
  }
  if (days) return { start: shift(Number(days[1])), end: today, label: `${days[1]} days` }
  if (id === "1y") return { start: shift(365), end: today, label: "1 year" }
  if (id === "all") return { start: "2000-01-01", end: today, label: "All time" }
  if (id === "s0") return { start: `${today.slice(0, 4)}-01-01`, end: today, label: "This season" }
  if (id === "s1") {
    const year = Number(today.slice(0, 4)) - 1
    return { start: `${year}-01-01`, end: `${year}-12-31`, label: "Last season" }
  }
  const range = /^r\.(\d{4}-\d{2}-\d{2})\.(\d{4}-\d{2}-\d{2})$/.exec(id)
  return range ? { start: range[1]!, end: range[2]!, label: `${range[1]} to ${range[2]}` } : undefined
}

const streamOf = (data: Dataset, activityId: string, type: string): ReadonlyArray<number> =>
  (data.streams(activityId).find((stream) => stream.type === type)?.data ?? []).map((v: number | null) => v ?? 0)

/**
 * Heart-rate (`secs`, best average bpm) or pace (`distance`, best time) curves from the activities' streams, for
 * data sets that do not carry their own.
 */
const curvesFromStreams = (data: Dataset, kind: "hr" | "pace", query: Readonly<Record<string, string>>): Json => {
  const type = familyOf(query["type"] ?? (kind === "pace" ? "Run" : "Ride"))
  const used = new Map<string, Json>()
  const list = (query["curves"] ?? "90d").split(",").flatMap((curveId) => {
    const window = curveWindow(curveId, data.today)
    if (window === undefined) return []
    const inWindow = data.activities.filter((a) => {
      const day = String(a.start_date_local ?? "").slice(0, 10)
      return a.source !== "STRAVA" && familyOf(a.type) === type && day >= window.start && day <= window.end
    })
    const axis = kind === "hr" ? CURVE_SECS : CURVE_METRES
    const values: Array<number | null> = axis.map(() => null)
    const ids: Array<string | null> = axis.map(() => null)
    for (const a of inWindow) {
      const bests = kind === "hr"
        ? bestAverages(streamOf(data, a.id, "heartrate"), CURVE_SECS).map((v) => (v === null ? null : Math.round(v)))
        : bestTimes(streamOf(data, a.id, "distance"), CURVE_METRES)
      bests.forEach((value, i) => {
        const better = value !== null && (values[i] === null || (kind === "hr" ? value > values[i]! : value < values[i]!))
        if (better) {
          values[i] = value
          ids[i] = a.id
          used.set(a.id, { id: a.id, name: a.name ?? null, start_date_local: a.start_date_local, type: a.type })
        }
      })
    }
    return [{
      ...curveEnvelope(curveId, window, inWindow),
      weight: data.athlete.icu_weight ?? null,
      ...(kind === "hr" ? { secs: CURVE_SECS } : { distance: CURVE_METRES, type: "PACE" }),
      values,
      activity_id: ids,
      ...(kind === "pace" ? { paceModels: [paceModel(CURVE_METRES, values)].filter((m) => m !== undefined) } : {})
    }]
  })
  return { list, activities: Object.fromEntries(used) }
}

export const makeInMemoryIntervals = (owner: Dataset, options: Options = {}): InMemoryIntervals => {
  const parse = options.parseWorkout ?? workoutDocOf
  const now = options.now ?? (() => new Date())
  let nextId = options.firstId ?? 70_001
  const shared = options.coached ?? []
  const made = new Map<string, Dataset>()
  const datasetOf = (athlete: SharedAthlete): Dataset => {
    let data = made.get(athlete.id)
    if (data === undefined) {
      data = athlete.dataset()
      made.set(athlete.id, data)
    }
    return data
  }
  /** The data set holding an activity: the owner's first, then (made if need be) those shared with them. */
  const holding = (activityId: string): Dataset | undefined => {
    if (owner.activities.some((a) => a.id === activityId)) return owner
    for (const athlete of shared) {
      const data = datasetOf(athlete)
      if (data.activities.some((a) => a.id === activityId)) return data
    }
    return undefined
  }

  const athleteRoutes = (data: Dataset, request: ApiRequest, rest: ReadonlyArray<string>): ApiResponse | undefined => {
    const { method, query: q } = request
    const [resource, id, more] = rest
    if (resource === undefined) return method === "GET" ? json(data.athlete) : undefined
    if (resource === "sport-settings" && id === undefined && method === "GET") {
      return json(data.athlete.sportSettings ?? [])
    }
    if (/^athlete-summary(\.json)?$/.test(resource) && method === "GET") {
      const end = (q["end"] ?? data.today).slice(0, 10)
      const start = (q["start"] ?? addDays(end, -42)).slice(0, 10)
      return json(athleteSummary(data.athlete, data.activities, data.wellness, start, end))
    }
    if (/^hr-curves(\.json)?$/.test(resource) && method === "GET") {
      return json(data.hrCurves?.(q) ?? curvesFromStreams(data, "hr", q))
    }
    if (/^pace-curves(\.json)?$/.test(resource) && method === "GET") {
      return json(data.paceCurves?.(q) ?? curvesFromStreams(data, "pace", q))
    }
    if (resource === "weather-forecast" && method === "GET") return json(data.weather ?? { forecasts: [] })
    if (resource === "activities" && id === "search" && method === "GET") {
      if (!q["q"]) return failure(422, "Required request parameter 'q' for method parameter type String is not present")
      return json(searchActivities(data.activities, q["q"], Number(q["limit"] ?? 30)))
    }
    if (resource === "activities" && id === "interval-search" && method === "GET") {
      const number = (name: string, fallback?: number) => (q[name] === undefined ? fallback : Number(q[name]))
      const required = ["minSecs", "maxSecs", "minIntensity", "maxIntensity"].find((name) => q[name] === undefined)
      if (required !== undefined) {
        return failure(422, `Required request parameter '${required}' for method parameter type int is not present`)
      }
      return json(intervalSearch(data.activities, data.intervals, {
        minSecs: number("minSecs")!,
        maxSecs: number("maxSecs")!,
        minIntensity: number("minIntensity")!,
        maxIntensity: number("maxIntensity")!,
        minReps: number("minReps", 1)!,
        maxReps: number("maxReps", 1000)!,
        limit: number("limit", 30)!,
        ...(q["type"] ? { type: q["type"] } : {})
      }))
    }

    if (resource === "activities" && id === undefined && method === "GET") {
      if (!q["oldest"]) {
        return failure(422, "Required request parameter 'oldest' for method parameter type String is not present")
      }
      return json(
        data.activities
          .filter((a) => inRange(a.start_date_local, q["oldest"], q["newest"]))
          .sort((a, b) => b.start_date_local.localeCompare(a.start_date_local))
          .map((a) => onlyFields(a, q["fields"]))
      )
    }

    if (/^wellness(\.json)?$/.test(resource) && id === undefined && method === "GET") {
      return json(data.wellness.filter((w) => inRange(w.id, q["oldest"], q["newest"])))
    }

    if (/^events(\.json)?$/.test(resource) && id === undefined && method === "GET") {
      const oldest = q["oldest"] ?? data.today
      return json(data.events.filter((e) => inRange(e.start_date_local, oldest, q["newest"])))
    }
    if (resource === "events" && id === undefined && method === "POST") {
      const event = withWorkout({ id: nextId++, athlete_id: data.athlete.id, ...(request.body as object) }, parse, data.athlete)
      data.events.push(event)
      return json(event)
    }
    if (resource === "events" && id === "bulk" && method === "POST") {
      // Upsert by external_id, as `?upsert=true` does: a second write of the same plan updates, never doubles.
      const upsert = q["upsert"] === "true"
      const saved = (request.body as Array<Json>).map((given) => {
        const index = upsert && given.external_id
          ? data.events.findIndex((e) => e.external_id === given.external_id)
          : -1
        if (index >= 0) {
          data.events[index] = withWorkout({ ...data.events[index], ...given, id: data.events[index].id }, parse, data.athlete)
          return data.events[index]
        }
        const event = withWorkout({ id: nextId++, athlete_id: data.athlete.id, ...given }, parse, data.athlete)
        data.events.push(event)
        return event
      })
      return json(saved)
    }
    if (resource === "duplicate-events" && id === undefined && method === "POST") {
      const body = request.body as { eventIds?: Array<number>; numCopies?: number; weeksBetween?: number }
      const copies: Array<Json> = []
      for (const eventId of body.eventIds ?? []) {
        const original = data.events.find((e) => e.id === eventId)
        if (original === undefined) return failure(404, `Event ${eventId} not found`)
        for (let n = 1; n <= (body.numCopies ?? 1); n++) {
          const days = 7 * (body.weeksBetween ?? 1) * n
          const shift = (value: string | undefined) =>
            value === undefined ? value : `${addDays(value.slice(0, 10), days)}${value.slice(10)}`
          const { external_id: _, ...rest } = original
          const copy = {
            ...rest,
            id: nextId++,
            start_date_local: shift(original.start_date_local),
            end_date_local: shift(original.end_date_local),
            paired_activity_id: null
          }
          data.events.push(copy)
          copies.push(copy)
        }
      }
      return json(copies)
    }
    if (resource === "events" && id !== undefined && /^download\.(zwo|mrc|erg|fit)$/.test(more ?? "") && method === "GET") {
      const event = data.events.find((e) => String(e.id) === id)
      if (event === undefined) return failure(404, "Not Found")
      return download(data, more!.slice("download".length), event)
    }
    if (/^download-workout\.(zwo|mrc|erg|fit)$/.test(resource) && id === undefined && method === "POST") {
      return download(data, resource.slice("download-workout".length), request.body as Json)
    }
    if (resource === "folders" && id === undefined && method === "GET") return json(data.folders ?? [])
    if (resource === "workouts" && more === undefined) {
      const folders = data.folders ?? []
      const all = () => folders.flatMap((f) => (f.children ?? []) as Array<Json>)
      if (id === undefined && method === "GET") return json(all())
      if (id === undefined && method === "POST") {
        const body = request.body as Json
        const folder = folders.find((f) => f.id === body.folder_id)
        if (folder === undefined) return failure(422, "folder_id is required and must be one of the athlete's folders")
        const workout = withWorkout({ id: nextId++, athlete_id: data.athlete.id, ...body }, parse, data.athlete)
        delete workout.category
        folder.children = [...(folder.children ?? []), workout]
        folder.num_workouts = folder.children.length
        return json(workout)
      }
      const folder = folders.find((f) => (f.children ?? []).some((w: Json) => String(w.id) === id))
      const index = folder === undefined ? -1 : folder.children.findIndex((w: Json) => String(w.id) === id)
      if (folder === undefined || index < 0) return failure(404, "Not Found")
      if (method === "GET") return json(folder.children[index])
      if (method === "PUT") {
        const body = request.body as Json
        const merged = { ...folder.children[index], ...body, id: folder.children[index].id }
        const updated = "description" in body ? withWorkout(merged, parse, data.athlete) : merged
        delete updated.category
        if (body.folder_id !== undefined && body.folder_id !== folder.id) {
          const target = folders.find((f) => f.id === body.folder_id)
          if (target === undefined) return failure(422, "No such folder")
          folder.children.splice(index, 1)
          target.children = [...(target.children ?? []), updated]
        } else folder.children[index] = updated
        return json(updated)
      }
      if (method === "DELETE") {
        folder.children.splice(index, 1)
        folder.num_workouts = folder.children.length
        return json([Number(id)])
      }
    }
    if (/^wellness(\.json)?$/.test(resource) && id !== undefined && more === undefined) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(id)) return failure(400, `Invalid date '${id}'`)
      const index = data.wellness.findIndex((w) => w.id === id)
      if (method === "GET") return index < 0 ? json({ id }) : json(data.wellness[index])
      if (method === "PUT") {
        const merged = { ...(index < 0 ? { id } : data.wellness[index]), ...(request.body as object), id }
        if (index < 0) data.wellness.push(merged)
        else data.wellness[index] = merged
        return json(merged)
      }
    }
    if (resource === "sport-settings" && id !== undefined) {
      const settings = (data.athlete.sportSettings ?? []) as Array<Json>
      const index = settings.findIndex((s) => String(s.id) === id || (s.types ?? []).includes(id))
      if (index < 0) return failure(404, "Not Found")
      if (more === undefined && method === "GET") return json(settings[index])
      if (more === undefined && method === "PUT") {
        settings[index] = { ...settings[index], ...(request.body as object), id: settings[index].id }
        return json(settings[index])
      }
      if (more === "apply" && method === "PUT") return json({ activitiesUpdated: data.activities.length })
    }
    if (resource === "events" && id === "bulk-delete" && method === "PUT") {
      const ids = new Set((request.body as Array<{ id: number }>).map((d) => d.id))
      const before = data.events.length
      data.events.splice(0, data.events.length, ...data.events.filter((e) => !ids.has(e.id)))
      return json({ eventsDeleted: before - data.events.length })
    }
    if (resource === "events" && id !== undefined && more === undefined) {
      if (!/^\d+$/.test(id)) {
        return failure(400, "Failed to convert value of type 'java.lang.String' to required type 'long'")
      }
      const index = data.events.findIndex((e) => String(e.id) === id)
      if (index < 0) return failure(404, "Not Found")
      if (method === "GET") return json(data.events[index])
      if (method === "DELETE") {
        data.events.splice(index, 1)
        return json({})
      }
      if (method === "PUT") {
        const body = request.body as Record<string, unknown>
        const merged = { ...data.events[index], ...body }
        const updated = "description" in body || "category" in body ? withWorkout(merged, parse, data.athlete) : merged
        data.events[index] = updated
        return json(updated)
      }
    }

    if (resource === "custom-item" && more === undefined) {
      if (id === undefined && method === "GET") return json(data.customItems)
      if (id === undefined && method === "POST") {
        const item = { id: nextId++, athlete_id: data.athlete.id, usage_count: 0, ...(request.body as object) }
        data.customItems.push(item)
        return json(item)
      }
      const index = data.customItems.findIndex((item) => String(item.id) === id)
      if (index < 0) return failure(404, "Not Found")
      if (method === "GET") return json(data.customItems[index])
      if (method === "PUT") {
        data.customItems[index] = { ...data.customItems[index], ...(request.body as object) }
        return json(data.customItems[index])
      }
      if (method === "DELETE") {
        data.customItems.splice(index, 1)
        return json({})
      }
    }

    if (/^power-curves(\.json)?$/.test(resource) && id === undefined && method === "GET") {
      if (!q["type"]) {
        return failure(422, "Required request parameter 'type' for method parameter type ActivityType is not present")
      }
      return json(data.powerCurves(q))
    }

    if (/^gear(\.json)?$/.test(resource) && id === undefined && method === "GET") return json(data.gear)
    return undefined
  }

  /** A workout as a device file, made with the athlete's cycling FTP. */
  const download = (data: Dataset, ext: string, workout: Json): ApiResponse => {
    const ftp = ((data.athlete.sportSettings ?? []) as Array<Json>).find((s) => (s.types ?? []).includes("Ride"))?.ftp ?? 250
    const file = workoutFile(ext, workout, ftp)
    return file === undefined
      ? failure(400, `Unknown format ${ext}`)
      : { status: 200, body: file.body, contentType: file.contentType }
  }

  const isStrava = (activity: Json) => activity.source === "STRAVA"
  const STRAVA_REFUSAL = "Cannot read Strava activities via the API"

  const activityRoutes = (request: ApiRequest, activityId: string, rest: ReadonlyArray<string>): ApiResponse | undefined => {
    const data = holding(activityId)
    const activity = data?.activities.find((a) => a.id === activityId)
    if (data === undefined || activity === undefined) return failure(404, "Not Found")
    const [resource] = rest
    if (resource === undefined && request.method === "PUT") {
      if (isStrava(activity)) return failure(422, STRAVA_REFUSAL)
      const index = data.activities.indexOf(activity)
      data.activities[index] = { ...activity, ...(request.body as object), id: activity.id }
      return json(data.activities[index])
    }
    if (resource === undefined && request.method === "DELETE") {
      data.activities.splice(data.activities.indexOf(activity), 1)
      return json({ id: activity.id })
    }
    if (resource === undefined) return request.method === "GET" ? json(activity) : undefined
    if (request.method === "GET" && resource !== "messages" && resource !== "intervals" && isStrava(activity)) {
      return failure(422, STRAVA_REFUSAL)
    }
    const q = request.query
    const stream = (type: string) => streamOf(data, activityId, type)
    if (resource === "best-efforts" && request.method === "GET") {
      const name = q["stream"] ?? "watts"
      const values = stream(name)
      const duration = Number(q["duration"] ?? 60)
      return json({ efforts: values.length === 0 ? [] : bestEfforts(values, duration, Number(q["count"] ?? 3)) })
    }
    if (/^(power|hr|pace)-histogram$/.test(resource) && request.method === "GET") {
      const kind = resource.split("-")[0]!
      const values = stream(kind === "power" ? "watts" : kind === "hr" ? "heartrate" : "velocity_smooth")
      const size = Number(q["bucketSize"] ?? (kind === "power" ? 25 : kind === "hr" ? 5 : 0.25))
      return json(histogram(values, size, kind === "pace" ? 0.5 : 1).map((bucket) => ({ ...bucket, start: round(bucket.start, 2) })))
    }
    if (/^power-vs-hr(\.json)?$/.test(resource) && request.method === "GET") {
      const watts = stream("watts")
      const heartrate = stream("heartrate")
      if (watts.length < 120 || heartrate.length < 120) return failure(422, "Activity has no power and heart rate data")
      return json(powerVsHr(watts, heartrate))
    }
    if (/^(power|hr|pace)-curve(\.json)?$/.test(resource) && request.method === "GET") {
      const kind = resource.split("-")[0]!
      if (kind === "pace") {
        const values = bestTimes(stream("distance"), CURVE_METRES)
        return json({ id: activityId, distance: CURVE_METRES, values, type: "PACE", activity_id: CURVE_METRES.map(() => activityId) })
      }
      const values = bestAverages(stream(kind === "power" ? "watts" : "heartrate"), CURVE_SECS).map((v) =>
        v === null ? null : Math.round(v)
      )
      return json({ id: activityId, secs: CURVE_SECS, values, activity_id: CURVE_SECS.map(() => activityId) })
    }
    if (resource === "weather-summary" && request.method === "GET") {
      return json({
        start_index: 0,
        end_index: activity.moving_time ?? 0,
        moving_time: activity.moving_time ?? null,
        whole_activity: true,
        average_temp: activity.average_temp ?? null,
        min_temp: activity.min_temp ?? null,
        max_temp: activity.max_temp ?? null,
        average_weather_temp: activity.average_weather_temp ?? null,
        average_feels_like: activity.average_feels_like ?? null,
        average_wind_speed: activity.average_wind_speed ?? null,
        average_wind_gust: activity.average_wind_gust ?? null,
        prevailing_wind_deg: activity.prevailing_wind_deg ?? null,
        headwind_percent: activity.headwind_percent ?? null,
        tailwind_percent: activity.tailwind_percent ?? null,
        max_rain: activity.max_rain ?? null,
        average_clouds: activity.average_clouds ?? null,
        description: activity.average_weather_temp == null ? null : activity.weather_description ?? null
      })
    }
    if (/^streams(\.json)?$/.test(resource) && rest.length === 1 && request.method === "GET") {
      if (isStrava(activity)) return failure(422, STRAVA_REFUSAL)
      const types = (request.query["types"] ?? "").split(",").filter((t) => t !== "")
      return json(data.streams(activityId).filter((stream) => types.length === 0 || types.includes(stream.type)))
    }
    if (resource === "intervals" && rest.length === 1 && request.method === "GET") {
      if (isStrava(activity)) return failure(422, STRAVA_REFUSAL)
      return json(data.intervals.get(activityId) ?? { id: activityId, icu_intervals: [], icu_groups: [] })
    }
    if (resource === "messages" && rest.length === 1) {
      const list = data.messages.get(activityId) ?? []
      if (request.method === "GET") return json(list)
      if (request.method === "POST") {
        const message = {
          id: nextId++,
          athlete_id: data.athlete.id,
          name: data.athlete.name ?? null,
          created: now().toISOString(),
          type: "TEXT",
          content: (request.body as { content: string }).content,
          deleted: null
        }
        data.messages.set(activityId, [...list, message])
        return json({ id: message.id, new_chat: null })
      }
    }
    return undefined
  }

  const handle = (request: ApiRequest): ApiResponse => {
    const parts = request.path.replace(/^\/api\/v1(?=\/)/, "").split("/").filter((part) => part !== "")
    const [root, id, ...rest] = parts
    let answer: ApiResponse | undefined
    if (root === "athletes" && id === undefined && request.method === "GET") {
      const listed = (athlete: { id: string; name: string | null; timezone: string | null }, permission: string | null) => ({
        id: athlete.id,
        name: athlete.name,
        timezone: athlete.timezone,
        icu_coach: permission === null && shared.length > 0,
        icu_permission: permission,
        icu_last_seen: `${owner.today}T07:00:00`,
        icu_tags: permission === null ? null : ["coached"]
      })
      answer = json([
        listed({ id: owner.athlete.id, name: owner.athlete.name ?? null, timezone: owner.athlete.timezone ?? null }, null),
        ...shared.map((athlete) => listed(athlete, athlete.permission))
      ])
    } else if (root === "athlete" && id !== undefined) {
      const sharer = shared.find((athlete) => athlete.id === id)
      const data = id === "0" || id === owner.athlete.id ? owner : sharer === undefined ? undefined : datasetOf(sharer)
      if (data === undefined) return failure(403, "Access denied")
      answer = athleteRoutes(data, request, rest)
    } else if (root === "activity" && id !== undefined) {
      answer = activityRoutes(request, id, rest)
    }
    return answer ?? json({
      timestamp: now().toISOString(),
      status: 404,
      error: "Not Found",
      path: `/api/v1/${parts.join("/")}`
    }, 404)
  }

  return { data: owner, handle }
}
