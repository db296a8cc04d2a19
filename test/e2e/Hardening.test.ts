/**
 * The built server attacked from outside over loopback, as a hostile client or a misbehaving Intervals.icu would:
 * unbounded sessions, huge upstream bodies, trickled requests, a hanging endpoint, shutdown with calls in flight,
 * safe mode's past, shared reads cancelled by one caller, malformed write answers, loose payloads, oversized and
 * nested arguments, odd dates and ids, and the HTTP edge. Each case failed before the hardening it checks.
 */
import { type CallToolResult, Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { spawn } from "node:child_process"
import { request as httpRequest } from "node:http"
import { readFileSync } from "node:fs"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type FakeIntervals, startFakeIntervals } from "../fake/FakeIntervals.js"
import { addDays, API_KEY, ATHLETE_ID, localToday, TIMEZONE } from "../fake/Fixtures.js"
import { type HttpServerProcess, initializeBody, MCP_HEADERS, rawRequest, startHttpServer } from "../support/HttpServerProcess.js"
import { eventually, rawSocket, sleep } from "../support/RawSocket.js"
import { type Connected, connectStdio, ENTRY, textOf } from "../support/StdioServer.js"

const SERVER_KEY = "hardening-server-key-0123456789abcdef"
const bearer = { authorization: `Bearer ${SERVER_KEY}` }
/** The Node flags the container runs with, read from the Dockerfile, so that these tests follow them. */
const CONTAINER_NODE_OPTIONS = /NODE_OPTIONS="([^"]*)"/.exec(readFileSync(new URL("../../Dockerfile", import.meta.url), "utf8"))![1]!

let fake: FakeIntervals
const started: Array<HttpServerProcess> = []

beforeAll(async () => {
  fake = await startFakeIntervals()
})
afterAll(async () => {
  await Promise.all(started.map((server) => server.stop("SIGKILL")))
  await fake?.close()
})
beforeEach(() => {
  fake.requests.length = 0
  fake.faults.length = 0
})

const start = async (env: Record<string, string> = {}) => {
  const server = await startHttpServer({
    API_KEY,
    ATHLETE_ID,
    INTERVALS_API_BASE_URL: fake.baseUrl,
    MCP_TRANSPORT: "http",
    MCP_SERVER_API_KEY: SERVER_KEY,
    ...env
  })
  started.push(server)
  return server
}

const client = async (server: HttpServerProcess) => {
  const c = new Client({ name: "hardening", version: "1" })
  await c.connect(new StreamableHTTPClientTransport(new URL(`${server.origin}/mcp`), { requestInit: { headers: bearer } }))
  return c
}

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024

const health = async (server: HttpServerProcess) =>
  JSON.parse((await rawRequest(`${server.origin}/health`, { headers: bearer })).body) as { sessions: number }

/** Opens a session with a raw initialize and returns its id (the session is never closed). */
const initialize = async (server: HttpServerProcess) => {
  const res = await fetch(`${server.origin}/mcp`, { method: "POST", headers: { ...MCP_HEADERS, ...bearer }, body: initializeBody })
  await res.text()
  return { status: res.status, session: res.headers.get("mcp-session-id"), retryAfter: res.headers.get("retry-after") }
}

const call = (c: Client, name: string, args: Record<string, unknown> = {}, signal?: AbortSignal) =>
  c.callTool({ name, arguments: args }, signal ? { signal } : {}) as Promise<CallToolResult>

describe("sessions are bounded", () => {
  it("survives far more initializes than MCP_MAX_SESSIONS under the container's Node flags", async () => {
    const server = await start({ NODE_OPTIONS: CONTAINER_NODE_OPTIONS, MCP_MAX_SESSIONS: "100" })
    const before = rssMiB(server.child.pid!)
    let opened = 0
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (opened < 2000) {
        opened++
        const { status } = await initialize(server)
        expect(status).toBe(200)
      }
    }))
    expect(server.child.exitCode).toBeNull()
    const held = (await health(server)).sessions
    const after = rssMiB(server.child.pid!)
    console.log(`sessions: 2000 initializes, ${held} sessions held (cap 100); RSS ${before.toFixed(1)} → ${after.toFixed(1)} MiB`)
    expect(held).toBeLessThanOrEqual(100)
    expect(after - before).toBeLessThan(60)
    const c = await client(server)
    expect((await call(c, "get_gear_list")).isError).toBeFalsy()
    await c.close()
  }, 120_000)

  it("refuses a new session with 503 and Retry-After when every session is busy", async () => {
    const server = await start({ MCP_MAX_SESSIONS: "2" })
    const streams: Array<() => void> = []
    for (let i = 0; i < 2; i++) {
      const { session } = await initialize(server)
      // A listening client is busy: its GET stream stays open.
      const req = httpRequest(`${server.origin}/mcp`, {
        headers: { ...bearer, accept: "text/event-stream", "mcp-session-id": session!, "mcp-protocol-version": "2025-06-18" }
      })
      req.end()
      streams.push(() => req.destroy())
    }
    await sleep(200)
    const refused = await initialize(server)
    expect(refused.status).toBe(503)
    expect(refused.retryAfter).toBe("5")
    for (const close of streams) close()
    await sleep(200)
    // Idle again: the least recently used session makes room.
    expect((await initialize(server)).status).toBe(200)
  })
})

describe("upstream bodies and answers are bounded", () => {
  it("stops reading a 50 MB answer at the limit and says so, without the memory to hold it", async () => {
    const server = await start({ NODE_OPTIONS: CONTAINER_NODE_OPTIONS, INTERVALS_MAX_RESPONSE_BYTES: "2097152" })
    const before = rssMiB(server.child.pid!)
    const huge = `[${Array.from({ length: 2500 }, () => JSON.stringify({ id: "b1", name: "x".repeat(20_000) })).join(",")}]`
    fake.faults.push({ match: (r) => r.path.endsWith("/gear"), status: 200, body: huge })
    const c = await client(server)
    const result = await call(c, "get_gear_list")
    expect(result.isError).toBe(true)
    expect(textOf(result)).toMatch(/larger than the 2 MiB this server reads \(INTERVALS_MAX_RESPONSE_BYTES\)/)
    expect(JSON.stringify(result).length).toBeLessThan(2000)
    const after = rssMiB(server.child.pid!)
    console.log(`huge body: ${(huge.length / 1e6).toFixed(1)} MB answer refused in ${JSON.stringify(result).length} characters; RSS ${before.toFixed(1)} → ${after.toFixed(1)} MiB`)
    expect(after - before).toBeLessThan(40)
    await c.close()
  })

  it("never sends an answer over MCP_MAX_ANSWER_CHARS, and says what was cut and how to ask for less", async () => {
    // The lowest limit allowed, under what 32 days take as a table, so that both the text and the days are cut.
    const server = await start({ MCP_MAX_ANSWER_CHARS: "2000" })
    const c = await client(server)
    const today = localToday(TIMEZONE)
    const list = await call(c, "get_wellness_data", { start_date: addDays(today, -40), end_date: today })
    const text = textOf(list)
    expect(list.isError).toBeFalsy()
    expect(text.length).toBeLessThanOrEqual(2000)
    expect(JSON.stringify(list.structuredContent).length).toBeLessThanOrEqual(2000)
    expect(text).toMatch(/\[Cut to fit this server's limit of 2,000 characters \(MCP_MAX_ANSWER_CHARS\): the text .*; days kept \d+ of 32\. Ask for less/)
    const days = (list.structuredContent as { days: Array<{ date: string }> }).days
    expect(days.length).toBeGreaterThan(0)
    expect(days.length).toBeLessThan(32)
    await c.close()
  })
})

describe("nothing waits forever on the way in", () => {
  it("closes a connection whose headers trickle in, and one whose body does", async () => {
    const server = await start({ MCP_HEADERS_TIMEOUT_MS: "800", MCP_REQUEST_TIMEOUT_MS: "1500" })
    const headers = await rawSocket(server.port)
    headers.write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    const body = await rawSocket(server.port)
    body.write(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${SERVER_KEY}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{`)
    const trickle = setInterval(() => {
      headers.write("X-Slow: a\r\n")
      body.write(" ")
    }, 200)
    try {
      expect(await eventually(() => headers.isClosed() && body.isClosed(), 10_000)).toBe(true)
      expect(headers.received()).toMatch(/^HTTP\/1.1 408/)
    } finally {
      clearInterval(trickle)
    }
  })

  it("keeps a long event stream open past the request timeout", async () => {
    const server = await start({ MCP_HEADERS_TIMEOUT_MS: "500", MCP_REQUEST_TIMEOUT_MS: "800" })
    const { session } = await initialize(server)
    let ended = false
    const req = httpRequest(`${server.origin}/mcp`, {
      headers: { ...bearer, accept: "text/event-stream", "mcp-session-id": session!, "mcp-protocol-version": "2025-06-18" }
    }, (res) => {
      res.on("data", () => undefined)
      res.on("end", () => (ended = true))
    })
    req.on("error", () => undefined)
    req.end()
    await sleep(2500)
    expect(ended).toBe(false)
    req.destroy()
  })

  it("does not read the body of a refused request", async () => {
    const server = await start()
    const socket = await rawSocket(server.port)
    socket.write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 209715200\r\n\r\n")
    const chunk = Buffer.alloc(64 * 1024, 32)
    let sent = 0
    while (!socket.isClosed() && sent < 200 * 1024 * 1024) {
      if (!socket.write(chunk)) await Promise.race([new Promise((r) => socket.socket.once("drain", r)), socket.closed, sleep(1000)])
      sent += chunk.length
    }
    expect(socket.received()).toMatch(/^HTTP\/1.1 401/)
    expect(sent).toBeLessThan(32 * 1024 * 1024)
  })

  it("caps the connections one address may hold", async () => {
    const server = await start({ MCP_MAX_CONNECTIONS_PER_CLIENT: "3" })
    const sockets = await Promise.all([1, 2, 3, 4].map(() => rawSocket(server.port)))
    expect(await eventually(() => sockets[3]!.isClosed(), 3000)).toBe(true)
    expect(sockets[3]!.received()).toMatch(/^HTTP\/1.1 503 .*\r\nRetry-After: 5/s)
    expect(sockets.slice(0, 3).some((s) => s.isClosed())).toBe(false)
    for (const s of sockets) s.socket.destroy()
  })
})

describe("a hanging endpoint holds only its own share", () => {
  it("answers a healthy endpoint while fifty calls wait on a slow one", async () => {
    const server = await start({ INTERVALS_REQUEST_TIMEOUT_MS: "20000", INTERVALS_DEADLINE_MS: "25000" })
    fake.faults.push({ match: (r) => r.path.endsWith("/wellness"), delayMs: 15_000 })
    const c = await client(server)
    let settled = 0
    const slow = Array.from({ length: 50 }, (_, i) =>
      call(c, "get_wellness_data", { start_date: "2025-01-01", end_date: addDays("2025-01-01", i) }).finally(() => settled++)
    )
    expect(await eventually(() => fake.requests.filter((r) => r.path.endsWith("/wellness")).length >= 4, 5000)).toBe(true)
    const asked = Date.now()
    const gear = await call(c, "get_gear_list")
    console.log(`slow endpoint: get_gear_list answered in ${Date.now() - asked} ms while 50 calls waited on a 15 s endpoint`)
    expect(gear.isError).toBeFalsy()
    expect(settled).toBe(0)
    // Only a few slow requests hold connections; the rest wait their turn without one.
    expect(fake.requests.filter((r) => r.path.endsWith("/wellness")).length).toBeLessThanOrEqual(4)
    void Promise.allSettled(slow)
    await server.stop("SIGKILL")
  }, 30_000)
})

describe("shutdown keeps to its grace", () => {
  it("stops a call still in flight after MCP_SHUTDOWN_GRACE_MS, answering it, and exits", async () => {
    const server = await start({ MCP_SHUTDOWN_GRACE_MS: "1000" })
    fake.faults.push({ match: (r) => r.path.endsWith("/wellness"), delayMs: 30_000 })
    const c = await client(server)
    const pending = call(c, "get_wellness_data", { start_date: "2025-02-01", end_date: "2025-02-03" })
    expect(await eventually(() => fake.requests.some((r) => r.path.endsWith("/wellness")), 3000)).toBe(true)
    const stoppedAt = Date.now()
    const code = server.stop("SIGTERM")
    const result = await pending
    expect(result.isError).toBe(true)
    expect(textOf(result)).toMatch(/stopped because the server is shutting down/)
    expect(await code).toBe(0)
    console.log(`shutdown: exited ${Date.now() - stoppedAt} ms after SIGTERM with a call in flight (grace 1000 ms)`)
    // Well before the upstream would have answered (30 s): within the grace and about a second.
    expect(Date.now() - stoppedAt).toBeLessThan(10_000)
    expect(server.stderr()).toMatch(/stopping 1 request\(s\) still in flight after the grace/)
  }, 30_000)

  it("does not hang after a cancelled call", async () => {
    const server = await start({ MCP_SHUTDOWN_GRACE_MS: "1000" })
    fake.faults.push({ match: (r) => r.path.endsWith("/wellness"), delayMs: 30_000 })
    const c = await client(server)
    const controller = new AbortController()
    const pending = call(c, "get_wellness_data", { start_date: "2025-03-01", end_date: "2025-03-03" }, controller.signal)
    expect(await eventually(() => fake.requests.some((r) => r.path.endsWith("/wellness")), 3000)).toBe(true)
    controller.abort()
    await expect(pending).rejects.toThrow()
    await sleep(200)
    expect(await server.stop("SIGTERM")).toBe(0)
  }, 30_000)

  it("over stdio, says so when its client goes away with a call in flight (SIGTERM gets the grace: below)", async () => {
    fake.faults.push({ match: (r) => r.path.endsWith("/wellness"), delayMs: 30_000 })
    const child = spawn(process.execPath, [ENTRY], {
      env: { PATH: process.env["PATH"], MCP_TOOLSETS: "all", API_KEY, ATHLETE_ID, INTERVALS_API_BASE_URL: fake.baseUrl },
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stderr = ""
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve))
    child.stdin!.write(initializeBody + "\n")
    child.stdin!.write(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) + "\n")
    child.stdin!.write(JSON.stringify({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "get_wellness_data", arguments: { start_date: "2025-04-01", end_date: "2025-04-02" } }
    }) + "\n")
    expect(await eventually(() => fake.requests.some((r) => r.path.endsWith("/wellness")), 5000)).toBe(true)
    child.stdin!.end()
    await exited
    expect(stderr).toMatch(/stopping with 1 call\(s\) in flight; they get no answer/)
  }, 30_000)
})

describe("safe mode has no loophole", () => {
  let server: Connected
  beforeAll(async () => {
    server = await connectStdio({ API_KEY, ATHLETE_ID, INTERVALS_API_BASE_URL: fake.baseUrl })
  })
  afterAll(async () => {
    await server?.close()
  })
  const tool = async (name: string, args: Record<string, unknown>) =>
    (await server.client.callTool({ name, arguments: args })) as CallToolResult

  it("neither changes a past event nor moves one out of the past, so it cannot be deleted after", async () => {
    const today = localToday(TIMEZONE)
    fake.fixtures.events.push(
      { id: 61, start_date_local: `${addDays(today, -5)}T00:00:00`, category: "WORKOUT", type: "Ride", name: "Past ride" },
      { id: 62, start_date_local: `${addDays(today, -3)}T00:00:00`, category: "NOTE", name: "Past note" },
      { id: 63, start_date_local: `${addDays(today, 3)}T00:00:00`, category: "WORKOUT", type: "Run", name: "Future run" }
    )
    const moved = await tool("add_or_update_event", { event_id: 61, start_date: addDays(today, 10) })
    expect(moved.isError).toBe(true)
    expect(textOf(moved)).toMatch(/^Not changed: event 61 .* before today .* never changes, moves or deletes/)
    const note = await tool("add_or_update_note", { event_id: 62, description: "rewritten" })
    expect(textOf(note)).toMatch(/^Not changed: event 62/)
    const intoThePast = await tool("add_or_update_event", { event_id: 63, start_date: addDays(today, -1) })
    expect(textOf(intoThePast)).toMatch(/^Not changed: moving event 63 .* would put it before today/)
    expect(fake.requests.filter((r) => r.method !== "GET")).toHaveLength(0)
    expect((await tool("delete_event", { event_id: 61 })).isError).toBe(true)
    // A future event may still be changed.
    expect((await tool("add_or_update_event", { event_id: 63, name: "Future run, longer" })).isError).toBeFalsy()
  })
})

describe("cancelling a call cancels only that call", () => {
  it("leaves the other caller of a shared read its answer", async () => {
    const server = await start()
    fake.faults.push({ match: (r) => r.path.endsWith("/wellness"), delayMs: 1500, times: 1 })
    const [a, b] = await Promise.all([client(server), client(server)])
    const args = { start_date: "2025-05-01", end_date: "2025-05-07" }
    const controller = new AbortController()
    const first = call(a, "get_wellness_data", args, controller.signal)
    const second = call(b, "get_wellness_data", args)
    await sleep(400)
    controller.abort()
    await expect(first).rejects.toThrow()
    const answer = await second
    expect(answer.isError, textOf(answer)).toBeFalsy()
    expect(fake.requests.filter((r) => r.path.endsWith("/wellness"))).toHaveLength(1)
    await Promise.all([a.close(), b.close()])
  })

  it("closes a cancelled call's response stream, and stops the retries of a client that went away", async () => {
    const server = await start()
    const { session } = await initialize(server)
    const headers = { ...MCP_HEADERS, ...bearer, "mcp-session-id": session!, "mcp-protocol-version": "2025-06-18" }
    await rawRequest(`${server.origin}/mcp`, { method: "POST", headers, body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) })
    fake.faults.push({ match: (r) => r.path.endsWith("/wellness"), delayMs: 20_000 })
    let ended = false
    const post = httpRequest(`${server.origin}/mcp`, { method: "POST", headers }, (res) => {
      res.on("data", () => undefined)
      res.on("end", () => (ended = true))
    })
    post.on("error", () => undefined)
    post.end(JSON.stringify({
      jsonrpc: "2.0",
      id: 7,
      method: "tools/call",
      params: { name: "get_wellness_data", arguments: { start_date: "2025-06-01", end_date: "2025-06-02" } }
    }))
    expect(await eventually(() => fake.requests.some((r) => r.path.endsWith("/wellness")), 3000)).toBe(true)
    await rawRequest(`${server.origin}/mcp`, {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 7, reason: "no" } })
    })
    expect(await eventually(() => ended, 3000)).toBe(true)

    // A client that disconnects mid-call: its call is not retried for it.
    fake.faults.length = 0
    fake.faults.push({ match: (r) => r.path.endsWith("/gear"), status: 503 })
    const gone = httpRequest(`${server.origin}/mcp`, { method: "POST", headers }, () => undefined)
    gone.on("error", () => undefined)
    gone.end(JSON.stringify({ jsonrpc: "2.0", id: 8, method: "tools/call", params: { name: "get_gear_list", arguments: {} } }))
    expect(await eventually(() => fake.requests.some((r) => r.path.endsWith("/gear")), 3000)).toBe(true)
    gone.destroy()
    await sleep(3000)
    expect(fake.requests.filter((r) => r.path.endsWith("/gear")).length).toBeLessThanOrEqual(2)
  }, 30_000)
})

describe("answers from a misbehaving upstream", () => {
  let server: Connected
  beforeAll(async () => {
    // No cache: each call here must meet the fault set for it.
    server = await connectStdio({
      API_KEY,
      ATHLETE_ID,
      INTERVALS_API_BASE_URL: fake.baseUrl,
      INTERVALS_WRITE_MODE: "full",
      INTERVALS_CACHE: "off"
    })
  })
  afterAll(async () => {
    await server?.close()
  })
  const tool = async (name: string, args: Record<string, unknown> = {}) =>
    (await server.client.callTool({ name, arguments: args })) as CallToolResult

  it("says a write answered with a malformed body may or may not have been saved, and sends it once", async () => {
    fake.faults.push({ match: (r) => r.method === "POST", status: 200, body: "<html>maintenance</html>" })
    const result = await tool("add_or_update_note", { name: "n", description: "d", start_date: "2099-01-01" })
    expect(textOf(result)).toMatch(/not JSON.*may or may not have been saved/s)
    expect(textOf(result)).not.toMatch(/try again, and report/)
    expect(fake.requests.filter((r) => r.method === "POST")).toHaveLength(1)
  })

  it("answers the whole gear list when one item has retired: false, and activities with numbers as text", async () => {
    fake.faults.push({
      match: (r) => r.path.endsWith("/gear"),
      times: 1,
      mutate: (body) => {
        (body as Array<{ retired: unknown }>)[0]!.retired = false
        return body
      }
    })
    const gear = await tool("get_gear_list")
    expect(gear.isError).toBeFalsy()
    expect((gear.structuredContent as { gear: Array<unknown> }).gear).toHaveLength(fake.fixtures.gear.length)
    fake.faults.push({
      match: (r) => r.path.endsWith("/activities"),
      times: 1,
      mutate: (body) => {
        for (const a of body as Array<Record<string, unknown>>) a["moving_time"] = String(a["moving_time"])
        return body
      }
    })
    const activities = await tool("get_activities", { limit: 3 })
    expect(activities.isError).toBeFalsy()
    expect((activities.structuredContent as { activities: Array<{ moving_time_s?: number }> }).activities[0]!.moving_time_s)
      .toEqual(expect.any(Number))
  })

  it("keeps ids above 2^53 exact both ways", async () => {
    // int64's range, beyond what a JSON number holds exactly.
    const big = "1234567890123456789"
    const today = localToday(TIMEZONE)
    fake.faults.push({
      match: (r) => r.path.endsWith("/events") && r.method === "GET",
      times: 1,
      status: 200,
      body: `[{"id": ${big}, "start_date_local": "${today}T00:00:00", "category": "NOTE", "name": "Big id"}]`
    })
    const listed = await tool("get_events")
    expect((listed.structuredContent as { events: Array<{ id: unknown }> }).events[0]!.id).toBe(big)
    expect(textOf(listed)).toContain(`id ${big}`)
    await tool("get_event_by_id", { event_id: big })
    expect(fake.requests.at(-1)!.path).toBe(`/api/v1/athlete/${ATHLETE_ID}/events/${big}`)
    const rounded = await tool("get_event_by_id", { event_id: 1234567890123456789 })
    expect(textOf(rounded)).toMatch(/event_id: an event id larger than 9007199254740991 loses digits .*arrived as 1234567890123456800.*give it as a string of its exact digits/)
  })

  it("words failures for what happened: no retries claimed for a write, an id only where one was given", async () => {
    fake.faults.push({ match: (r) => r.method === "DELETE", status: 503 })
    const today = localToday(TIMEZONE)
    fake.fixtures.events.push({ id: 64, start_date_local: `${addDays(today, 4)}T00:00:00`, category: "NOTE", name: "n" })
    const deleted = await tool("delete_event", { event_id: 64 })
    expect(textOf(deleted)).toMatch(/HTTP 503.*may or may not have been saved/s)
    expect(textOf(deleted)).not.toMatch(/after retries|attempts/)
    fake.faults.length = 0
    fake.faults.push({ match: (r) => r.path.endsWith("/gear"), times: 1, status: 404, body: "" })
    expect(textOf(await tool("get_gear_list"))).not.toMatch(/Check the id/)
    fake.faults.push({ match: (r) => r.path.endsWith("/gear"), times: 1, status: 302, headers: { location: "https://intervals.icu/login" }, body: "" })
    expect(textOf(await tool("get_gear_list"))).toMatch(/redirected GET .* to https:\/\/intervals.icu\/login/)
    fake.faults.push({ match: (r) => r.path.endsWith("/gear"), times: 1, status: 200, body: "" })
    const empty = textOf(await tool("get_gear_list"))
    expect(empty).toMatch(/an empty answer/)
    expect(empty.split("\n")).toHaveLength(1)
  })
})

describe("arguments are refused with their limits, never echoed whole", () => {
  let server: Connected
  beforeAll(async () => {
    server = await connectStdio({ API_KEY, ATHLETE_ID, INTERVALS_API_BASE_URL: fake.baseUrl })
  })
  afterAll(async () => {
    await server?.close()
  })
  const tool = async (name: string, args: unknown) =>
    (await server.client.callTool({ name, arguments: args as Record<string, unknown> })) as CallToolResult

  it("names the parameter and its limit, and quotes only an excerpt", async () => {
    const long = await tool("add_activity_message", { activity_id: "i1", content: "x".repeat(900_000) })
    expect(textOf(long)).toMatch(/content: expected at most 4,000 characters, got 900,000/)
    expect(JSON.stringify(long).length).toBeLessThan(1000)
    const steps = await tool("add_or_update_event", {
      workout_type: "Ride",
      name: "x",
      workout_doc: { steps: Array.from({ length: 10_000 }, () => ({ duration: 60 })) }
    })
    expect(textOf(steps)).toMatch(/workout_doc\.steps: expected at most 100 steps, got 10,000/)
    expect(JSON.stringify(steps).length).toBeLessThan(1000)
    expect(fake.requests).toHaveLength(0)
  })

  it("refuses a list far past its limit, or arguments of more than 100,000 values, before decoding them", async () => {
    // 100,000 bad categories once cost 4 s and 370 MB to decode, one issue per item.
    const categories = await tool("delete_events_by_date_range", {
      start_date: "2030-01-01",
      end_date: "2030-01-02",
      category: Array.from({ length: 100_000 }, (_, i) => i)
    })
    expect(textOf(categories)).toMatch(/- category: expected at most \d+ items, got 100,000/)
    const bulk = await tool("add_or_update_event", {
      workout_type: "Ride",
      name: "x",
      workout_doc: { steps: Array.from({ length: 60_000 }, () => ({ duration: "bad" })) }
    })
    expect(textOf(bulk)).toMatch(/- workout_doc: more than 100,000 values in all/)
    const many = await tool("add_or_update_event", {
      workout_type: "Ride",
      name: "x",
      workout_doc: { steps: Array.from({ length: 20_000 }, () => ({ duration: "bad" })) }
    })
    // Past 2,000 values only the first problem is looked for.
    expect(textOf(many).split("\n").filter((l) => l.startsWith("- "))).toHaveLength(1)
    expect(fake.requests).toHaveLength(0)
  })

  it("refuses arguments nested 40 levels deep as the tool's argument error, and 5,000 as an invalid message", async () => {
    let fairlyDeep = "{\"duration\": 60}"
    for (let i = 0; i < 20; i++) fairlyDeep = `{"reps": 2, "steps": [${fairlyDeep}]}`
    let deep = "{\"duration\": 60}"
    for (let i = 0; i < 5000; i++) deep = `{"reps": 2, "steps": [${deep}]}`
    const child = spawn(process.execPath, [ENTRY], {
      env: { PATH: process.env["PATH"], MCP_TOOLSETS: "all", API_KEY, ATHLETE_ID, INTERVALS_API_BASE_URL: fake.baseUrl },
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")))
    child.stdin!.write(initializeBody + "\n")
    child.stdin!.write(
      `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"add_or_update_event","arguments":` +
        `{"workout_type":"Ride","name":"x","workout_doc":{"steps":[${fairlyDeep}]}}}}\n`
    )
    child.stdin!.write(
      `{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"add_or_update_event","arguments":` +
        `{"workout_type":"Ride","name":"x","workout_doc":{"steps":[${deep}]}}}}\n`
    )
    child.stdin!.write(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_activities","arguments":[1,2]}}\n`)
    child.stdin!.write(`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"arguments":{}}}\n`)
    expect(await eventually(() => stdout.split("\n").filter((l) => l !== "").length >= 5, 10_000)).toBe(true)
    child.kill()
    const answers = stdout.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as { id: number; result?: CallToolResult; error?: { code: number; message: string } })
    const nested = answers.find((a) => a.id === 2)!
    expect(nested.result?.isError).toBe(true)
    expect(textOf(nested.result!)).toMatch(/workout_doc: nested more than 32 levels deep/)
    const tooDeep = answers.find((a) => a.id === 5)!
    expect(tooDeep.error?.code).toBe(-32602)
    expect(tooDeep.error?.message).toMatch(/params\.arguments\.workout_doc\.steps… is nested more than 200 levels deep/)
    for (const id of [3, 4]) {
      const refused = answers.find((a) => a.id === id)!
      expect(refused.error?.code).toBe(-32602)
      expect(refused.error?.message).not.toContain("\n")
      expect(refused.error!.message.length).toBeLessThan(160)
    }
    expect(answers.find((a) => a.id === 3)!.error!.message).toMatch(/arguments must be an object of named arguments, got a list/)
    expect(answers.find((a) => a.id === 4)!.error!.message).toMatch(/needs params\.name/)
  })

  it("accepts every real date in its range, and names the range", async () => {
    const old = await tool("get_wellness_data", { start_date: "0001-01-01", end_date: "0001-01-02" })
    expect(textOf(old)).toMatch(/start_date: expected a date from 1900-01-01 to 2199-12-31, got "0001-01-01"/)
    expect(textOf(await tool("get_wellness_data", { start_date: "1900-02-29", end_date: "1900-03-01" }))).toMatch(/does not exist/)
    const leap = await tool("get_wellness_data", { start_date: "2000-02-29", end_date: "2000-03-01" })
    expect(leap.isError).toBeFalsy()
  })
})

describe("a second outside attack (every tool, parameter and transport)", () => {
  let server: Connected
  beforeAll(async () => {
    server = await connectStdio({ API_KEY, ATHLETE_ID, INTERVALS_API_BASE_URL: fake.baseUrl, MCP_MAX_ANSWER_CHARS: "3000" })
  })
  afterAll(async () => {
    await server?.close()
  })
  const tool = async (name: string, args: unknown) =>
    (await server.client.callTool({ name, arguments: args as Record<string, unknown> })) as CallToolResult

  it("keeps a stdio client that stops reading stdout from filling the server's memory, and answers once it reads", async () => {
    const child = spawn(process.execPath, [ENTRY], {
      env: { PATH: process.env["PATH"], MCP_TOOLSETS: "all", INTERVALS_DEMO: "true", NODE_OPTIONS: CONTAINER_NODE_OPTIONS },
      stdio: ["pipe", "pipe", "pipe"]
    })
    child.stdout!.pause()
    const write = (line: string) => new Promise<void>((done) => (child.stdin!.write(line + "\n") ? done() : child.stdin!.once("drain", () => done())))
    await write(initializeBody)
    // 1,500 such calls once took the server past the container's heap while their answers waited on stdout.
    const requests = 1500
    let sent = 0
    const sending = (async () => {
      for (let i = 0; i < requests; i++) {
        await write(JSON.stringify({
          jsonrpc: "2.0",
          id: 100 + i,
          method: "tools/call",
          params: { name: "get_wellness_data", arguments: { start_date: "1990-01-01", end_date: "2026-12-31", include_all_fields: true } }
        }))
        sent++
      }
    })()
    await sleep(4000)
    const rss = rssMiB(child.pid!)
    console.log(`stdio backpressure: ${sent} of ${requests} requests taken while stdout was not read; RSS ${rss.toFixed(1)} MiB`)
    expect(child.exitCode).toBeNull()
    // Not all was read: the rest waits in the pipe, on the client's side (only 16 calls are ever open at once).
    expect(sent).toBeLessThan(requests)
    expect(rss).toBeLessThan(200)
    let answers = 0
    let buffer = ""
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8")
      let i: number
      while ((i = buffer.indexOf("\n")) >= 0) {
        buffer = buffer.slice(i + 1)
        answers++
      }
    })
    child.stdout!.resume()
    // Reading again, the client gets its answers (and the server takes more requests).
    const before = sent
    expect(await eventually(() => answers >= 100 && sent > before, 30_000)).toBe(true)
    child.kill()
    child.stdin!.destroy()
    void sending.catch(() => undefined)
  }, 90_000)

  it("refuses a list parameter given something else, and dates at the ends of the range, in words", async () => {
    for (const [name, args, message] of [
      ["get_athlete_power_curves", { durations: 5 }, /durations: expected a list, got 5/],
      ["get_athlete_power_curves", { durations: null }, /durations: expected a list, got null/],
      ["add_or_update_event", { workout_type: "Ride", name: "x", tags: {} }, /tags: expected a list/],
      ["add_or_update_event", { workout_type: "Ride", name: "x", workout_doc: { steps: 5 } }, /workout_doc\.steps: expected a list/],
      ["add_or_update_event", { workout_type: "Ride", name: "x", workout_doc: { steps: [1] } }, /workout_doc\.steps\.0: expected a step: an object/],
      ["add_or_update_event", { workout_type: "Ride", name: "x", workout_doc: { steps: [{ duration: 60 }], extra: 1 } }, /workout_doc\.extra: unknown field inside workout_doc/],
      ["add_or_update_event", { workout_type: "Ride", name: "x", tags: "a" }, /tags: expected a list, got "a"$/m],
      ["add_or_update_event", { workout_type: "Ride", name: "" }, /name: expected some text/],
      ["add_or_update_event", { workout_type: "Ride\nRun", name: "x" }, /workout_type: expected one line of text/],
      ["add_or_update_event", { workout_type: "Ride", name: "x", distance: 0 }, /distance: expected a distance in metres, more than 0/],
      ["get_activity_streams", { activity_id: "i1", stream_types: "x".repeat(100_000) }, /stream_types: expected at most 600 characters, got 100,000/],
      ["create_custom_item", { name: "x", item_type: "ZONES", content: JSON.stringify({ a: "y".repeat(150_000) }) }, /content: expected at most 100,000 characters/]
    ] as const) {
      const answer = await tool(name, args)
      expect(answer.isError, name).toBe(true)
      expect(textOf(answer), JSON.stringify(args).slice(0, 80)).toMatch(message)
      expect(textOf(answer)).not.toMatch(/ReadonlyArray|unexpectedly/)
    }
    for (const [name, args] of [
      ["get_activities", { start_date: "2199-12-31" }],
      ["get_events", { end_date: "1900-01-01" }],
      ["get_training_summary", { end_date: "2199-12-31" }],
      ["search_activities", { around_date: "1900-01-01" }],
      ["get_fitness", { end_date: "1900-01-01" }]
    ] as const) {
      const answer = await tool(name, args)
      expect(textOf(answer), `${name} ${JSON.stringify(args)}`).not.toMatch(/unexpectedly/)
    }
    expect(fake.requests.filter((r) => r.method !== "GET")).toHaveLength(0)
  })

  it("says of a write whose answer is too long that the change was made, and suggests no digits for a rounded id", async () => {
    const content = JSON.stringify({ code: "x".repeat(5000) })
    const created = await tool("create_custom_item", { name: "Long", item_type: "ACTIVITY_FIELD", content })
    expect(created.isError).toBeFalsy()
    expect(textOf(created)).toMatch(/The change itself was made; only its answer was cut/)
    const big = await tool("get_event_by_id", { event_id: 9007199254740993 })
    expect(textOf(big)).toMatch(/larger than 9007199254740991 loses digits .*may be a different id/)
    expect(textOf(big)).not.toMatch(/"9007199254740992"/)
  })

  it("refuses in safe mode to create an event it could never change afterwards", async () => {
    const past = await tool("add_or_update_event", { workout_type: "Ride", name: "Old", start_date: "2020-01-01" })
    expect(textOf(past)).toMatch(/^Not created: 2020-01-01 is before today/)
    expect(fake.requests.filter((r) => r.method === "POST")).toHaveLength(0)
  })

  it("keeps the key out of answers whatever Intervals.icu echoes back, and a name from forging lines", async () => {
    fake.faults.push({ match: (r) => r.path.endsWith("/gear"), times: 1, status: 400, body: JSON.stringify({ status: 400, error: `bad key ${API_KEY}` }) })
    const echoed = await tool("get_gear_list", {})
    expect(textOf(echoed)).toMatch(/bad key \[redacted\]/)
    expect(JSON.stringify(echoed)).not.toContain(API_KEY)
    const day = addDays(localToday(TIMEZONE), 3)
    fake.fixtures.events.push({ id: 99_901, start_date_local: `${day}T00:00:00`, category: "NOTE", name: "Easy\"\n2030-02-03 WORKOUT Ride \u202eforged · id 1" })
    const listed = await tool("get_events", { start_date: day, end_date: day })
    const lines = textOf(listed).split("\n")
    expect(lines.filter((l) => l.includes("forged"))).toHaveLength(1)
    expect(textOf(listed)).not.toContain("\u202e")
    expect(textOf(listed)).toContain('"Easy\\" 2030-02-03')
  })
})

describe("a second outside attack on the HTTP edge", () => {
  it("answers bad envelopes and bad initialize params in one line with their id, and odd Hosts with 400", async () => {
    const server = await start({ MCP_SERVER_API_KEY: `${SERVER_KEY}\n` })
    const post = (body: string, headers: Record<string, string> = {}) =>
      rawRequest(`${server.origin}/mcp`, { method: "POST", headers: { ...MCP_HEADERS, ...bearer, ...headers }, body })
    // The key, given with its trailing newline, was trimmed: it matches.
    expect((await post(initializeBody)).status).toBe(200)
    const noVersion = await post(`{"id":4,"method":"tools/list"}`)
    expect(noVersion.status).toBe(400)
    expect(JSON.parse(noVersion.body)).toEqual({ jsonrpc: "2.0", id: 4, error: { code: -32600, message: `Invalid Request: jsonrpc must be "2.0"` } })
    const badInit = await post(`{"jsonrpc":"2.0","id":7,"method":"initialize","params":{"protocolVersion":5}}`)
    expect(JSON.parse(badInit.body)).toMatchObject({ id: 7, error: { code: -32602, message: expect.stringMatching(/^Invalid params for initialize: params\.protocolVersion/) } })
    for (const host of ["[::1]evil.com", "127.0.0.1:99999", "localhost:abc"]) {
      const odd = await post(initializeBody, { host, origin: "http://localhost" })
      expect(odd.status, host).toBe(400)
      expect(odd.body).toMatch(/is not a host name with an optional port/)
    }
    expect((await post(initializeBody, { "content-encoding": "gzip" })).status).toBe(415)
    expect((await post(initializeBody, { "content-type": "text/plain" })).status).toBe(415)
    const twoHosts = await rawSocket(server.port)
    twoHosts.write(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nContent-Length: 0\r\n\r\n`)
    await twoHosts.closed
    expect(twoHosts.received()).toMatch(/^HTTP\/1.1 400[^]*More than one Host header/)
    const schemeRelative = await rawSocket(server.port)
    schemeRelative.write(`POST //evil.example/mcp HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Length: 0\r\n\r\n`)
    await schemeRelative.closed
    expect(schemeRelative.received()).toMatch(/^HTTP\/1.1 400/)
    // A client that resets mid-body is not logged as a crash.
    const reset = await rawSocket(server.port)
    reset.write(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${SERVER_KEY}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"jsonrpc"`)
    await sleep(100)
    reset.socket.resetAndDestroy()
    await sleep(300)
    expect(server.stderr()).not.toMatch(/http request crashed/)
  })

  it("refuses a key with a space in it at start-up, since no bearer token can carry one", async () => {
    await expect(start({ MCP_SERVER_API_KEY: "hardening server key 0123456789abcdef" })).rejects.toThrow(/holds a space or line break/)
  })

  it("answers a batch on the SSE transport as an error, and a POST to /sse with where to post", async () => {
    const server = await start({ MCP_TRANSPORT: "sse" })
    const wrongMethod = await rawRequest(`${server.origin}/sse`, {
      method: "POST",
      headers: { ...MCP_HEADERS, ...bearer },
      body: `{"jsonrpc":"2.0","id":1,"method":"ping"}`
    })
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.body).toMatch(/open the event stream with GET \/sse/)
  })

  it("over stdio, gives calls in flight the shutdown grace, then answers them as stopped", async () => {
    fake.faults.push({ match: (r) => r.path.endsWith("/messages"), delayMs: 5000 })
    const child = spawn(process.execPath, [ENTRY], {
      env: { PATH: process.env["PATH"], MCP_TOOLSETS: "all", API_KEY, ATHLETE_ID, INTERVALS_API_BASE_URL: fake.baseUrl, INTERVALS_WRITE_MODE: "full", MCP_SHUTDOWN_GRACE_MS: "500" },
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")))
    child.stdin!.write(initializeBody + "\n")
    for (let i = 0; i < 3; i++) {
      child.stdin!.write(JSON.stringify({ jsonrpc: "2.0", id: 10 + i, method: "tools/call", params: { name: "add_activity_message", arguments: { activity_id: "i90000001", content: `m${i}` } } }) + "\n")
    }
    await eventually(() => fake.requests.filter((r) => r.path.endsWith("/messages")).length >= 3, 5000)
    child.kill("SIGTERM")
    const code = await new Promise<number | null>((done) => child.on("exit", done))
    expect(code).toBe(0)
    const stopped = stdout.split("\n").filter((l) => l.includes("stopped because the server is shutting down"))
    expect(stopped).toHaveLength(3)
    expect(stopped[0]).toMatch(/may or may not have been saved/)
  })
})

describe("every request gets an answer, in one line", () => {
  type Answer = { id: unknown; result?: unknown; error?: { code: number; message: string } }
  /** Writes raw lines to a stdio server and collects its answers until `count` have come. */
  const stdioAnswers = async (lines: ReadonlyArray<string>, count: number) => {
    const child = spawn(process.execPath, [ENTRY], {
      env: { PATH: process.env["PATH"], MCP_TOOLSETS: "all", API_KEY, ATHLETE_ID, INTERVALS_API_BASE_URL: fake.baseUrl },
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")))
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
    child.stdin!.write(initializeBody + "\n")
    for (const line of lines) child.stdin!.write(line + "\n")
    const all = () => stdout.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Answer)
    await eventually(() => all().length >= count + 1, 10_000)
    // Nothing more should come for what was dropped on purpose.
    await sleep(200)
    const exited = child.exitCode
    child.kill()
    const initializeId = (JSON.parse(initializeBody) as { id: unknown }).id
    return { answers: all().filter((a) => a.id !== initializeId), stderr, exited }
  }

  it("over stdio, answers lines the SDK would drop without a word, and keeps serving", async () => {
    const lines = [
      "hello",
      `{"jsonrpc":"2.0","id":10,"method":"tools/list","params":{"_meta":"x"}}`,
      `{"jsonrpc":"2.0","id":11,"method":"ping","params":{"_meta":5}}`,
      `{"jsonrpc":"2.0","id":12,"method":"tools/list","params":{"cursor":5}}`,
      `{"jsonrpc":"2.0","id":{"a":1},"method":"tools/list"}`,
      `{"id":13,"method":"tools/list"}`,
      `[{"jsonrpc":"2.0","id":14,"method":"ping"}]`,
      `{"jsonrpc":"2.0","id":15}`,
      `{"jsonrpc":"2.0","id":16,"method":"tools/call","params":{"name":"get_gear_list","task":5}}`,
      // A response to nothing and an invalid notification are logged, not answered.
      `{"jsonrpc":"2.0","id":99,"result":5,"error":{}}`,
      `{"jsonrpc":"2.0","method":5}`,
      `{"jsonrpc":"2.0","id":17,"method":"ping"}`
    ]
    const { answers, stderr, exited } = await stdioAnswers(lines, 10)
    expect(exited).toBeNull()
    expect(answers, JSON.stringify(answers)).toHaveLength(10)
    for (const answer of answers.filter((a) => a.result === undefined)) {
      expect(answer.error?.message).not.toContain("\n")
      expect(answer.error!.message.length).toBeLessThan(200)
    }
    const byId = (id: unknown) => answers.find((a) => JSON.stringify(a.id) === JSON.stringify(id))
    const unnamed = answers.filter((a) => a.id === null).map((a) => a.error)
    expect(unnamed).toEqual([
      { code: -32700, message: "Parse error: a line of 5 characters is not JSON" },
      { code: -32600, message: "Invalid Request: id must be a string or a whole number" },
      { code: -32600, message: "Invalid Request: batches are not part of MCP any more; send one message per line" }
    ])
    expect(byId(10)?.error).toEqual({ code: -32602, message: "Invalid params for tools/list: params._meta: expected object, received string" })
    expect(byId(11)?.error?.message).toMatch(/^Invalid params for ping: params\._meta: expected object/)
    expect(byId(12)?.error).toEqual({ code: -32602, message: "Invalid params for tools/list: params.cursor: expected string, received number" })
    expect(byId(13)?.error).toEqual({ code: -32600, message: `Invalid Request: jsonrpc must be "2.0"` })
    expect(byId(15)?.error?.message).toBe("Invalid Request: a request needs a method")
    expect(byId(16)?.error?.message).toBe("Invalid params for tools/call: params.task: expected object, received number")
    expect(byId(17)?.result).toEqual({})
    // An invalid answer to a request of the server fails that request (here: one it never made), and is logged.
    expect(stderr).toMatch(/an invalid response was taken as an error for request 99/)
    expect(stderr).toMatch(/an invalid notification was ignored/)
  })

  it("over stdio, skips a line past the limit instead of closing, and reads the next", async () => {
    const huge = `{"jsonrpc":"2.0","id":20,"method":"tools/call","params":{"name":"get_gear_list","arguments":{"x":"${"y".repeat(5 * 1024 * 1024)}"}}}`
    const { answers, exited } = await stdioAnswers([huge, `{"jsonrpc":"2.0","id":21,"method":"ping"}`], 2)
    expect(exited).toBeNull()
    expect(answers.find((a) => a.id === null)?.error?.message).toMatch(/more than 4194304 bytes was refused/)
    expect(answers.find((a) => a.id === 21)?.result).toEqual({})
  })

  it("over HTTP, answers a request with bad params as invalid params in one line", async () => {
    const server = await start()
    const init = await fetch(`${server.origin}/mcp`, { method: "POST", headers: { ...MCP_HEADERS, ...bearer }, body: initializeBody })
    await init.text()
    const session = init.headers.get("mcp-session-id")!
    const headers = { ...MCP_HEADERS, ...bearer, "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" }
    const res = await fetch(`${server.origin}/mcp`, {
      method: "POST",
      headers,
      body: `{"jsonrpc":"2.0","id":30,"method":"tools/list","params":{"cursor":5}}`
    })
    const text = await res.text()
    expect(text).toContain("Invalid params for tools/list: params.cursor: expected string, received number")
    expect(text).toContain("-32602")
  })
})

describe("the HTTP edge", () => {
  let server: HttpServerProcess
  beforeAll(async () => {
    server = await start({ MCP_AUTH_FAILURES_PER_MINUTE: "5" })
  })

  it("answers a malformed URL with 400, judges an absolute-form target by its authority, and refuses other ports' origins", async () => {
    const malformed = await rawSocket(server.port)
    malformed.write("GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    await malformed.closed
    expect(malformed.received()).toMatch(/^HTTP\/1.1 400/)
    expect(server.stderr()).not.toMatch(/level=ERROR/)
    const absolute = await rawSocket(server.port)
    absolute.write(`POST http://evil.example/mcp HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${SERVER_KEY}\r\nContent-Length: 2\r\n\r\n{}`)
    await absolute.closed
    expect(absolute.received()).toMatch(/^HTTP\/1.1 403[^]*evil\.example/)
    const origin = await rawRequest(`${server.origin}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, ...bearer, origin: "http://127.0.0.1:5173" },
      body: initializeBody
    })
    expect(origin.status).toBe(403)
  })

  it("slows repeated failed authentications from one address, never the right key", async () => {
    const statuses: Array<number> = []
    for (let i = 0; i < 7; i++) {
      statuses.push((await rawRequest(`${server.origin}/mcp`, { method: "POST", headers: { ...MCP_HEADERS, authorization: "Bearer nope" }, body: initializeBody })).status)
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
    expect(statuses.slice(5)).toEqual([429, 429])
    const limited = await rawRequest(`${server.origin}/mcp`, { method: "POST", headers: { ...MCP_HEADERS, authorization: "Bearer nope" }, body: initializeBody })
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0)
    expect((await initialize(server)).status).toBe(200)
  })

  it("refuses to listen beyond loopback with a weak key, saying how to make one", async () => {
    const child = spawn(process.execPath, [ENTRY], {
      env: { PATH: process.env["PATH"], MCP_TOOLSETS: "all", API_KEY, MCP_TRANSPORT: "http", MCP_HOST: "0.0.0.0", MCP_PORT: "0", MCP_SERVER_API_KEY: "short-key" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stderr = ""
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve))
    expect(code).toBe(1)
    expect(stderr.trim()).toMatch(/^intervals-mcp: MCP_SERVER_API_KEY is 9 characters long.*at least 32.*randomBytes/)
  })
})

describe("an attack on the 2026-07-28 era (2026-12-02)", () => {
  const MODERN = "2026-07-28"
  const envelope = (capabilities: unknown = {}) => ({
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientCapabilities": capabilities
  })
  const stdioLines = async (lines: ReadonlyArray<string>, count: number, env: Record<string, string> = {}) => {
    const child = spawn(process.execPath, [ENTRY, "--demo"], { env: { PATH: process.env["PATH"], MCP_TOOLSETS: "all", ...env }, stdio: ["pipe", "pipe", "pipe"] })
    let stdout = ""
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")))
    for (const line of lines) child.stdin!.write(line + "\n")
    const answered = await eventually(() => stdout.split("\n").filter((l) => l !== "").length >= count, 10_000)
    return { child, answered, answers: () => stdout.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l)) }
  }

  it("answers an initialize nested 2,000 levels deep instead of dying, over stdio and HTTP", async () => {
    const deep = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",` +
      `"capabilities":{"experimental":${"{\"x\":".repeat(2000)}{}${"}".repeat(2000)}},"clientInfo":{"name":"x","version":"1"}}}`
    const { answered, answers, child } = await stdioLines([deep, initializeBody.replace("\"id\":1", "\"id\":2")], 2)
    expect(answered).toBe(true)
    expect(answers()[0]).toMatchObject({ id: 1, error: { code: -32602, message: expect.stringMatching(/nested more than 200 levels/) } })
    expect(answers()[1]).toMatchObject({ id: 2, result: { serverInfo: { name: "intervals-mcp" } } })
    expect(child.exitCode).toBeNull()
    child.kill()

    const server = await start()
    const modern = { "mcp-protocol-version": MODERN, "mcp-method": "tools/list" }
    const refused = await rawRequest(`${server.origin}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, ...bearer, ...modern },
      body: deep
    })
    expect(refused.status).toBe(400)
    expect(JSON.parse(refused.body)).toMatchObject({ id: 1, error: { code: -32602 } })
    // Deep capabilities in a 2026-07-28 envelope: refused at once, nothing kept for it.
    const before = rssMiB(server.child.pid!)
    for (let i = 0; i < 300; i++) {
      const capabilities = `{"experimental":${"{\"x\":".repeat(2500)}{}${"}".repeat(2500)}}`
      const answer = await rawRequest(`${server.origin}/mcp`, {
        method: "POST",
        headers: { ...MCP_HEADERS, ...bearer, ...modern },
        body: `{"jsonrpc":"2.0","id":${i},"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":` +
          `"${MODERN}","io.modelcontextprotocol/clientCapabilities":${capabilities}}}}`
      })
      expect(answer.status).toBe(400)
    }
    expect(rssMiB(server.child.pid!) - before).toBeLessThan(40)
    // Deep arguments over HTTP are answered too, not dropped in silence.
    let args = "{\"duration\": 60}"
    for (let i = 0; i < 5000; i++) args = `{"reps": 2, "steps": [${args}]}`
    const call = await rawRequest(`${server.origin}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, ...bearer, ...modern, "mcp-method": "tools/call", "mcp-name": "validate_workout" },
      body: `{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"validate_workout","arguments":` +
        `{"workout_doc":${args}},"_meta":${JSON.stringify(envelope())}}}`
    })
    expect(JSON.parse(call.body)).toMatchObject({ id: 9, error: { code: -32602, message: expect.stringMatching(/nested more than 200/) } })
    expect((await rawRequest(`${server.origin}/health`)).status).toBe(200)
  })

  it("lets a browser on an allowed origin send the 2026-07-28 headers", async () => {
    const server = await start({ MCP_ALLOWED_ORIGINS: "http://app.example" })
    const preflight = await rawRequest(`${server.origin}/mcp`, {
      method: "OPTIONS",
      headers: { origin: "http://app.example", "access-control-request-method": "POST", "access-control-request-headers": "mcp-method,mcp-name" }
    })
    expect(preflight.headers["access-control-allow-headers"]).toMatch(/mcp-method, mcp-name/)
  })

  it("lets no notification before a request decide a stdio connection's era", async () => {
    const early = JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized", params: { _meta: envelope() } })
    const { answered, answers, child } = await stdioLines([early, initializeBody], 1)
    expect(answered).toBe(true)
    expect(answers()[0]).toMatchObject({ id: 1, result: { serverInfo: { name: "intervals-mcp" } } })
    child.kill()
  })

  it("answers over stdio, at SIGTERM, the requests still waiting their turn as not started", async () => {
    fake.faults.push({ match: (r) => r.path.endsWith("/messages"), delayMs: 5000 })
    const child = spawn(process.execPath, [ENTRY], {
      env: { PATH: process.env["PATH"], MCP_TOOLSETS: "all", API_KEY, ATHLETE_ID, INTERVALS_API_BASE_URL: fake.baseUrl, INTERVALS_WRITE_MODE: "full", MCP_SHUTDOWN_GRACE_MS: "300" },
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")))
    child.stdin!.write(initializeBody + "\n")
    for (let i = 0; i < 20; i++) {
      child.stdin!.write(JSON.stringify({ jsonrpc: "2.0", id: 10 + i, method: "tools/call", params: { name: "get_activity_messages", arguments: { activity_id: "i90000001" } } }) + "\n")
    }
    await eventually(() => fake.requests.filter((r) => r.path.endsWith("/messages")).length >= 16, 5000)
    child.kill("SIGTERM")
    expect(await new Promise<number | null>((done) => child.on("exit", done))).toBe(0)
    const answers = stdout.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as { id: number; result?: unknown; error?: { message: string } })
    const calls = answers.filter((a) => a.id >= 10)
    expect(calls).toHaveLength(20)
    expect(calls.filter((a) => a.error?.message.startsWith("Not started: the server is shutting down")).length).toBe(4)
  })
})
