/**
 * The legacy HTTP+SSE transport (`GET /sse` event stream, `POST /messages?sessionId=…`), still used by some clients,
 * ChatGPT connectors among them, on the SDK's own `SSEServerTransport`. A session lives as long as its stream.
 */
import type { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js"
import { Effect } from "effect"
import type { McpServer } from "../McpServer.js"
import { type HttpApp, jsonRpcError, makeHttpTransport, serveHttp } from "./HttpHost.js"

const makeSseApp = (mcp: McpServer): HttpApp => {
  const sessions = new Map<string, { transport: SSEServerTransport; server: Server }>()
  return {
    name: "sse",
    paths: ["/sse"],
    handle: async (req, res, url, body) => {
      if (url.pathname === "/sse" && req.method === "GET") {
        const transport = new SSEServerTransport("/messages", res)
        const server = mcp.make()
        sessions.set(transport.sessionId, { transport, server })
        res.on("close", () => {
          sessions.delete(transport.sessionId)
          void server.close()
        })
        await server.connect(transport)
        return true
      }
      if (url.pathname === "/messages" && req.method === "POST") {
        const session = sessions.get(url.searchParams.get("sessionId") ?? "")
        if (session === undefined) {
          jsonRpcError(res, 404, -32001, "Session not found: open a new event stream at GET /sse")
        } else {
          await session.transport.handlePostMessage(req, res, body)
        }
        return true
      }
      return false
    },
    sessions: () => sessions.size,
    close: async () => {
      const all = [...sessions.values()]
      sessions.clear()
      await Promise.allSettled(all.flatMap(({ server, transport }) => [transport.close(), server.close()]))
    }
  }
}

export const SseTransportLive = makeHttpTransport(
  "sse",
  (mcp) => Effect.zipRight(serveHttp(makeSseApp(mcp)), Effect.never)
)
