/**
 * Streamable HTTP at `POST/GET/DELETE /mcp`, the current MCP transport, on the SDK's own
 * `StreamableHTTPServerTransport`. Stateful by default: a session (`Mcp-Session-Id`) per client, closed when idle for
 * `MCP_SESSION_IDLE_MS`. With `MCP_STATELESS=true` every POST gets its own transport and server and nothing is kept,
 * so replicas can sit behind any load balancer.
 */
import type { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js"
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js"
import { Duration, Effect, Schedule } from "effect"
import { randomUUID } from "node:crypto"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { McpServer } from "../McpServer.js"
import { type HttpApp, jsonRpcError, makeHttpTransport, serveHttp } from "./HttpHost.js"

interface Session {
  readonly transport: StreamableHTTPServerTransport
  readonly server: Server
  lastSeen: number
  /** Open GET event streams: a client listening is not idle. */
  streams: number
}

const closeQuietly = (session: { readonly transport: { close(): Promise<void> }; readonly server: Server }) =>
  Promise.allSettled([session.transport.close(), session.server.close()]).then(() => undefined)

const makeStatefulApp = (mcp: McpServer): HttpApp & { readonly reap: (idleMillis: number) => Promise<number> } => {
  const sessions = new Map<string, Session>()

  const open = async (req: IncomingMessage, res: ServerResponse, body: unknown) => {
    const server = mcp.make()
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, lastSeen: Date.now(), streams: 0 })
      }
    })
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId)
    }
    await server.connect(transport)
    await transport.handleRequest(req, res, body)
  }

  const handle: HttpApp["handle"] = async (req, res, url, body) => {
    if (url.pathname !== "/mcp") return false
    const id = req.headers["mcp-session-id"]
    const sessionId = Array.isArray(id) ? id[0] : id
    if (sessionId === undefined) {
      if (req.method === "POST" && isInitializeRequest(body)) await open(req, res, body)
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
    session.lastSeen = Date.now()
    if (req.method === "GET") {
      session.streams++
      res.on("close", () => {
        session.streams--
        session.lastSeen = Date.now()
      })
    }
    await session.transport.handleRequest(req, res, body)
    return true
  }

  const reap = async (idleMillis: number) => {
    const now = Date.now()
    const idle = [...sessions.entries()].filter(([, s]) => s.streams === 0 && now - s.lastSeen > idleMillis)
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
    close: async () => {
      const all = [...sessions.values()]
      sessions.clear()
      await Promise.all(all.map(closeQuietly))
    }
  }
}

const makeStatelessApp = (mcp: McpServer): HttpApp => {
  const open = new Set<{ transport: StreamableHTTPServerTransport; server: Server }>()
  return {
    name: "http",
    paths: ["/mcp"],
    handle: async (req, res, url, body) => {
      if (url.pathname !== "/mcp") return false
      if (req.method !== "POST") {
        // Nothing to stream or delete without sessions.
        jsonRpcError(res, 405, -32000, "Method not allowed: this server is stateless (MCP_STATELESS=true); use POST")
        return true
      }
      const entry = {
        server: mcp.make(),
        // No session id generator: stateless.
        transport: new StreamableHTTPServerTransport({ enableJsonResponse: true })
      }
      open.add(entry)
      res.on("close", () => {
        open.delete(entry)
        void closeQuietly(entry)
      })
      await entry.server.connect(entry.transport)
      await entry.transport.handleRequest(req, res, body)
      return true
    },
    sessions: () => 0,
    close: async () => {
      await Promise.all([...open].map(closeQuietly))
    }
  }
}

export const StreamableHttpTransportLive = makeHttpTransport("http", (mcp, config) =>
  Effect.gen(function*() {
    if (config.stateless) {
      yield* serveHttp(makeStatelessApp(mcp))
      return yield* Effect.never
    }
    const app = makeStatefulApp(mcp)
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
  })
)
