/**
 * The networked transports, as the built server serves them on a loopback port: the SDK's Client over Streamable
 * HTTP and over SSE, and plain HTTP requests for the guards (key, Host, Origin, body size), health, stateless mode,
 * idle sessions and graceful shutdown.
 */
import { type CallToolResult, Client, SSEClientTransport, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { toolsFor } from "../../src/tools/Registry.js"
import { TOOLSETS } from "../../src/tools/Toolsets.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type FakeIntervals, startFakeIntervals } from "../fake/FakeIntervals.js"
import { API_KEY, ATHLETE_ID, POWER_RIDE_ID } from "../fake/Fixtures.js"
import {
  type HttpServerProcess,
  initializeBody,
  MCP_HEADERS,
  rawRequest,
  startHttpServer
} from "../support/HttpServerProcess.js"
import { rawSocket } from "../support/RawSocket.js"

const SERVER_KEY = "server-key-for-tests-6b1f0e2d9c"
const bearer = { authorization: `Bearer ${SERVER_KEY}` }

let fake: FakeIntervals
const started: Array<HttpServerProcess> = []

const start = async (env: Record<string, string> = {}) => {
  const server = await startHttpServer({
    API_KEY,
    ATHLETE_ID,
    INTERVALS_API_BASE_URL: fake.baseUrl,
    MCP_TRANSPORT: "http",
    MCP_SERVER_API_KEY: SERVER_KEY,
    // These tests make many refused requests on purpose; the budget of failures is tested in Hardening.test.ts.
    MCP_AUTH_FAILURES_PER_MINUTE: "1000",
    ...env
  })
  started.push(server)
  return server
}

const connect = async (transport: StreamableHTTPClientTransport | SSEClientTransport) => {
  const client = new Client({ name: "intervals-mcp-tests", version: "1.0.0" })
  await client.connect(transport)
  return client
}

beforeAll(async () => {
  fake = await startFakeIntervals()
})

afterAll(async () => {
  await Promise.all(started.map((server) => server.stop()))
  for (const server of started) {
    // Neither key ever reaches the logs, whatever happened in these tests.
    expect(server.stderr()).not.toContain(SERVER_KEY)
    expect(server.stderr()).not.toContain(API_KEY)
    expect(server.stdout()).not.toContain(SERVER_KEY)
  }
  await fake?.close()
})

describe("Streamable HTTP", () => {
  let server: HttpServerProcess
  beforeAll(async () => {
    server = await start()
  })

  it("serves the SDK client with the right key: list and call tools", async () => {
    const client = await connect(
      new StreamableHTTPClientTransport(new URL(`${server.origin}/mcp`), { requestInit: { headers: bearer } })
    )
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name)).toContain("get_activity_intervals")
    const result = (await client.callTool({
      name: "get_activity_details",
      arguments: { activity_id: POWER_RIDE_ID }
    })) as CallToolResult
    expect(result.isError).toBeFalsy()
    expect(result.structuredContent).toMatchObject({ id: POWER_RIDE_ID, normalized_watts: 228 })
    await client.close()
  })

  it("refuses a request without a key: 401 with WWW-Authenticate", async () => {
    const res = await rawRequest(`${server.origin}/mcp`, { method: "POST", headers: MCP_HEADERS, body: initializeBody })
    expect(res.status).toBe(401)
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer realm="intervals-mcp"/)
    expect(JSON.parse(res.body)).toMatchObject({ error: "unauthorized" })
  })

  it("refuses a wrong key: 401", async () => {
    const res = await rawRequest(`${server.origin}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, authorization: `Bearer ${SERVER_KEY}x` },
      body: initializeBody
    })
    expect(res.status).toBe(401)
    expect(res.headers["www-authenticate"]).toContain(`error="invalid_token"`)
  })

  it("does not accept the key in a query string: 401", async () => {
    for (const name of ["key", "api_key", "token", "access_token"]) {
      const res = await rawRequest(`${server.origin}/mcp?${name}=${SERVER_KEY}`, {
        method: "POST",
        headers: MCP_HEADERS,
        body: initializeBody
      })
      expect(res.status).toBe(401)
    }
  })

  it("refuses a foreign Host or Origin: 403 (DNS rebinding)", async () => {
    const host = await rawRequest(`${server.origin}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, ...bearer, host: `attacker.example:${server.port}` },
      body: initializeBody
    })
    expect(host.status).toBe(403)
    const origin = await rawRequest(`${server.origin}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, ...bearer, origin: "http://attacker.example" },
      body: initializeBody
    })
    expect(origin.status).toBe(403)
    const local = await rawRequest(`${server.origin}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, ...bearer, host: `localhost:${server.port}`, origin: `http://localhost:${server.port}` },
      body: initializeBody
    })
    expect(local.status).toBe(200)
    expect(local.headers["access-control-allow-origin"]).toBe(`http://localhost:${server.port}`)
  })

  it("answers 413 to a body over 1 MiB and a JSON-RPC parse error to malformed JSON", async () => {
    // The declared length is enough to refuse: the answer comes before a byte of the body is sent, and the
    // connection is closed. (Sending the body anyway races the close: a client may then see a reset instead.)
    const big = await rawSocket(Number(new URL(server.origin).port))
    big.write(
      `POST /mcp HTTP/1.1\r\nHost: ${new URL(server.origin).host}\r\nContent-Type: application/json\r\n` +
        `Accept: application/json, text/event-stream\r\nAuthorization: Bearer ${SERVER_KEY}\r\n` +
        `Content-Length: ${2 * 1024 * 1024}\r\n\r\n`
    )
    await big.closed
    expect(big.received()).toMatch(/^HTTP\/1\.1 413 /)
    const bad = await rawRequest(`${server.origin}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, ...bearer },
      body: "{\"jsonrpc\": \"2.0\", "
    })
    expect(bad.status).toBe(400)
    expect(JSON.parse(bad.body)).toMatchObject({ jsonrpc: "2.0", error: { code: -32700 }, id: null })
    // Still up.
    expect((await rawRequest(`${server.origin}/health`)).status).toBe(200)
  })

  it("answers /health without a key with only that it is up, and more with the key", async () => {
    const res = await rawRequest(`${server.origin}/health`)
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body)).toEqual({ status: "ok" })
    const keyed = await rawRequest(`${server.origin}/health`, { headers: bearer })
    const body = JSON.parse(keyed.body) as Record<string, unknown>
    expect(body).toMatchObject({ status: "ok", name: "intervals-mcp", transport: "http" })
    expect(typeof body["version"]).toBe("string")
    expect(typeof body["sessions"]).toBe("number")
    expect(keyed.body).not.toContain(API_KEY)
    expect(keyed.body).not.toContain(ATHLETE_ID)
  })

  it("answers an unknown session with 404, as the spec asks", async () => {
    const res = await rawRequest(`${server.origin}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, ...bearer, "mcp-session-id": "no-such-session" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" })
    })
    expect(res.status).toBe(404)
  })

  it("logs one line per request, with status and duration, and no secrets", async () => {
    await rawRequest(`${server.origin}/health`)
    expect(server.stderr()).toMatch(/message="http request" path=\/health status=200 method=GET ms=\d+/)
    expect(server.stderr()).toMatch(/message="http request" path=\/mcp status=401 method=POST/)
  })
})

describe("sessions", () => {
  it("closes a session left idle longer than MCP_SESSION_IDLE_MS", async () => {
    const server = await start({ MCP_SESSION_IDLE_MS: "300" })
    const init = await rawRequest(`${server.origin}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, ...bearer },
      body: initializeBody
    })
    const sessionId = init.headers["mcp-session-id"] as string
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/)
    expect(JSON.parse((await rawRequest(`${server.origin}/health`, { headers: bearer })).body).sessions).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(JSON.parse((await rawRequest(`${server.origin}/health`, { headers: bearer })).body).sessions).toBe(0)
    const later = await rawRequest(`${server.origin}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, ...bearer, "mcp-session-id": sessionId, "mcp-protocol-version": "2025-06-18" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" })
    })
    expect(later.status).toBe(404)
    expect(server.stderr()).toMatch(/closed idle sessions/)
  })

  it("serves two clients without session ids in stateless mode", async () => {
    const server = await start({ MCP_STATELESS: "true" })
    const clients = await Promise.all([1, 2].map(() =>
      connect(new StreamableHTTPClientTransport(new URL(`${server.origin}/mcp`), { requestInit: { headers: bearer } }))
    ))
    for (const client of clients) {
      expect((await client.listTools()).tools).toHaveLength(toolsFor("safe", TOOLSETS).length)
      const events = (await client.callTool({ name: "get_events", arguments: {} })) as CallToolResult
      expect(events.isError).toBeFalsy()
    }
    const raw = await rawRequest(`${server.origin}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, ...bearer },
      body: initializeBody
    })
    expect(raw.status).toBe(200)
    expect(raw.headers["mcp-session-id"]).toBeUndefined()
    expect(JSON.parse((await rawRequest(`${server.origin}/health`, { headers: bearer })).body).sessions).toBe(0)
    await Promise.all(clients.map((client) => client.close()))
  })

  it("keeps one undo journal per session, and says a stateless server keeps none", async () => {
    const server = await start()
    const open = () =>
      connect(new StreamableHTTPClientTransport(new URL(`${server.origin}/mcp`), { requestInit: { headers: bearer } }))
    const [mine, theirs] = await Promise.all([open(), open()])
    const note = { name: "Per session", description: "x", start_date: "2027-03-01" }
    expect(((await mine.callTool({ name: "add_or_update_note", arguments: note })) as CallToolResult).isError).toBeFalsy()
    const other = (await theirs.callTool({ name: "undo_last_write", arguments: {} })) as CallToolResult
    expect(other.structuredContent).toMatchObject({ undone: false })
    expect(fake.fixtures.events.some((e) => e.name === "Per session")).toBe(true)
    const own = (await mine.callTool({ name: "undo_last_write", arguments: {} })) as CallToolResult
    expect(own.structuredContent).toMatchObject({ undone: true })
    expect(fake.fixtures.events.some((e) => e.name === "Per session")).toBe(false)
    await Promise.all([mine.close(), theirs.close()])

    const stateless = await start({ MCP_STATELESS: "true" })
    const client = await connect(
      new StreamableHTTPClientTransport(new URL(`${stateless.origin}/mcp`), { requestInit: { headers: bearer } })
    )
    await client.callTool({ name: "add_or_update_note", arguments: { ...note, name: "Stateless" } })
    const none = (await client.callTool({ name: "undo_last_write", arguments: {} })) as CallToolResult
    expect(none.structuredContent).toMatchObject({ undone: false })
    expect((none.content[0] as { text: string }).text).toMatch(/stateless .*no journal/)
    expect(fake.fixtures.events.some((e) => e.name === "Stateless")).toBe(true)
    await client.close()
  })

  it("on SIGTERM lets the call in flight finish, closes sessions and exits 0", async () => {
    const server = await start()
    const client = await connect(
      new StreamableHTTPClientTransport(new URL(`${server.origin}/mcp`), { requestInit: { headers: bearer } })
    )
    fake.faults.push({ match: (r) => r.path.endsWith("/wellness"), times: 1, delayMs: 800 })
    const call = client.callTool({
      name: "get_wellness_data",
      arguments: { start_date: "2026-01-01", end_date: "2026-01-03" }
    }) as Promise<CallToolResult>
    await new Promise((resolve) => setTimeout(resolve, 300))
    const code = server.stop("SIGTERM")
    const result = await call
    expect(result.isError).toBeFalsy()
    expect(await code).toBe(0)
    expect(server.stderr()).toMatch(/shutting down/)
    expect(server.stderr()).toMatch(/message=stopped/)
  })
})

describe("legacy SSE", () => {
  it("serves the SDK's SSE client with the right key, and refuses it without", async () => {
    const server = await start({ MCP_TRANSPORT: "sse" })
    const client = await connect(
      new SSEClientTransport(new URL(`${server.origin}/sse`), {
        requestInit: { headers: bearer },
        eventSourceInit: {
          fetch: (url, init) => fetch(url, { ...init, headers: { ...(init?.headers as object), ...bearer } })
        }
      })
    )
    expect((await client.listTools()).tools).toHaveLength(toolsFor("safe", TOOLSETS).length)
    const result = (await client.callTool({ name: "get_event_by_id", arguments: { event_id: 50010 } })) as CallToolResult
    expect(result.structuredContent).toMatchObject({ category: "RACE_A" })
    expect(JSON.parse((await rawRequest(`${server.origin}/health`, { headers: bearer })).body)).toMatchObject({ transport: "sse", sessions: 1 })
    await client.close()

    const refused = await rawRequest(`${server.origin}/sse`)
    expect(refused.status).toBe(401)
    const post = await rawRequest(`${server.origin}/messages?sessionId=x`, { method: "POST", headers: MCP_HEADERS, body: "{}" })
    expect(post.status).toBe(401)
  })
})

describe("start-up", () => {
  it("refuses to listen beyond loopback without a key", async () => {
    const failed = startHttpServer({ API_KEY, MCP_TRANSPORT: "http", MCP_HOST: "0.0.0.0" })
    await expect(failed).rejects.toThrow(/exited with 1:\nintervals-mcp: MCP_HOST=0\.0\.0\.0 makes the server reachable/)
  })

  it("says which port is taken when it cannot listen", async () => {
    const first = await start()
    const second = startHttpServer({
      API_KEY,
      MCP_TRANSPORT: "http",
      MCP_SERVER_API_KEY: SERVER_KEY,
      MCP_PORT: String(first.port)
    })
    await expect(second).rejects.toThrow(/exited with 1:\nintervals-mcp: cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/)
  })
})
