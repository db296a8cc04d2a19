/**
 * A fake Intervals.icu that speaks real HTTP on loopback: the endpoints the server reads, HTTP Basic auth as the real
 * API does it (401 without credentials, 403 for a wrong key or another athlete), error bodies shaped like the real
 * ones, a log of every request, and scripted faults (status, headers, body, delay, connection reset).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { API_KEY, ATHLETE_ID, type Fixtures, makeFixtures, STRAVA_ID } from "./Fixtures.js"
import { parseWorkout } from "./WorkoutParser.js"

export interface LoggedRequest {
  readonly method: string
  readonly path: string
  readonly query: Record<string, string>
  readonly auth: "valid" | "missing" | "wrong"
  readonly userAgent: string | undefined
  readonly at: number
  /** The parsed JSON body of a write. */
  body?: unknown
}

export interface Fault {
  /** Which requests the fault applies to. */
  readonly match: (request: LoggedRequest) => boolean
  /** How many matching requests it answers (default: all). */
  times?: number
  readonly status?: number
  readonly headers?: Record<string, string>
  readonly body?: string
  /** Wait this long before answering. */
  readonly delayMs?: number
  /** Destroy the socket instead of answering. */
  readonly reset?: boolean
  /** Send the headers and this much of the body, then destroy the socket (a reset mid-response). */
  readonly partial?: string
  /** Answer as usual, with the JSON body changed by this function (a payload of the wrong shape). */
  readonly mutate?: (body: unknown) => unknown
}

export interface FakeIntervals {
  readonly url: string
  /** The API base URL to give the server (`INTERVALS_API_BASE_URL`). */
  readonly baseUrl: string
  readonly fixtures: Fixtures
  readonly requests: Array<LoggedRequest>
  readonly faults: Array<Fault>
  readonly close: () => Promise<void>
}

const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body)
  res.writeHead(status, { "content-type": "application/json;charset=UTF-8", ...headers })
  res.end(text)
}

/** `?fields=a,b` returns only those keys and drops nulls, as the spec says. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const onlyFields = (object: any, fields: string | undefined) => {
  if (!fields) return object
  const wanted = new Set(fields.split(","))
  return Object.fromEntries(Object.entries(object).filter(([key, value]) => wanted.has(key) && value !== null))
}

const error = (res: ServerResponse, status: number, message: string) =>
  sendJson(res, status, { status, error: message })

const authOf = (req: IncomingMessage): LoggedRequest["auth"] => {
  const header = req.headers.authorization
  if (!header) return "missing"
  const [scheme, encoded] = header.split(" ")
  if (scheme !== "Basic" || !encoded) return "wrong"
  return Buffer.from(encoded, "base64").toString("utf8") === `API_KEY:${API_KEY}` ? "valid" : "wrong"
}

const inRange = (value: string, oldest: string | undefined, newest: string | undefined) => {
  const day = value.slice(0, 10)
  return (oldest === undefined || value >= oldest || day >= oldest) &&
    (newest === undefined || (newest.length > 10 ? value <= newest : day <= newest))
}

export const startFakeIntervals = async (
  options: { readonly port?: number; readonly now?: Date; readonly fixtures?: Fixtures } = {}
): Promise<FakeIntervals> => {
  const fixtures = options.fixtures ?? makeFixtures(options.now)
  const requests: Array<LoggedRequest> = []
  const faults: Array<Fault> = []
  let nextId = 70_001
  const customItems = [...fixtures.customItems]
  const messages = new Map<string, Array<unknown>>(fixtures.messages)
  /** A saved WORKOUT's text is parsed into its workout_doc, as Intervals.icu does. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const withWorkout = (event: any) =>
    event.category === "WORKOUT" || event.category === undefined
      ? { ...event, workout_doc: parseWorkout(event.description) }
      : event

  const route = (res: ServerResponse, logged: LoggedRequest, mutate?: (body: unknown) => unknown) => {
    const json = (r: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
      sendJson(r, status, status === 200 && mutate ? mutate(structuredClone(body)) : body, headers)
    if (logged.auth === "missing") return error(res, 401, "Unauthorized")
    if (logged.auth === "wrong") return error(res, 403, "Access denied")
    const parts = logged.path.replace(/^\/api\/v1\//, "").split("/")
    const q = logged.query

    if (parts[0] === "athlete" && parts[1] !== undefined) {
      if (parts[1] !== ATHLETE_ID && parts[1] !== "0") return error(res, 403, "Access denied")
      const rest = parts.slice(2)
      if (rest.length === 0) return json(res, 200, fixtures.athlete)
      if (rest[0] === "activities" && rest.length === 1) {
        if (!q["oldest"]) {
          return error(res, 422, "Required request parameter 'oldest' for method parameter type String is not present")
        }
        return json(
          res,
          200,
          fixtures.activities
            .filter((a) => inRange(a.start_date_local, q["oldest"], q["newest"]))
            .sort((a, b) => b.start_date_local.localeCompare(a.start_date_local))
            .map((a) => onlyFields(a, q["fields"]))
        )
      }
      if (/^wellness(\.json)?$/.test(rest[0] ?? "") && rest.length === 1) {
        return json(res, 200, fixtures.wellness.filter((w) => inRange(w.id, q["oldest"], q["newest"])))
      }
      if (/^events(\.json)?$/.test(rest[0] ?? "") && rest.length === 1 && logged.method === "GET") {
        const oldest = q["oldest"] ?? fixtures.today
        return json(res, 200, fixtures.events.filter((e) => inRange(e.start_date_local, oldest, q["newest"])))
      }
      if (rest[0] === "events" && rest.length === 1 && logged.method === "POST") {
        const body = logged.body as Record<string, unknown>
        const event = withWorkout({ id: nextId++, athlete_id: ATHLETE_ID, ...body })
        fixtures.events.push(event)
        return json(res, 200, event)
      }
      if (rest[0] === "events" && rest[1] === "bulk-delete" && logged.method === "PUT") {
        const ids = new Set((logged.body as Array<{ id: number }>).map((d) => d.id))
        const before = fixtures.events.length
        fixtures.events.splice(0, fixtures.events.length, ...fixtures.events.filter((e) => !ids.has(e.id)))
        return json(res, 200, { eventsDeleted: before - fixtures.events.length })
      }
      if (rest[0] === "events" && rest.length === 2 && logged.method !== "GET") {
        const index = fixtures.events.findIndex((e) => String(e.id) === rest[1])
        if (index < 0) return error(res, 404, "Not Found")
        if (logged.method === "DELETE") {
          fixtures.events.splice(index, 1)
          return json(res, 200, {})
        }
        const body = logged.body as Record<string, unknown>
        const updated = "description" in body
          ? withWorkout({ ...fixtures.events[index], ...body })
          : { ...fixtures.events[index], ...body }
        fixtures.events[index] = updated
        return json(res, 200, updated)
      }
      if (rest[0] === "custom-item") {
        const id = rest[1]
        if (id === undefined && logged.method === "GET") return json(res, 200, customItems)
        if (id === undefined && logged.method === "POST") {
          const item = { id: nextId++, athlete_id: ATHLETE_ID, usage_count: 0, ...(logged.body as object) }
          customItems.push(item)
          return json(res, 200, item)
        }
        const index = customItems.findIndex((item) => String(item.id) === id)
        if (index < 0) return error(res, 404, "Not Found")
        if (logged.method === "GET") return json(res, 200, customItems[index])
        if (logged.method === "PUT") {
          customItems[index] = { ...customItems[index], ...(logged.body as object) }
          return json(res, 200, customItems[index])
        }
        if (logged.method === "DELETE") {
          customItems.splice(index, 1)
          return json(res, 200, {})
        }
      }
      if (/^power-curves(\.json)?$/.test(rest[0] ?? "") && rest.length === 1) {
        if (!q["type"]) return error(res, 422, "Required request parameter 'type' for method parameter type ActivityType is not present")
        return json(res, 200, fixtures.powerCurves)
      }
      if (/^gear(\.json)?$/.test(rest[0] ?? "") && rest.length === 1) return json(res, 200, fixtures.gear)
      if (rest[0] === "events" && rest.length === 2) {
        if (!/^\d+$/.test(rest[1]!)) {
          return error(res, 400, `Failed to convert value of type 'java.lang.String' to required type 'long'`)
        }
        const event = fixtures.events.find((e) => String(e.id) === rest[1])
        return event ? json(res, 200, event) : error(res, 404, "Not Found")
      }
    }

    if (parts[0] === "activity" && parts[1] !== undefined) {
      const activity = fixtures.activities.find((a) => a.id === parts[1])
      if (activity === undefined) return error(res, 404, "Not Found")
      if (parts.length === 2) return json(res, 200, activity)
      if (/^streams(\.json)?$/.test(parts[2] ?? "") && parts.length === 3) {
        if (parts[1] === STRAVA_ID) return error(res, 422, "Cannot read Strava activities via the API")
        const types = (q["types"] ?? "").split(",").filter((t) => t !== "")
        return json(res, 200, fixtures.streams.filter((st) => types.length === 0 || types.includes(st.type)))
      }
      if (parts[2] === "messages" && parts.length === 3) {
        const list = messages.get(activity.id) ?? []
        if (logged.method === "POST") {
          const message = {
            id: nextId++,
            athlete_id: ATHLETE_ID,
            name: "Alex Rider",
            created: new Date().toISOString(),
            type: "TEXT",
            content: (logged.body as { content: string }).content,
            deleted: null
          }
          messages.set(activity.id, [...list, message])
          return json(res, 200, { id: message.id, new_chat: null })
        }
        return json(res, 200, list)
      }
      if (parts[2] === "intervals" && parts.length === 3) {
        if (parts[1] === STRAVA_ID) return error(res, 422, "Cannot read Strava activities via the API")
        return json(res, 200, fixtures.intervals.get(activity.id))
      }
    }

    return json(res, 404, {
      timestamp: new Date().toISOString(),
      status: 404,
      error: "Not Found",
      path: logged.path
    })
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake")
    const logged: LoggedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      auth: authOf(req),
      userAgent: req.headers["user-agent"],
      at: Date.now()
    }
    requests.push(logged)
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      if (chunks.length > 0) {
        try {
          logged.body = JSON.parse(Buffer.concat(chunks).toString("utf8"))
        } catch {
          return error(res, 400, "Malformed JSON")
        }
      }
      const fault = faults.find((f) => (f.times === undefined || f.times > 0) && f.match(logged))
      if (fault === undefined) return route(res, logged)
      if (fault.times !== undefined) fault.times--
      const answer = () => {
        if (fault.reset) return req.socket.destroy()
        if (fault.partial !== undefined) {
          res.writeHead(200, { "content-type": "application/json", "content-length": String(fault.partial.length * 4) })
          res.write(fault.partial)
          return setTimeout(() => req.socket.destroy(), 20)
        }
        if (fault.mutate) return route(res, logged, fault.mutate)
        if (fault.status === undefined) return route(res, logged)
        res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers })
        res.end(fault.body ?? JSON.stringify({ status: fault.status, error: "Injected fault" }))
      }
      if (fault.delayMs) {
        const timer = setTimeout(answer, fault.delayMs)
        res.on("close", () => clearTimeout(timer))
      } else answer()
    })
  })

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    baseUrl: `${url}/api/v1`,
    fixtures,
    requests,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
