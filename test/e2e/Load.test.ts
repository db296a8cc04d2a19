/**
 * HTTP under load, over loopback only and bounded in count and time: 1,000 sessions opened and closed while 10
 * clients call tools continuously. No call may fail, every session must be gone afterwards, and the server's RSS must
 * end within 50 MB of where it started.
 */
import { readFileSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type FakeIntervals, startFakeIntervals } from "../fake/FakeIntervals.js"
import { API_KEY, ATHLETE_ID } from "../fake/Fixtures.js"
import { type HttpServerProcess, initializeBody, MCP_HEADERS, startHttpServer } from "../support/HttpServerProcess.js"

const SERVER_KEY = "load-test-server-key-91c2"
const SESSIONS = Number(process.env["LOAD_SESSIONS"] ?? 1000)
const CALLERS = 10
const TIME_LIMIT_MS = 60_000

let fake: FakeIntervals
let server: HttpServerProcess

/** The server runs with the Node options the container ships with, as it would in production. */
const CONTAINER_NODE_OPTIONS = /NODE_OPTIONS="([^"]+)"/.exec(
  readFileSync(new URL("../../Dockerfile", import.meta.url), "utf8")
)![1]!

const rssMiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024

const headers = (session?: string) => ({
  ...MCP_HEADERS,
  authorization: `Bearer ${SERVER_KEY}`,
  ...(session ? { "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" } : {})
})

const post = async (url: string, body: unknown, session?: string) => {
  const response = await fetch(url, { method: "POST", headers: headers(session), body: JSON.stringify(body) })
  const text = await response.text()
  return { response, text }
}

const openSession = async (url: string) => {
  const init = await fetch(url, { method: "POST", headers: headers(), body: initializeBody })
  await init.text()
  if (init.status !== 200) throw new Error(`initialize answered ${init.status}`)
  const session = init.headers.get("mcp-session-id")!
  const initialized = await post(url, { jsonrpc: "2.0", method: "notifications/initialized" }, session)
  if (initialized.response.status !== 202) throw new Error(`initialized answered ${initialized.response.status}`)
  return session
}

beforeAll(async () => {
  fake = await startFakeIntervals()
  server = await startHttpServer({
    API_KEY,
    ATHLETE_ID,
    INTERVALS_API_BASE_URL: fake.baseUrl,
    MCP_TRANSPORT: "http",
    MCP_SERVER_API_KEY: SERVER_KEY,
    NODE_OPTIONS: CONTAINER_NODE_OPTIONS
  })
})

afterAll(async () => {
  await server?.stop()
  expect(server.stderr()).not.toContain(SERVER_KEY)
  expect(server.stderr()).not.toContain(API_KEY)
  await fake?.close()
})

describe("HTTP under load", () => {
  it(`opens and closes ${SESSIONS} sessions while ${CALLERS} clients call tools, without a failure`, async () => {
    const url = `${server.origin}/mcp`
    // Warm up, then take the starting RSS.
    const warm = await openSession(url)
    await post(url, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "get_activities", arguments: {} } }, warm)
    await fetch(url, { method: "DELETE", headers: headers(warm) })
    const startRss = rssMiB(server.child.pid!)
    const started = Date.now()

    let churning = true
    let calls = 0
    const failures: Array<string> = []
    const callers = Array.from({ length: CALLERS }, async (_, i) => {
      const session = await openSession(url)
      const tools = ["get_activities", "get_events", "get_wellness_data"]
      while (churning && Date.now() - started < TIME_LIMIT_MS) {
        const { response, text } = await post(url, {
          jsonrpc: "2.0",
          id: calls + 2,
          method: "tools/call",
          params: { name: tools[(calls + i) % tools.length], arguments: {} }
        }, session)
        calls++
        if (response.status !== 200 || !text.includes("\"result\"") || text.includes("\"isError\":true")) {
          failures.push(`${response.status} ${text.slice(0, 200)}`)
        }
      }
      await fetch(url, { method: "DELETE", headers: headers(session) })
    })

    let opened = 0
    let closed = 0
    const churners = Array.from({ length: 8 }, async () => {
      while (opened < SESSIONS && Date.now() - started < TIME_LIMIT_MS) {
        opened++
        const session = await openSession(url)
        const deleted = await fetch(url, { method: "DELETE", headers: headers(session) })
        await deleted.text()
        if (deleted.status === 200) closed++
        else failures.push(`DELETE answered ${deleted.status}`)
      }
    })
    await Promise.all(churners)
    churning = false
    await Promise.all(callers)
    const elapsed = Date.now() - started

    const health = (await (await fetch(`${server.origin}/health`, { headers: { authorization: `Bearer ${SERVER_KEY}` } })).json()) as {
      sessions: number
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
    const endRss = rssMiB(server.child.pid!)
    console.log(
      `load: ${closed} sessions opened and closed and ${calls} tool calls in ${elapsed} ms; ` +
        `RSS ${startRss.toFixed(1)} → ${endRss.toFixed(1)} MiB; ${health.sessions} sessions left`
    )

    expect(failures).toEqual([])
    expect(closed).toBe(SESSIONS)
    expect(elapsed).toBeLessThan(TIME_LIMIT_MS)
    expect(calls).toBeGreaterThan(0)
    expect(health.sessions).toBe(0)
    expect(endRss - startRss).toBeLessThan(50)
  }, 90_000)
})
