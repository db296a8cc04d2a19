/**
 * The legacy HTTP+SSE transport (`GET /sse` event stream, `POST /messages?sessionId=…`), still used by some clients,
 * ChatGPT connectors among them, on the SDK's frozen v1 `SSEServerTransport` (`@modelcontextprotocol/server-legacy`:
 * the v2 server serves only Streamable HTTP). Only 2025-era clients speak it. A session lives as long as its stream, and
 * there are at most `MCP_MAX_SESSIONS` of them (a stream is never idle, so a new one beyond that is refused with 503).
 */
import { SSEServerTransport } from "@modelcontextprotocol/server-legacy/sse"
import * as Effect from "effect/Effect"
import type { Connection, McpServer } from "../McpServer.js"
import { principalKey } from "../services/ServerAuth.js"
import { type HttpApp, jsonRpcError, makeHttpTransport, serveHttp } from "./HttpHost.js"

const makeSseApp = (mcp: McpServer, maxSessions: number): HttpApp => {
  const sessions = new Map<string, { transport: SSEServerTransport; connection: Connection; owner: string }>()
  return {
    name: "sse",
    paths: ["/sse"],
    handle: async (req, res, url, body, principal) => {
      if (url.pathname === "/sse" && req.method === "GET") {
        if (sessions.size >= maxSessions) {
          res.setHeader("retry-after", "5")
          jsonRpcError(res, 503, -32000, `This server holds its maximum of ${maxSessions} sessions (MCP_MAX_SESSIONS); try again in 5 s`)
          return true
        }
        const transport = new SSEServerTransport("/messages", res)
        const connection = mcp.make({ principal })
        sessions.set(transport.sessionId, { transport, connection, owner: principalKey(principal) })
        res.on("close", () => {
          sessions.delete(transport.sessionId)
          void connection.server.close()
        })
        await connection.connect(transport)
        return true
      }
      if (url.pathname === "/messages" && req.method === "POST") {
        const session = sessions.get(url.searchParams.get("sessionId") ?? "")
        if (session === undefined) {
          jsonRpcError(res, 404, -32001, "Session not found: open a new event stream at GET /sse")
        } else if (session.owner !== principalKey(principal)) {
          jsonRpcError(res, 403, -32001, "This session was opened with other credentials; open a stream of your own")
        } else if (Array.isArray(body)) {
          // The SDK's SSE transport reads one message per POST (a batch came back as "[object Object]").
          jsonRpcError(res, 400, -32600, "Invalid Request: the SSE transport takes one message per POST, not a batch")
        } else {
          await session.transport.handlePostMessage(req, res, body)
        }
        return true
      }
      return false
    },
    sessions: () => sessions.size,
    stopCalls: () => {
      for (const { connection } of sessions.values()) connection.stopAll()
    },
    close: async () => {
      const all = [...sessions.values()]
      sessions.clear()
      await Promise.allSettled(all.flatMap(({ connection, transport }) => [transport.close(), connection.server.close()]))
    }
  }
}

export const SseTransportLive = makeHttpTransport(
  "sse",
  (mcp, config) => Effect.zipRight(serveHttp(makeSseApp(mcp, config.maxSessions)), Effect.never)
)
