import { type CallToolResult, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, expect, it } from "vitest"
import { type FakeIntervals, startFakeIntervals } from "../fake/FakeIntervals.js"
import { addDays, API_KEY, ATHLETE_ID, localToday, TIMEZONE } from "../fake/Fixtures.js"
import { clientFor } from "../support/StdioServer.js"
import { startHttpServer } from "../support/HttpServerProcess.js"

let fake: FakeIntervals
beforeAll(async () => {
  fake = await startFakeIntervals()
})
afterAll(async () => {
  await fake?.close()
})
const KEY = "attack-server-key-0123456789abcdef"

it("explore", async () => {
  const http = await startHttpServer({ API_KEY, ATHLETE_ID, INTERVALS_API_BASE_URL: fake.baseUrl, INTERVALS_CACHE: "off", MCP_TRANSPORT: "http", MCP_SERVER_API_KEY: KEY })
  for (const era of ["2026-07-28", "2025"] as const) {
  const client = clientFor(era, { elicitation: { form: {} } })
  const logFetch = async (url: any, init: any) => {
    console.log("REQ", init?.method, JSON.stringify(init?.headers), String(init?.body).slice(0, 600))
    const res = await fetch(url, init)
    console.log("RES", res.status, JSON.stringify([...res.headers]))
    return res
  }
  await client.connect(new StreamableHTTPClientTransport(new URL(`${http.origin}/mcp`), { requestInit: { headers: { authorization: `Bearer ${KEY}` } }, fetch: logFetch as any }))
  client.setRequestHandler("elicitation/create", () => ({ action: "accept", content: { confirm: true } }))
  const created = (await client.callTool({ name: "add_or_update_event", arguments: { name: "X", workout_type: "Ride", start_date: addDays(localToday(TIMEZONE), 2), description: "- 45m 65%" } })) as CallToolResult
  const id = (created.structuredContent as any).event.id
  const r = await client.callTool({ name: "delete_event", arguments: { event_id: id } })
  console.log(JSON.stringify(r))
  await client.close()
  }
  await http.stop()
})
