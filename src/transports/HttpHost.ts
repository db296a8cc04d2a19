/**
 * The HTTP host shared by the networked transports: a `node:http` server held as an Effect resource. It answers
 * `/health`, guards every other request (Host and Origin, then the server key), reads and parses JSON bodies up to a
 * limit, logs one line per request, and hands the rest to the transport's app.
 *
 * Why `node:http` and not `@effect/platform`'s HttpServer: the SDK's `StreamableHTTPServerTransport` and
 * `SSEServerTransport` are written against Node's request and response, and both stream; hosting them on the raw
 * objects needs no adapter, keeps streaming and back-pressure exactly as the SDK expects, and lets shutdown close
 * long-lived streams before the listener, which `server.close()` would otherwise wait on forever.
 */
import { Deferred, Duration, Effect, Either, Layer, Runtime, type Scope } from "effect"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { HttpConfig, isLoopback, isWildcard } from "../services/HttpConfig.js"
import { ServerAuth } from "../services/ServerAuth.js"
import { Version } from "../Version.js"
import { McpServer } from "../McpServer.js"
import { makeHostGuard } from "./HostGuard.js"
import { Transport } from "./Transport.js"

/** What a transport plugs into the host. */
export interface HttpApp {
  readonly name: "http" | "sse"
  /** The paths it serves, for the start-up log. */
  readonly paths: ReadonlyArray<string>
  /** Answers a guarded request; `body` is the parsed JSON of a POST. Resolves to false for a path it does not serve. */
  readonly handle: (req: IncomingMessage, res: ServerResponse, url: URL, body: unknown) => Promise<boolean>
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

class BodyTooLarge {
  readonly _tag = "BodyTooLarge"
}

/** Reads a request body up to `limit` bytes; stops reading (and reports) as soon as it is larger. */
const readBody = (req: IncomingMessage, limit: number): Promise<string | BodyTooLarge> =>
  new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"])
    if (Number.isFinite(declared) && declared > limit) return resolve(new BodyTooLarge())
    const chunks: Array<Buffer> = []
    let size = 0
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        req.removeAllListeners("data")
        req.resume()
        resolve(new BodyTooLarge())
      } else chunks.push(chunk)
    })
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

const CORS_HEADERS = {
  "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
  "access-control-allow-headers": "authorization, content-type, mcp-session-id, mcp-protocol-version, last-event-id",
  "access-control-expose-headers": "mcp-session-id, www-authenticate",
  "access-control-max-age": "600",
  "vary": "origin"
}

const hostForUrl = (host: string) => (host.includes(":") && !host.startsWith("[") ? `[${host}]` : host)

/**
 * Serves `app` until interrupted. On interruption it stops accepting connections, lets requests in flight finish
 * (for at most `MCP_SHUTDOWN_GRACE_MS`), closes sessions and streams, then the listener.
 */
export const serveHttp = (app: HttpApp) =>
  Effect.gen(function*() {
    const config = yield* HttpConfig
    const auth = yield* ServerAuth
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

    const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const started = performance.now()
      const url = new URL(req.url ?? "/", "http://localhost")
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

      if (url.pathname === "/health" && (req.method === "GET" || req.method === "HEAD")) {
        return sendJson(res, 200, {
          status: "ok",
          name: "intervals-mcp",
          version: Version,
          transport: app.name,
          sessions: app.sessions()
        })
      }

      const host = req.headers.host
      if (!guard.hostAllowed(host)) {
        return sendJson(res, 403, { error: "forbidden", error_description: `Host ${JSON.stringify(host ?? "")} is not served here` })
      }
      const origin = req.headers.origin
      if (!guard.originAllowed(origin, host)) {
        return sendJson(res, 403, { error: "forbidden", error_description: `Origin ${JSON.stringify(origin)} is not allowed` })
      }
      if (origin !== undefined) {
        for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value)
        res.setHeader("access-control-allow-origin", origin)
      }
      if (req.method === "OPTIONS") {
        res.writeHead(204)
        return void res.end()
      }

      const checked = Runtime.runSync(runtime)(Effect.either(auth.check(req.headers.authorization)))
      if (Either.isLeft(checked)) {
        const denied = checked.left
        return sendJson(res, 401, { error: "unauthorized", error_description: denied.message }, {
          "www-authenticate": denied.reason === "invalid"
            ? `Bearer realm="intervals-mcp", error="invalid_token"`
            : `Bearer realm="intervals-mcp"`
        })
      }

      let body: unknown = undefined
      if (req.method === "POST") {
        const raw = await readBody(req, config.maxBodyBytes)
        if (raw instanceof BodyTooLarge) {
          res.setHeader("connection", "close")
          return jsonRpcError(res, 413, -32600, `Request body is larger than ${config.maxBodyBytes} bytes`)
        }
        try {
          body = JSON.parse(raw)
        } catch (error) {
          return jsonRpcError(res, 400, -32700, `Parse error: ${error instanceof Error ? error.message : "invalid JSON"}`)
        }
      }

      if (!(await app.handle(req, res, url, body))) {
        sendJson(res, 404, { error: "not_found", error_description: `Nothing at ${url.pathname}; MCP is at ${app.paths.join(", ")}` })
      }
    }

    const server: Server = createServer((req, res) => {
      handle(req, res).catch((error: unknown) => {
        log(Effect.logError("http request crashed", error))
        if (!res.headersSent) jsonRpcError(res, 500, -32603, "Internal error")
        else res.end()
      })
    })
    // Long tool calls stream their answers; Node's default 5-minute request timeout would cut them.
    server.requestTimeout = 0

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
          yield* Effect.logInfo("shutting down: no new connections, waiting for calls in flight")
          const closed = yield* Deferred.make<void>()
          server.close(() => Deferred.unsafeDone(closed, Effect.void))
          if (inFlight > 0) {
            yield* Effect.async<void>((resume) => {
              drained = () => resume(Effect.void)
            }).pipe(Effect.timeoutOption(config.shutdownGrace))
          }
          yield* Effect.promise(() => app.close())
          server.closeAllConnections()
          yield* Deferred.await(closed).pipe(Effect.timeoutOption(Duration.seconds(5)))
          yield* Effect.logInfo("stopped")
        })
    ).pipe(
      Effect.mapError((error) =>
        new Error(`cannot listen on ${config.host}:${config.port}: ${error.message}`)
      )
    )

    const shown = isWildcard(config.host) ? "127.0.0.1" : hostForUrl(config.host)
    const base = `http://${shown}:${address.port}`
    yield* Effect.logInfo(
      `intervals-mcp ${Version} serving MCP over ${app.name === "http" ? "Streamable HTTP" : "SSE"} at ` +
        app.paths.map((path) => base + path).join(" and ") + `; health at ${base}/health` +
        (isWildcard(config.host) ? ` (listening on all interfaces, ${config.host})` : "") +
        (auth.required
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
  run: (mcp: McpServer, config: HttpConfig) => Effect.Effect<never, Error, HttpConfig | ServerAuth | Scope.Scope>
) =>
  Layer.effect(
    Transport,
    Effect.gen(function*() {
      const mcp = yield* McpServer
      const config = yield* HttpConfig
      const auth = yield* ServerAuth
      return {
        name,
        serve: Effect.scoped(run(mcp, config)).pipe(
          Effect.provideService(HttpConfig, config),
          Effect.provideService(ServerAuth, auth)
        )
      }
    })
  )
