/**
 * The HTTP host shared by the networked transports: a `node:http` server held as an Effect resource. It answers
 * `/health`, guards every other request (a well-formed URL, Host and Origin, then the server key with a budget of
 * failures per address), reads and parses JSON bodies up to a limit, logs one line per request, and hands the rest
 * to the transport's app. It bounds what a client can hold: time to send headers and a body, connections per
 * address, and (in the apps) sessions. A refused request's connection is closed, and a body it did not read is never
 * read.
 *
 * Why `node:http` and not `@effect/platform`'s HttpServer: the SDK's `StreamableHTTPServerTransport` and
 * `SSEServerTransport` are written against Node's request and response, and both stream; hosting them on the raw
 * objects needs no adapter, keeps streaming and back-pressure exactly as the SDK expects, and lets shutdown close
 * long-lived streams before the listener, which `server.close()` would otherwise wait on forever.
 */
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { type AddressInfo, isIP, type Socket } from "node:net"
import { judgeBody } from "../mcp/RequestGuard.js"
import { McpServer } from "../McpServer.js"
import { AppConfig } from "../services/AppConfig.js"
import { HttpConfig, isLoopback, isWildcard } from "../services/HttpConfig.js"
import { OAuthGate, type Principal, ServerAuth } from "../services/ServerAuth.js"
import { Version } from "../Version.js"
import { makeHostGuard, wellFormedHost } from "./HostGuard.js"
import { Transport } from "./Transport.js"

/** What a transport plugs into the host. */
export interface HttpApp {
  readonly name: "http" | "sse"
  /** The paths it serves, for the start-up log. */
  readonly paths: ReadonlyArray<string>
  /**
   * Answers a guarded request; `body` is the parsed JSON of a POST, `principal` who sent it. Resolves to false for a
   * path it does not serve.
   */
  readonly handle: (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: unknown,
    principal: Principal
  ) => Promise<boolean>
  /** Stops every tool call in flight, each answering that the server is shutting down. */
  readonly stopCalls: () => void
  /** Closes every session and stream, at shutdown. */
  readonly close: () => Promise<void>
  readonly sessions: () => number
}

export const sendJson = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void => {
  if (res.headersSent) {
    res.end()
    return
  }
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify(body))
}

export const jsonRpcError = (res: ServerResponse, status: number, code: number, message: string): void =>
  sendJson(res, status, { jsonrpc: "2.0", error: { code, message }, id: null })

/**
 * A refusal, sent on a connection that is then closed: the client may not go on sending (a body this server will
 * not read, or more attempts), and what it was sending is never read.
 */
export const refuse = (
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void => {
  sendJson(res, status, body, { connection: "close", ...headers })
  if (!req.complete) res.once("finish", () => req.socket.destroy())
}

export class BodyTooLarge {
  readonly _tag = "BodyTooLarge"
}

/** Reads a request body up to `limit` bytes; stops reading (and reports) as soon as it is larger. */
export const readBody = (req: IncomingMessage, limit: number): Promise<string | BodyTooLarge> =>
  new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"])
    if (Number.isFinite(declared) && declared > limit) return resolve(new BodyTooLarge())
    const chunks: Array<Buffer> = []
    let size = 0
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        req.removeAllListeners("data")
        req.pause()
        resolve(new BodyTooLarge())
      } else chunks.push(chunk)
    })
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

const CORS_HEADERS = {
  "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
  // mcp-method and mcp-name are on every 2026-07-28 request.
  "access-control-allow-headers":
    "authorization, content-type, mcp-session-id, mcp-protocol-version, mcp-method, mcp-name, last-event-id",
  "access-control-expose-headers": "mcp-session-id, www-authenticate",
  "access-control-max-age": "600",
  "vary": "origin"
}

const hostForUrl = (host: string) => (host.includes(":") && !host.startsWith("[") ? `[${host}]` : host)

/** A request line in absolute form carries its own authority: `POST http://evil.example/mcp HTTP/1.1`. */
const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\//i

const AUTH_WINDOW_MS = 60_000

/**
 * The address budgets (failed authentications, sign-ins, registrations) are kept for: the socket's, or behind a
 * trusted proxy (`MCP_TRUST_PROXY=true`) the last address of X-Forwarded-For, the one the proxy itself appended
 * (earlier ones are the client's word and could be anything). Without that, every user behind the proxy would share
 * one budget, and one attacker could lock the owner out.
 */
export const clientAddress = (req: IncomingMessage, trustProxy: boolean): string => {
  const socket = req.socket.remoteAddress ?? "unknown"
  if (!trustProxy) return socket
  const header = req.headers["x-forwarded-for"]
  const last = (Array.isArray(header) ? header.at(-1) : header)?.split(",").at(-1)?.trim()
  return last !== undefined && isIP(last) !== 0 ? last : socket
}

/**
 * Serves `app` until interrupted. On interruption it stops accepting connections, lets calls in flight finish for
 * at most `MCP_SHUTDOWN_GRACE_MS`, stops what is left (each call answering that the server is shutting down), then
 * closes sessions, streams and connections: it is done within the grace and about a second.
 */
export const serveHttp = (app: HttpApp) =>
  Effect.gen(function*() {
    const config = yield* HttpConfig
    const { shutdownGrace } = yield* AppConfig
    const auth = yield* ServerAuth
    const gate = Option.getOrUndefined(yield* Effect.serviceOption(OAuthGate))
    const runtime = yield* Effect.runtime<never>()
    // Logging is synchronous: run it in place rather than forking a fiber per request.
    const log = (effect: Effect.Effect<void>) => Runtime.runSync(runtime)(effect)
    const guard = makeHostGuard({
      bindHost: config.host,
      allowedHosts: config.allowedHosts,
      allowedOrigins: config.allowedOrigins
    })

    // Requests that carry work (not long-lived event streams), so that shutdown can wait for them.
    let inFlight = 0
    let drained: (() => void) | undefined
    const connections = new Map<string, number>()
    const failures = new Map<string, { count: number; since: number }>()

    /** Failed authentications from one address in the current minute; the right key is never refused for them. */
    const failedTooOften = (address: string, now: number): number | undefined => {
      const record = failures.get(address)
      if (record === undefined || now - record.since > AUTH_WINDOW_MS) return undefined
      return record.count >= config.authFailuresPerMinute
        ? Math.ceil((record.since + AUTH_WINDOW_MS - now) / 1000)
        : undefined
    }
    const countFailure = (address: string, now: number) => {
      const record = failures.get(address)
      if (record === undefined || now - record.since > AUTH_WINDOW_MS) failures.set(address, { count: 1, since: now })
      else record.count++
      // The table is bounded: an attacker with many addresses cannot grow it without end.
      if (failures.size > 10_000) failures.delete(failures.keys().next().value!)
    }

    const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const started = performance.now()
      const address = clientAddress(req, config.trustProxy)
      let url: URL
      try {
        url = new URL(req.url ?? "/", "http://localhost")
      } catch {
        return refuse(req, res, 400, { error: "bad_request", error_description: "The request URL is malformed" })
      }
      const isStream = req.method === "GET" && url.pathname !== "/health"
      if (!isStream) inFlight++
      res.on("close", () => {
        if (!isStream && --inFlight === 0) drained?.()
        const session = req.headers["mcp-session-id"] ?? res.getHeader("mcp-session-id") ?? url.searchParams.get("sessionId")
        log(
          Effect.logInfo("http request").pipe(
            Effect.annotateLogs({
              method: req.method ?? "?",
              path: url.pathname,
              status: res.statusCode,
              ms: Math.round(performance.now() - started),
              ...(session ? { session: String(session) } : {})
            })
          )
        )
      })

      // The server key (when there is one) opens /health's details; without one, so does being on a keyless server.
      const authorized = (auth.required || gate === undefined) &&
        Either.isRight(Runtime.runSync(runtime)(Effect.either(auth.check(req.headers.authorization))))
      if (url.pathname === "/health" && (req.method === "GET" || req.method === "HEAD")) {
        // Without the key, only that the server is up: nothing that tells an attacker what or how busy it is.
        return sendJson(
          res,
          200,
          authorized
            ? { status: "ok", name: "intervals-mcp", version: Version, transport: app.name, sessions: app.sessions() }
            : { status: "ok" }
        )
      }

      const host = req.headers.host
      const hosts = req.rawHeaders.filter((_, i) => i % 2 === 0 && req.rawHeaders[i]!.toLowerCase() === "host").length
      if (hosts > 1 || (host !== undefined && !wellFormedHost(host)) || (req.url ?? "").startsWith("//")) {
        return refuse(req, res, 400, {
          error: "bad_request",
          error_description: hosts > 1
            ? "More than one Host header"
            : (req.url ?? "").startsWith("//")
            ? "A request target must be a path (/mcp) or an absolute URL, not //host/path"
            : `Host ${JSON.stringify((host ?? "").slice(0, 100))} is not a host name with an optional port`
        })
      }
      if (!guard.hostAllowed(host) || (ABSOLUTE_FORM.test(req.url ?? "") && !guard.hostAllowed(url.host))) {
        const named = ABSOLUTE_FORM.test(req.url ?? "") ? url.host : host
        return refuse(req, res, 403, { error: "forbidden", error_description: `Host ${JSON.stringify(named ?? "")} is not served here` })
      }
      // The authorization server's own routes: discovery, registration and tokens are open to any origin (they
      // carry no cookie), and the sign-in form checks its own.
      if (gate !== undefined && (await gate.routes(req, res, url, address))) return
      const origin = req.headers.origin
      if (!guard.originAllowed(origin, host)) {
        return refuse(req, res, 403, { error: "forbidden", error_description: `Origin ${JSON.stringify(origin)} is not allowed` })
      }
      if (origin !== undefined) {
        for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value)
        res.setHeader("access-control-allow-origin", origin)
      }
      if (req.method === "OPTIONS") {
        res.writeHead(204)
        return void res.end()
      }

      const tooManyFailures = () => {
        const wait = failedTooOften(address, Date.now())
        if (wait === undefined) return false
        refuse(req, res, 429, {
          error: "too_many_failures",
          error_description: `Too many failed authentications from this address; wait ${wait} s`
        }, { "retry-after": String(wait) })
        return true
      }
      let principal: Principal
      if (gate !== undefined) {
        const verdict = await gate.authenticate(req.headers.authorization)
        if ("status" in verdict) {
          // Only wrong credentials count against the address: a client without a token is being told where to
          // sign in, which it may be told as often as it asks.
          if (verdict.presented) {
            if (tooManyFailures()) return
            countFailure(address, Date.now())
          }
          res.writeHead(verdict.status, { ...verdict.headers, connection: "close" })
          res.end(verdict.body)
          if (!req.complete) res.once("finish", () => req.socket.destroy())
          return
        }
        principal = verdict
      } else if (!authorized) {
        if (tooManyFailures()) return
        countFailure(address, Date.now())
        const denied = Runtime.runSync(runtime)(Effect.flip(auth.check(req.headers.authorization)))
        return refuse(req, res, 401, { error: "unauthorized", error_description: denied.message }, {
          "www-authenticate": denied.reason === "invalid"
            ? `Bearer realm="intervals-mcp", error="invalid_token"`
            : `Bearer realm="intervals-mcp"`
        })
      } else principal = auth.required ? { kind: "key" } : { kind: "open" }

      let body: unknown = undefined
      if (req.method === "POST") {
        const encoding = req.headers["content-encoding"]
        if (encoding !== undefined && encoding.trim().toLowerCase() !== "identity") {
          return refuse(req, res, 415, {
            jsonrpc: "2.0",
            error: { code: -32600, message: `Content-Encoding ${JSON.stringify(encoding.slice(0, 40))} is not supported; send the body as is` },
            id: null
          })
        }
        const type = req.headers["content-type"] ?? ""
        if (!/^application\/json\b/i.test(type)) {
          return refuse(req, res, 415, {
            jsonrpc: "2.0",
            error: { code: -32600, message: `Content-Type must be application/json, got ${JSON.stringify(type.slice(0, 60))}` },
            id: null
          })
        }
        const raw = await readBody(req, config.maxBodyBytes)
        if (raw instanceof BodyTooLarge) {
          return refuse(req, res, 413, {
            jsonrpc: "2.0",
            error: { code: -32600, message: `Request body is larger than ${config.maxBodyBytes} bytes (MCP_MAX_BODY_BYTES)` },
            id: null
          })
        }
        try {
          body = JSON.parse(raw)
        } catch (error) {
          return jsonRpcError(res, 400, -32700, `Parse error: ${error instanceof Error ? error.message.slice(0, 200) : "invalid JSON"}`)
        }
        // Judged here, so that every transport (and a request without a session yet) answers alike, in one line.
        const judged = judgeBody(body)
        if ("answer" in judged) return sendJson(res, 400, judged.answer)
        body = judged.body
      }

      if (!(await app.handle(req, res, url, body, principal))) {
        sendJson(
          res,
          app.paths.includes(url.pathname) ? 405 : 404,
          app.paths.includes(url.pathname)
            ? {
              error: "method_not_allowed",
              error_description: app.name === "sse"
                ? `${req.method} is not served at ${url.pathname}: open the event stream with GET /sse, and POST ` +
                  "messages to the endpoint it names (/messages?sessionId=…)"
                : `${req.method} is not served at ${url.pathname}: POST messages, GET the event stream, DELETE the session`
            }
            : { error: "not_found", error_description: `Nothing at ${url.pathname}; MCP is at ${app.paths.join(", ")}` }
        )
      }
    }

    const server: Server = createServer({
      // A client gets this long to send its headers, and then its whole request; an answer (an event stream) may
      // last as long as it needs, since these count only what the client sends.
      headersTimeout: Duration.toMillis(config.headersTimeout),
      requestTimeout: Duration.toMillis(config.requestTimeout),
      connectionsCheckingInterval: Math.min(1000, Duration.toMillis(config.headersTimeout) / 2)
    }, (req, res) => {
      handle(req, res).catch((error: unknown) => {
        // A client that went away mid-request is not a crash of ours.
        const code = (error as { code?: unknown } | null)?.code
        // (Whether the socket is gone, not the request: a request whose body was read whole counts as destroyed.)
        if (code === "ECONNRESET" || code === "EPIPE" || code === "ECONNABORTED" || req.socket.destroyed) {
          log(Effect.logDebug("http client went away mid-request").pipe(Effect.annotateLogs({ code: String(code) })))
          return void res.destroy()
        }
        log(Effect.logError("http request crashed", error))
        if (!res.headersSent) jsonRpcError(res, 500, -32603, "Internal error")
        else res.end()
      })
    })
    // A malformed request line never reaches `handle`: answer it plainly instead of leaving Node's default.
    server.on("clientError", (error: Error & { code?: string }, socket: Socket) => {
      if (!socket.writable) return socket.destroy()
      const status = error.code === "ERR_HTTP_REQUEST_TIMEOUT" || error.code === "ERR_HTTP_HEADERS_TIMEOUT"
        ? "408 Request Timeout"
        : error.code === "HPE_HEADER_OVERFLOW"
        ? "431 Request Header Fields Too Large"
        : "400 Bad Request"
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    })
    // Each address may hold only so many connections: one client cannot take every socket.
    server.on("connection", (socket: Socket) => {
      const address = socket.remoteAddress ?? "unknown"
      const count = (connections.get(address) ?? 0) + 1
      connections.set(address, count)
      socket.once("close", () => {
        const left = (connections.get(address) ?? 1) - 1
        if (left <= 0) connections.delete(address)
        else connections.set(address, left)
      })
      if (count > config.maxConnectionsPerClient) {
        const body = JSON.stringify({
          error: "too_many_connections",
          error_description: `This address already holds ${config.maxConnectionsPerClient} connections ` +
            "(MCP_MAX_CONNECTIONS_PER_CLIENT); close some, or reuse them"
        })
        socket.end(
          "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 5\r\n" +
            `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
        )
      }
    })

    const address = yield* Effect.acquireRelease(
      Effect.async<AddressInfo, Error>((resume) => {
        const onError = (error: Error) => resume(Effect.fail(error))
        server.once("error", onError)
        server.listen(config.port, config.host, () => {
          server.off("error", onError)
          resume(Effect.succeed(server.address() as AddressInfo))
        })
      }),
      () =>
        Effect.gen(function*() {
          const graceMillis = Duration.toMillis(shutdownGrace)
          yield* Effect.logInfo(
            inFlight > 0
              ? `shutting down: no new connections; ${inFlight} request(s) in flight get up to ${graceMillis} ms`
              : "shutting down: no new connections"
          )
          const closed = yield* Deferred.make<void>()
          server.close(() => Deferred.unsafeDone(closed, Effect.void))
          server.closeIdleConnections()
          if (inFlight > 0) {
            // Interruptible, so that the timeout can end the wait: a finalizer runs uninterruptibly otherwise.
            const finished = yield* Effect.async<void>((resume) => {
              drained = () => resume(Effect.void)
            }).pipe(Effect.interruptible, Effect.timeoutOption(shutdownGrace))
            if (finished._tag === "None" && inFlight > 0) {
              yield* Effect.logWarning(`stopping ${inFlight} request(s) still in flight after the grace`)
              app.stopCalls()
              // The stopped calls answer at once; give their answers a moment to leave.
              yield* Effect.async<void>((resume) => {
                drained = () => resume(Effect.void)
                if (inFlight === 0) resume(Effect.void)
              }).pipe(Effect.interruptible, Effect.timeoutOption(Duration.millis(500)))
            }
          }
          yield* Effect.promise(() => app.close())
          server.closeAllConnections()
          yield* Deferred.await(closed).pipe(Effect.interruptible, Effect.timeoutOption(Duration.millis(500)))
          yield* Effect.logInfo("stopped")
        })
    ).pipe(
      Effect.mapError((error) =>
        new Error(`cannot listen on ${config.host}:${config.port}: ${error.message}`)
      )
    )

    const shown = isWildcard(config.host) ? "127.0.0.1" : hostForUrl(config.host)
    const base = `http://${shown}:${address.port}`
    gate?.bind(base, app.paths[0]!)
    yield* Effect.logInfo(
      `intervals-mcp ${Version} serving MCP over ${app.name === "http" ? "Streamable HTTP" : "SSE"} at ` +
        app.paths.map((path) => base + path).join(" and ") + `; health at ${base}/health` +
        (isWildcard(config.host) ? ` (listening on all interfaces, ${config.host})` : "") +
        (gate !== undefined
          ? `; ${gate.describe()}`
          : auth.required
          ? "; bearer key required"
          : isLoopback(config.host)
          ? "; no key required (loopback only)"
          : "; NO KEY REQUIRED (MCP_ALLOW_UNAUTHENTICATED=true)")
    )
    return address
  })

/** A networked transport: `run` serves until interrupted, with the host's services at hand. */
export const makeHttpTransport = (
  name: "http" | "sse",
  run: (
    mcp: McpServer,
    config: HttpConfig
  ) => Effect.Effect<never, Error, HttpConfig | ServerAuth | AppConfig | Scope.Scope>
) =>
  Layer.effect(
    Transport,
    Effect.gen(function*() {
      const mcp = yield* McpServer
      const config = yield* HttpConfig
      const auth = yield* ServerAuth
      const app = yield* AppConfig
      const gate = yield* Effect.serviceOption(OAuthGate)
      const serve = Effect.scoped(run(mcp, config)).pipe(
        Effect.provideService(HttpConfig, config),
        Effect.provideService(ServerAuth, auth),
        Effect.provideService(AppConfig, app)
      )
      return { name, serve: Option.isSome(gate) ? Effect.provideService(serve, OAuthGate, gate.value) : serve }
    })
  )
