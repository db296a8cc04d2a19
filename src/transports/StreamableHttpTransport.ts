/**
 * Streamable HTTP at `POST/GET/DELETE /mcp`, in both protocol eras. A 2026-07-28 request (its `_meta` envelope says
 * so) is served on its own by the SDK's `createMcpHandler`: no session, a server for the request, and the era's
 * headers, `resultType` and cache hints done by the SDK. A 2025-era client is served as before, on the SDK's
 * `NodeStreamableHTTPServerTransport`: a session (`Mcp-Session-Id`) per client, closed when idle for
 * `MCP_SESSION_IDLE_MS`, and at most `MCP_MAX_SESSIONS` of them: a new one evicts the least recently used idle
 * session, and when every session is busy it is refused with 503 and `Retry-After`. With `MCP_STATELESS=true` a
 * 2025-era POST gets its own transport and server too and nothing is kept, so replicas can sit behind any load
 * balancer (2026-07-28 requests are served so always).
 *
 * A call whose client cancels it, or whose connection drops, stops alone: the other calls of the session, and other
 * clients sharing the same upstream read, go on.
 */
import { NodeStreamableHTTPServerTransport, toNodeHandler, toWebRequest } from "@modelcontextprotocol/node"
import { createMcpHandler, isInitializeRequest, isLegacyRequest, type RequestId } from "@modelcontextprotocol/server"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import { AsyncLocalStorage } from "node:async_hooks"
import { randomUUID } from "node:crypto"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { Connection, McpServer } from "../McpServer.js"
import { type Principal, principalKey } from "../services/ServerAuth.js"
import { type HttpApp, jsonRpcError, makeHttpTransport, serveHttp } from "./HttpHost.js"

type StreamableHTTPServerTransport = NodeStreamableHTTPServerTransport

interface Session {
  readonly transport: StreamableHTTPServerTransport
  readonly connection: Connection
  lastSeen: number
  /** Open GET event streams: a client listening is not idle. */
  streams: number
  /** Requests being answered. */
  busy: number
  /** Who opened it: only the same key or OAuth grant may use it. */
  readonly owner: string
}

const closeQuietly = (entry: { readonly transport: { close(): Promise<void> }; readonly connection: Connection }) =>
  Promise.allSettled([entry.transport.close(), entry.connection.server.close()]).then(() => undefined)

/** The ids of the requests (not notifications) in a POST body. */
const requestIds = (body: unknown): Array<RequestId> =>
  (Array.isArray(body) ? body : [body]).flatMap((message) =>
    typeof message === "object" && message !== null && "method" in message && "id" in message &&
      (typeof message.id === "string" || typeof message.id === "number")
      ? [message.id]
      : []
  )

/** When the client goes away before its answer is complete, the calls it was waiting for stop. */
const abandonOnDisconnect = (res: ServerResponse, connection: Connection, body: unknown) => {
  const ids = requestIds(body)
  if (ids.length === 0) return
  res.once("close", () => {
    if (!res.writableFinished) for (const id of ids) connection.abandon(id)
  })
}

const RETRY_AFTER_SECONDS = 5

const makeStatefulApp = (
  mcp: McpServer,
  maxSessions: number
): HttpApp & { readonly reap: (idleMillis: number) => Promise<number> } => {
  // Kept in order of use: the first idle entry is the least recently used.
  const sessions = new Map<string, Session>()
  let opening = 0

  const touch = (id: string, session: Session) => {
    session.lastSeen = Date.now()
    sessions.delete(id)
    sessions.set(id, session)
  }

  /** Makes room for one more session; false when every session is busy. */
  const makeRoom = async (): Promise<boolean> => {
    while (sessions.size + opening >= maxSessions) {
      const idle = [...sessions].find(([, s]) => s.streams === 0 && s.busy === 0)
      if (idle === undefined) return false
      sessions.delete(idle[0])
      await closeQuietly(idle[1])
    }
    return true
  }

  const open = async (req: IncomingMessage, res: ServerResponse, body: unknown, principal: Principal) => {
    if (!(await makeRoom())) {
      res.setHeader("retry-after", String(RETRY_AFTER_SECONDS))
      return jsonRpcError(
        res,
        503,
        -32000,
        `This server holds its maximum of ${maxSessions} sessions (MCP_MAX_SESSIONS), all busy; try again in ` +
          `${RETRY_AFTER_SECONDS} s`
      )
    }
    opening++
    let registered = false
    const transport: StreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        registered = true
        opening--
        sessions.set(id, { transport, connection, lastSeen: Date.now(), streams: 0, busy: 0, owner: principalKey(principal) })
      }
    })
    const connection = mcp.make({ onCancelled: (id) => transport.closeSSEStream(id), principal })
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId)
    }
    try {
      await connection.connect(transport)
      abandonOnDisconnect(res, connection, body)
      await transport.handleRequest(req, res, body)
    } finally {
      if (!registered) {
        opening--
        // An initialize that did not make a session holds nothing.
        if (transport.sessionId === undefined) void closeQuietly({ transport, connection })
      }
    }
  }

  const handle: HttpApp["handle"] = async (req, res, url, body, principal) => {
    if (url.pathname !== "/mcp") return false
    const header = req.headers["mcp-session-id"]
    const sessionId = Array.isArray(header) ? header[0] : header
    if (sessionId === undefined) {
      if (req.method === "POST" && isInitializeRequest(body)) await open(req, res, body, principal)
      else if (req.method === "POST" || req.method === "GET" || req.method === "DELETE") {
        jsonRpcError(res, 400, -32000, "Bad Request: no Mcp-Session-Id header; start a session with initialize")
      } else {
        res.writeHead(405, { allow: "GET, POST, DELETE" }).end()
      }
      return true
    }
    const session = sessions.get(sessionId)
    if (session === undefined) {
      // The spec's answer to an unknown or expired session: the client starts a new one.
      jsonRpcError(res, 404, -32001, "Session not found: it expired or was closed; initialize a new session")
      return true
    }
    if (session.owner !== principalKey(principal)) {
      // A session is its opener's: another grant (or the key) may not read its stream or act in it.
      jsonRpcError(res, 403, -32001, "This session was opened with other credentials; initialize a session of your own")
      return true
    }
    touch(sessionId, session)
    if (req.method === "GET") {
      session.streams++
      res.once("close", () => {
        session.streams--
        session.lastSeen = Date.now()
      })
    } else {
      session.busy++
      res.once("close", () => {
        session.busy--
        session.lastSeen = Date.now()
      })
      abandonOnDisconnect(res, session.connection, body)
    }
    await session.transport.handleRequest(req, res, body)
    return true
  }

  const reap = async (idleMillis: number) => {
    const now = Date.now()
    const idle = [...sessions.entries()].filter(([, s]) =>
      s.streams === 0 && s.busy === 0 && now - s.lastSeen > idleMillis
    )
    for (const [id, session] of idle) {
      sessions.delete(id)
      await closeQuietly(session)
    }
    return idle.length
  }

  return {
    name: "http",
    paths: ["/mcp"],
    handle,
    reap,
    sessions: () => sessions.size,
    stopCalls: () => {
      for (const session of sessions.values()) session.connection.stopAll()
    },
    close: async () => {
      const all = [...sessions.values()]
      sessions.clear()
      await Promise.all(all.map(closeQuietly))
    }
  }
}

const makeStatelessApp = (mcp: McpServer): HttpApp => {
  const open = new Set<{ transport: StreamableHTTPServerTransport; connection: Connection }>()
  return {
    name: "http",
    paths: ["/mcp"],
    handle: async (req, res, url, body, principal) => {
      if (url.pathname !== "/mcp") return false
      if (req.method !== "POST") {
        // Nothing to stream or delete without sessions.
        jsonRpcError(res, 405, -32000, "Method not allowed: this server is stateless (MCP_STATELESS=true); use POST")
        return true
      }
      const entry = {
        connection: mcp.make({ stateless: "stateless", principal }),
        // No session id generator: stateless.
        transport: new NodeStreamableHTTPServerTransport({ enableJsonResponse: true })
      }
      open.add(entry)
      res.once("close", () => {
        open.delete(entry)
        void closeQuietly(entry)
      })
      await entry.connection.connect(entry.transport)
      abandonOnDisconnect(res, entry.connection, body)
      await entry.transport.handleRequest(req, res, body)
      return true
    },
    sessions: () => 0,
    stopCalls: () => {
      for (const entry of open) entry.connection.stopAll()
    },
    close: async () => {
      await Promise.all([...open].map(closeQuietly))
    }
  }
}

/** Node's request as the SDK's adapter types it (a request a server received always has its method and URL). */
const nodeLike = (req: IncomingMessage) => req as IncomingMessage & { method: string; url: string }

/**
 * Both eras at one endpoint: a POST whose message carries the 2026-07-28 envelope goes to the SDK's per-request
 * handler, everything else (2025-era messages, and the session's GET and DELETE) to `legacy`.
 */
const withModernEra = <A extends HttpApp>(mcp: McpServer, legacy: A): A => {
  // The servers of requests being answered, so that shutdown can stop their calls.
  const open = new Set<Connection>()
  // Which request the SDK makes a server for: each request's own are closed when its response ends, however it
  // ends (the SDK may fail before it would close them itself).
  const request = new AsyncLocalStorage<{ readonly made: Array<Connection>; readonly principal: Principal }>()
  const modern = toNodeHandler(
    createMcpHandler(() => {
      // A 2026-07-28 request is a connection of its own: it can keep no undo journal.
      const store = request.getStore()
      const connection = mcp.make({ stateless: "per-request", ...(store ? { principal: store.principal } : {}) })
      open.add(connection)
      store?.made.push(connection)
      return connection.server
    }, { legacy: "reject" })
  )
  return {
    ...legacy,
    handle: async (req, res, url, body, principal) => {
      if (url.pathname !== "/mcp") return false
      if (req.method !== "POST" || (await isLegacyRequest(await toWebRequest(nodeLike(req), body), body))) {
        return legacy.handle(req, res, url, body, principal)
      }
      const made: Array<Connection> = []
      res.once("close", () => {
        for (const connection of made) {
          open.delete(connection)
          void connection.server.close().catch(() => undefined)
        }
      })
      await request.run({ made, principal }, () => modern(nodeLike(req), res, body))
      return true
    },
    stopCalls: () => {
      legacy.stopCalls()
      for (const connection of open) connection.stopAll()
    },
    close: async () => {
      await legacy.close()
      await Promise.allSettled([...open].map((connection) => connection.server.close()))
    }
  }
}

export const StreamableHttpTransportLive = makeHttpTransport("http", (mcp, config) =>
  Effect.gen(function*() {
    if (config.stateless) {
      yield* serveHttp(withModernEra(mcp, makeStatelessApp(mcp)))
      return yield* Effect.never
    }
    const app = withModernEra(mcp, makeStatefulApp(mcp, config.maxSessions))
    yield* serveHttp(app)
    const idleMillis = Duration.toMillis(config.sessionIdle)
    yield* Effect.promise(() => app.reap(idleMillis)).pipe(
      Effect.tap((closed) =>
        closed > 0
          ? Effect.logInfo("closed idle sessions").pipe(Effect.annotateLogs({ closed, open: app.sessions() }))
          : Effect.void
      ),
      Effect.repeat(Schedule.spaced(Duration.millis(Math.min(Math.max(idleMillis / 4, 50), 30_000)))),
      Effect.forkScoped
    )
    return yield* Effect.never
  }))
