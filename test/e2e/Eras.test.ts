/**
 * Both protocol eras on the built server: the SDK v2 `Client` speaking 2025-11-25 (the `initialize` handshake) and
 * 2026-07-28 (no handshake, the `_meta` envelope on every request), pinned and negotiated, over stdio and Streamable
 * HTTP; the same tools answering the same content in both; the cache hints of 2026-07-28 lists; the key required in
 * both; and a raw `curl` of a 2026-07-28 `tools/call`, as the README shows it.
 */
import { type CallToolResult, Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type FakeIntervals, startFakeIntervals } from "../fake/FakeIntervals.js"
import { addDays, API_KEY, ATHLETE_ID, POWER_RIDE_ID } from "../fake/Fixtures.js"
import { type HttpServerProcess, MCP_HEADERS, rawRequest, startHttpServer } from "../support/HttpServerProcess.js"
import { clientFor, type Connected, connectStdio, type Era } from "../support/StdioServer.js"

const SERVER_KEY = "server-key-for-era-tests-0a9b8c7d6e5f"
const bearer = { authorization: `Bearer ${SERVER_KEY}` }
const MODERN = "2026-07-28"

let fake: FakeIntervals
let http: HttpServerProcess
const stdio = new Map<Era, Connected>()

beforeAll(async () => {
  fake = await startFakeIntervals()
  const env = { API_KEY, ATHLETE_ID, INTERVALS_API_BASE_URL: fake.baseUrl }
  for (const era of ["2025", MODERN, "auto"] as const) stdio.set(era, await connectStdio(env, [], era))
  http = await startHttpServer({ ...env, MCP_TRANSPORT: "http", MCP_SERVER_API_KEY: SERVER_KEY })
})
afterAll(async () => {
  await Promise.all([...stdio.values()].map((c) => c.close()))
  await http?.stop()
  await fake?.close()
})

const connectHttp = async (era: Era) => {
  const client = clientFor(era)
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${http.origin}/mcp`), { requestInit: { headers: bearer } })
  )
  return client
}

/** Reads whose answers depend only on the fake's data, each with arguments that open real records. */
const reads = (): ReadonlyArray<[string, Record<string, unknown>]> => {
  const today = fake.fixtures.today
  return [
    ["get_activities", { start_date: addDays(today, -29), end_date: today, limit: 5 }],
    ["get_activity_details", { activity_id: POWER_RIDE_ID }],
    ["get_activity_intervals", { activity_id: POWER_RIDE_ID }],
    ["get_wellness_data", { start_date: addDays(today, -6), end_date: today }],
    ["get_events", { start_date: today, end_date: addDays(today, 14) }],
    ["get_athlete_profile", {}],
    ["get_fitness", { start_date: addDays(today, -13), end_date: today }],
    ["validate_workout", { text: "- 10m 60%\n\n3x\n- 5m 105%\n- 3m 55%\n\n- 10m 50%", workout_type: "Ride" }]
  ]
}

const answer = async (client: Client, name: string, args: Record<string, unknown>) => {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult
  expect(result.isError, `${name}: ${JSON.stringify(result.content).slice(0, 300)}`).toBeFalsy()
  return { content: result.content, structuredContent: result.structuredContent }
}

describe("stdio", () => {
  it("negotiates 2026-07-28 when pinned or asked to, and the 2025 handshake otherwise", () => {
    expect(stdio.get("2025")!.client.getProtocolEra()).toBe("legacy")
    expect(stdio.get(MODERN)!.client.getProtocolEra()).toBe("modern")
    expect(stdio.get("auto")!.client.getProtocolEra()).toBe("modern")
  })

  it("lists the same tools, with the same instructions, in both eras", async () => {
    const [legacy, modern] = await Promise.all(
      ["2025", MODERN].map((era) => stdio.get(era as Era)!.client.listTools())
    )
    expect(modern!.tools).toEqual(legacy!.tools)
    expect(stdio.get(MODERN)!.client.getInstructions()).toBe(stdio.get("2025")!.client.getInstructions())
  })

  it("answers every tool with the same content in both eras", async () => {
    for (const [name, args] of reads()) {
      const legacy = await answer(stdio.get("2025")!.client, name, args)
      const modern = await answer(stdio.get(MODERN)!.client, name, args)
      expect(modern, name).toEqual(legacy)
    }
  })

  it("keeps a journal for a 2026-07-28 connection too: a write and its undo", async () => {
    const client = stdio.get(MODERN)!.client
    const note = { name: "Era note", description: "x", start_date: addDays(fake.fixtures.today, 30) }
    const created = await answer(client, "add_or_update_note", note)
    expect(fake.fixtures.events.some((e) => e.name === "Era note")).toBe(true)
    const undone = await answer(client, "undo_last_write", {})
    expect(undone.structuredContent).toMatchObject({ undone: true })
    const id = (created.structuredContent as { event: { id: number | string } }).event.id
    expect(fake.fixtures.events.some((e) => String(e.id) === String(id)))
      .toBe(false)
  })
})

describe("Streamable HTTP", () => {
  it("serves 2026-07-28 without a session, and 2025 with one, at the same endpoint", async () => {
    const modern = await connectHttp(MODERN)
    const negotiated = await connectHttp("auto")
    const legacy = await connectHttp("2025")
    expect(modern.getProtocolEra()).toBe("modern")
    expect(negotiated.getProtocolEra()).toBe("modern")
    expect(legacy.getProtocolEra()).toBe("legacy")
    const [a, b] = await Promise.all([modern.listTools(), legacy.listTools()])
    expect(a.tools).toEqual(b.tools)
    for (const [name, args] of reads()) {
      expect(await answer(modern, name, args), name).toEqual(await answer(legacy, name, args))
    }
    // Only the 2025 client holds a session.
    const health = JSON.parse((await rawRequest(`${http.origin}/health`, { headers: bearer })).body)
    expect(health.sessions).toBe(1)
    await Promise.all([modern.close(), negotiated.close(), legacy.close()])
  })

  it("says a 2026-07-28 request keeps no undo journal", async () => {
    const modern = await connectHttp(MODERN)
    const undone = await answer(modern, "undo_last_write", {})
    expect(undone.structuredContent).toMatchObject({ undone: false })
    expect((undone.structuredContent as { result: string }).result).toMatch(/a 2026-07-28 request over HTTP carries no session/)
    await modern.close()
  })

  const modernPost = (method: string, params: Record<string, unknown>, headers: Record<string, string> = bearer) =>
    rawRequest(`${http.origin}/mcp`, {
      method: "POST",
      headers: {
        ...MCP_HEADERS,
        ...headers,
        "mcp-protocol-version": MODERN,
        "mcp-method": method,
        ...(typeof params["name"] === "string" ? { "mcp-name": params["name"] } : {}),
        ...(typeof params["uri"] === "string" ? { "mcp-name": params["uri"] } : {})
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 7,
        method,
        params: {
          ...params,
          _meta: {
            "io.modelcontextprotocol/protocolVersion": MODERN,
            "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" }
          }
        }
      })
    })

  it("answers server/discover with its capabilities and instructions, and lists with private cache hints", async () => {
    const discover = JSON.parse((await modernPost("server/discover", {})).body)
    expect(discover.result).toMatchObject({
      supportedVersions: expect.arrayContaining([MODERN]),
      capabilities: { tools: { listChanged: false } },
      instructions: expect.stringContaining("Intervals.icu"),
      resultType: "complete",
      cacheScope: "private"
    })
    const list = JSON.parse((await modernPost("tools/list", {})).body)
    expect(list.result).toMatchObject({ resultType: "complete", ttlMs: 600_000, cacheScope: "private" })
    expect(list.result.tools.length).toBeGreaterThan(20)
  })

  it("hints how long a read may be kept to 2026-07-28 clients only", async () => {
    const modern = JSON.parse((await modernPost("resources/read", { uri: "intervals://athlete/profile" })).body)
    expect(modern.result).toMatchObject({ ttlMs: 3_600_000, cacheScope: "private", resultType: "complete" })
    const legacy = await connectHttp("2025")
    const read = (await legacy.readResource({ uri: "intervals://athlete/profile" })) as Record<string, unknown>
    expect(read["ttlMs"]).toBeUndefined()
    expect(read["cacheScope"]).toBeUndefined()
    await legacy.close()
  })

  it("refuses a 2026-07-28 request without the server key, as a 2025 one", async () => {
    const refused = await modernPost("tools/list", {}, {})
    expect(refused.status).toBe(401)
    expect(refused.headers["www-authenticate"]).toMatch(/^Bearer/)
  })

  it("answers the README's curl of a 2026-07-28 tools/call", async () => {
    const { stdout } = await promisify(execFile)("curl", [
      "-s",
      `${http.origin}/mcp`,
      "-H", `Authorization: Bearer ${SERVER_KEY}`,
      "-H", "Content-Type: application/json",
      "-H", "Accept: application/json, text/event-stream",
      "-H", `MCP-Protocol-Version: ${MODERN}`,
      "-H", "Mcp-Method: tools/call",
      "-H", "Mcp-Name: get_athlete_profile",
      "-d",
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: {
          name: "get_athlete_profile",
          arguments: {},
          _meta: {
            "io.modelcontextprotocol/protocolVersion": MODERN,
            "io.modelcontextprotocol/clientCapabilities": {}
          }
        }
      })
    ])
    const answered = JSON.parse(stdout)
    expect(answered.result.resultType).toBe("complete")
    expect(answered.result.content[0].text).toMatch(/FTP/)
    expect(answered.result._meta["io.modelcontextprotocol/serverInfo"].name).toBe("intervals-mcp")
  })
})
