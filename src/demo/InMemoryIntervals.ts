/**
 * An Intervals.icu that lives in memory: the API's paths and their behaviour (date windows, `fields=`, saving a
 * workout parses its text, bulk deletes, error bodies shaped like the real ones) over a data set held in plain JSON.
 * The built-in demo serves it behind `HttpClient` (`DemoUpstream`); the tests' fake serves it over real HTTP with
 * authentication and scripted faults. Writes change the data set in place, for the life of the process.
 */
import { workoutDocOf } from "../domain/WorkoutText.js"

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
  readonly gear: Array<Json>
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

/** A saved WORKOUT's text is parsed into its workout_doc, as Intervals.icu does on every save. */
const withWorkout = (event: Json, parse: (text: string | null | undefined) => Json): Json =>
  event.category === "WORKOUT" || event.category === undefined
    ? { ...event, workout_doc: parse(event.description) }
    : event

export interface Options {
  /** Intervals.icu's reading of workout text (the default is this server's own reader). */
  readonly parseWorkout?: (text: string | null | undefined) => Json
  /** The clock for `created` stamps. */
  readonly now?: () => Date
  /** The first id given to a created record. */
  readonly firstId?: number
}

export const makeInMemoryIntervals = (data: Dataset, options: Options = {}): InMemoryIntervals => {
  const parse = options.parseWorkout ?? workoutDocOf
  const now = options.now ?? (() => new Date())
  let nextId = options.firstId ?? 70_001

  const athleteRoutes = (request: ApiRequest, rest: ReadonlyArray<string>): ApiResponse | undefined => {
    const { method, query: q } = request
    const [resource, id, more] = rest
    if (resource === undefined) return method === "GET" ? json(data.athlete) : undefined

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
      const event = withWorkout({ id: nextId++, athlete_id: data.athlete.id, ...(request.body as object) }, parse)
      data.events.push(event)
      return json(event)
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
        const updated = "description" in body || "category" in body ? withWorkout(merged, parse) : merged
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

  const isStrava = (activity: Json) => activity.source === "STRAVA"
  const STRAVA_REFUSAL = "Cannot read Strava activities via the API"

  const activityRoutes = (request: ApiRequest, activityId: string, rest: ReadonlyArray<string>): ApiResponse | undefined => {
    const activity = data.activities.find((a) => a.id === activityId)
    if (activity === undefined) return failure(404, "Not Found")
    const [resource] = rest
    if (resource === undefined) return request.method === "GET" ? json(activity) : undefined
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
    if (root === "athlete" && id !== undefined) {
      if (id !== data.athlete.id && id !== "0") return failure(403, "Access denied")
      answer = athleteRoutes(request, rest)
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

  return { data, handle }
}
