/**
 * A fake Intervals.icu that speaks real HTTP on loopback: the in-memory API (`src/demo/InMemoryIntervals`) over the
 * real samples, behind HTTP Basic auth as the real API does it (401 without credentials, 403 for a wrong key or another
 * athlete), with a log of every request and scripted faults (status, headers, body, delay, connection reset).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { type ApiResponse, makeInMemoryIntervals } from "../../src/demo/InMemoryIntervals.js"
import { API_KEY, ATHLETE_ID, COACHED_ID, type Fixtures, makeCoachedFixtures, makeFixtures } from "./Fixtures.js"

export interface LoggedRequest {
  readonly method: string
  readonly path: string
  readonly query: Record<string, string>
  /** "bearer": Intervals.icu's own OAuth token (of "Continue with Intervals.icu"), which counts as valid. */
  readonly auth: "valid" | "bearer" | "missing" | "wrong"
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
  /** The data of the athlete who shares with the key's owner. */
  readonly coached: Fixtures
  /** The API base URL to give the server (`INTERVALS_API_BASE_URL`). */
  readonly baseUrl: string
  readonly fixtures: Fixtures
  readonly requests: Array<LoggedRequest>
  readonly faults: Array<Fault>
  readonly close: () => Promise<void>
}

/** Answers as Intervals.icu does: JSON with its charset, or a file's bytes. */
const send = (res: ServerResponse, answer: ApiResponse) => {
  const text = answer.contentType === undefined ? JSON.stringify(answer.body) : answer.body as string | Uint8Array
  res.writeHead(answer.status, {
    "content-type": answer.contentType ?? "application/json;charset=UTF-8",
    ...answer.headers
  })
  res.end(text)
}

const authOf = (req: IncomingMessage): LoggedRequest["auth"] => {
  const header = req.headers.authorization
  if (!header) return "missing"
  const [scheme, encoded] = header.split(" ")
  if (scheme === "Bearer") return encoded === OAUTH_ACCESS_TOKEN ? "bearer" : "wrong"
  if (scheme !== "Basic" || !encoded) return "wrong"
  return Buffer.from(encoded, "base64").toString("utf8") === `API_KEY:${API_KEY}` ? "valid" : "wrong"
}

const refusal = (status: number, error: string): ApiResponse => ({ status, body: { status, error } })

/** Intervals.icu's OAuth, as its documentation describes it: a client id and secret, a code, a token with no expiry. */
export const OAUTH_CLIENT_ID = "fake-oauth-client-12"
export const OAUTH_CLIENT_SECRET = "fake-oauth-secret-3b9d1e"
export const OAUTH_ACCESS_TOKEN = "fake-intervals-oauth-token-5c2a8f"
const OAUTH_CODE = "fake-intervals-code-91"

/**
 * The sign-in an athlete does at Intervals.icu, approved at once (the fake's athlete is always signed in and always
 * says yes), then the exchange of its code for a token.
 */
const oauth = (req: IncomingMessage, url: URL, body: string): ApiResponse | undefined => {
  if (url.pathname === "/oauth/authorize" && req.method === "GET") {
    if (url.searchParams.get("client_id") !== OAUTH_CLIENT_ID) return refusal(400, "Unknown client")
    const back = new URL(url.searchParams.get("redirect_uri") ?? "http://invalid")
    back.searchParams.set("code", OAUTH_CODE)
    back.searchParams.set("state", url.searchParams.get("state") ?? "")
    return { status: 302, body: "", contentType: "text/plain", headers: { location: back.toString() } }
  }
  if (url.pathname === "/api/oauth/token" && req.method === "POST") {
    const form = new URLSearchParams(body)
    if (form.get("client_id") !== OAUTH_CLIENT_ID || form.get("client_secret") !== OAUTH_CLIENT_SECRET) {
      return refusal(401, "Bad client credentials")
    }
    if (form.get("code") !== OAUTH_CODE) return refusal(400, "Invalid code")
    return {
      status: 200,
      body: {
        token_type: "Bearer",
        access_token: OAUTH_ACCESS_TOKEN,
        scope: "ACTIVITY:WRITE,WELLNESS:WRITE,CALENDAR:WRITE,SETTINGS:READ",
        athlete: { id: ATHLETE_ID, name: "Fake Athlete" }
      }
    }
  }
  return undefined
}

export const startFakeIntervals = async (
  options: { readonly port?: number; readonly now?: Date; readonly fixtures?: Fixtures } = {}
): Promise<FakeIntervals> => {
  const fixtures = options.fixtures ?? makeFixtures(options.now)
  const coached = makeCoachedFixtures(options.now)
  const api = makeInMemoryIntervals(fixtures, {
    coached: [{ id: COACHED_ID, name: coached.athlete.name, timezone: coached.athlete.timezone, permission: "READ", dataset: () => coached }]
  })
  const requests: Array<LoggedRequest> = []
  const faults: Array<Fault> = []

  /** The API's answer, after authentication as the real one does it (401 without credentials, 403 if wrong). */
  const route = (logged: LoggedRequest): ApiResponse => {
    if (logged.auth === "missing") return refusal(401, "Unauthorized")
    if (logged.auth === "wrong") return refusal(403, "Access denied")
    return api.handle(logged)
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
      const signIn = oauth(req, url, Buffer.concat(chunks).toString("utf8"))
      if (signIn !== undefined) return send(res, signIn)
      if (chunks.length > 0) {
        try {
          logged.body = JSON.parse(Buffer.concat(chunks).toString("utf8"))
        } catch {
          return send(res, refusal(400, "Malformed JSON"))
        }
      }
      const fault = faults.find((f) => (f.times === undefined || f.times > 0) && f.match(logged))
      if (fault === undefined) return send(res, route(logged))
      if (fault.times !== undefined) fault.times--
      const answer = () => {
        if (fault.reset) return req.socket.destroy()
        if (fault.partial !== undefined) {
          res.writeHead(200, { "content-type": "application/json", "content-length": String(fault.partial.length * 4) })
          res.write(fault.partial)
          return setTimeout(() => req.socket.destroy(), 20)
        }
        if (fault.mutate) {
          const answer = route(logged)
          return send(res, answer.status === 200 ? { ...answer, body: fault.mutate(structuredClone(answer.body)) } : answer)
        }
        if (fault.status === undefined) return send(res, route(logged))
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
    coached,
    requests,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
