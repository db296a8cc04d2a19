/**
 * `npm run bench`: the server's speed, memory and economy, measured against the fake Intervals.icu over loopback,
 * each figure paired in the same run with its baseline. Prints a table and writes bench/results.json.
 * Run from a clean clone with `npm ci && npm run bench` (it builds first). A few minutes on 2 cores.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { cpus, totalmem } from "node:os"
import { resolve } from "node:path"
import { type FakeIntervals, startFakeIntervals } from "../test/fake/FakeIntervals.js"
import { addDays, API_KEY, ATHLETE_ID, POWER_RIDE_ID } from "../test/fake/Fixtures.js"
import { ACTIVITY_LIST_FIELDS } from "../src/services/IntervalsClient.js"
import { benchFixtures } from "./BenchFixtures.js"

const ROOT = resolve(import.meta.dirname, "..")
const ENTRY = resolve(ROOT, "dist/main.js")
const BASELINE = resolve(ROOT, "bench/baseline-server.mjs")
const QUICK = process.argv.includes("--quick")
/**
 * `--compare=path/to/main.js`: an earlier build of this server (say, the last commit's `dist/` copied aside), timed
 * in the same runs, interleaved with this one, for the cold start and the per-call cost: a before/after figure.
 */
const COMPARE = process.argv.find((arg) => arg.startsWith("--compare="))?.slice(10)
/** `--only=overhead,memory` runs some sections (the others are reported as skipped). */
const ONLY = process.argv.find((arg) => arg.startsWith("--only="))?.slice(7).split(",")
const section = async <A>(name: string, run: () => Promise<A>): Promise<A | "skipped"> =>
  ONLY === undefined || ONLY.includes(name) ? run() : "skipped"

// ---------------------------------------------------------------------------------------------------------------
// Measuring helpers

const quantile = (values: ReadonlyArray<number>, q: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}
const median = (values: ReadonlyArray<number>) => quantile(values, 0.5)
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits
const now = () => Number(process.hrtime.bigint()) / 1e6
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const rssMiB = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8")
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024
}

/** A minimal JSON-RPC client over a child's stdio: no validation on our side, so it measures the server. */
class StdioPeer {
  private buffer = ""
  private next = 1
  private readonly pending = new Map<number, (message: { result?: unknown; error?: unknown }) => void>()
  readonly child: ChildProcess
  readonly started = now()

  constructor(args: Array<string>, env: Record<string, string>) {
    this.child = spawn(process.execPath, args, {
      env: { PATH: process.env["PATH"] ?? "", ...env },
      cwd: ROOT,
      stdio: ["pipe", "pipe", "ignore"]
    })
    this.child.stdout!.on("data", (chunk: Buffer) => {
      this.buffer += chunk.toString("utf8")
      let newline: number
      while ((newline = this.buffer.indexOf("\n")) >= 0) {
        const line = this.buffer.slice(0, newline)
        this.buffer = this.buffer.slice(newline + 1)
        const message = JSON.parse(line) as { id?: number; result?: unknown; error?: unknown }
        if (message.id !== undefined) this.pending.get(message.id)?.(message)
      }
    })
  }

  request<A = unknown>(method: string, params: unknown = {}): Promise<A> {
    const id = this.next++
    return new Promise((resolve, reject) => {
      this.pending.set(id, (message) => {
        this.pending.delete(id)
        if (message.error) reject(new Error(JSON.stringify(message.error)))
        else resolve(message.result as A)
      })
      this.child.stdin!.write(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n")
    })
  }

  async initialize() {
    await this.request("initialize", {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "bench", version: "1" }
    })
    this.child.stdin!.write(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) + "\n")
  }

  call(name: string, args: Record<string, unknown>) {
    return this.request<{ content: Array<{ text: string }>; structuredContent?: unknown; isError?: boolean }>(
      "tools/call",
      { name, arguments: args }
    )
  }

  async close() {
    this.child.stdin!.end()
    if (this.child.exitCode === null) await new Promise((r) => this.child.on("exit", r))
  }
}

const serverEnv = (fake: FakeIntervals, extra: Record<string, string> = {}) => ({
  API_KEY,
  ATHLETE_ID,
  INTERVALS_API_BASE_URL: fake.baseUrl,
  LOG_LEVEL: "Warning",
  ...extra
})

const startHttp = (env: Record<string, string>) =>
  new Promise<{ child: ChildProcess; url: string }>((resolvePromise, reject) => {
    const child = spawn(process.execPath, [ENTRY], {
      env: { PATH: process.env["PATH"] ?? "", MCP_TRANSPORT: "http", MCP_PORT: "0", ...env, LOG_LEVEL: "Info" },
      stdio: ["ignore", "ignore", "pipe"]
    })
    let stderr = ""
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
      const match = /at (http:\/\/127\.0\.0\.1:\d+)\/mcp/.exec(stderr)
      if (match) {
        // Request logging stays on (it is part of the real cost) but nobody reads it.
        child.stderr!.removeAllListeners("data")
        child.stderr!.resume()
        resolvePromise({ child, url: match[1]! })
      }
    })
    child.on("exit", (code) => reject(new Error(`http server exited ${code}: ${stderr}`)))
  })

const stop = async (child: ChildProcess) => {
  if (child.exitCode !== null) return
  child.kill("SIGTERM")
  await new Promise((r) => child.on("exit", r))
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Cold start

const coldStart = async (fake: FakeIntervals) => {
  const runs = QUICK ? 5 : 15
  const time = async (args: Array<string>) => {
    const peer = new StdioPeer(args, serverEnv(fake))
    await peer.initialize()
    const ms = now() - peer.started
    await peer.close()
    return ms
  }
  const ours: Array<number> = []
  const baseline: Array<number> = []
  const earlier: Array<number> = []
  await time([ENTRY])
  await time([BASELINE])
  if (COMPARE) await time([COMPARE])
  for (let i = 0; i < runs; i++) {
    ours.push(await time([ENTRY]))
    baseline.push(await time([BASELINE]))
    if (COMPARE) earlier.push(await time([COMPARE]))
  }
  return {
    runs,
    server_ms: round(median(ours), 1),
    baseline_ms: round(median(baseline), 1),
    ratio: round(median(ours) / median(baseline)),
    target_ratio: 1.25,
    ...(COMPARE
      ? { compared_ms: round(median(earlier), 1), vs_compared: round(median(ours) / median(earlier), 3) }
      : {})
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Per-call overhead

const overhead = async (fake: FakeIntervals) => {
  const today = fake.fixtures.today
  const args = { start_date: addDays(today, -29), end_date: today, limit: 10 }
  // The very URL the server asks for.
  const url = `${fake.baseUrl}/athlete/${ATHLETE_ID}/activities?` +
    new URLSearchParams({ oldest: args.start_date, newest: `${today}T23:59:59`, fields: ACTIVITY_LIST_FIELDS })
  const auth = `Basic ${Buffer.from(`API_KEY:${API_KEY}`).toString("base64")}`
  const env = serverEnv(fake, { INTERVALS_CACHE: "off", INTERVALS_RATE_LIMIT: "0" })
  const peer = new StdioPeer([ENTRY], env)
  await peer.initialize()
  const other = COMPARE ? new StdioPeer([COMPARE], env) : undefined
  await other?.initialize()
  const direct = async () => {
    const response = await fetch(url, { headers: { authorization: auth, accept: "application/json" } })
    await response.text()
  }
  for (let i = 0; i < 50; i++) {
    await peer.call("get_activities", args)
    await other?.call("get_activities", args)
    await direct()
  }
  const calls: Array<number> = []
  const gets: Array<number> = []
  const earlier: Array<number> = []
  const n = QUICK ? 100 : 500
  for (let i = 0; i < n; i++) {
    let t = now()
    await peer.call("get_activities", args)
    calls.push(now() - t)
    if (other) {
      t = now()
      await other.call("get_activities", args)
      earlier.push(now() - t)
    }
    t = now()
    await direct()
    gets.push(now() - t)
  }
  await peer.close()
  await other?.close()
  return {
    ...(other
      ? {
        compared_added_median_ms: round(median(earlier) - median(gets), 3),
        compared_tool_call_median_ms: round(median(earlier), 3)
      }
      : {}),
    calls: n,
    tool_call_median_ms: round(median(calls), 3),
    direct_get_median_ms: round(median(gets), 3),
    added_median_ms: round(median(calls) - median(gets), 3),
    added_p99_ms: round(quantile(calls, 0.99) - quantile(gets, 0.99), 3),
    target_added_median_ms: 0.5
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 3. HTTP throughput

const CALL = { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "get_activities", arguments: { limit: 5 } } }
const HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" }

const load = async (concurrency: number, seconds: number, post: (worker: number) => Promise<void>) => {
  const deadline = now() + seconds * 1000
  let done = 0
  let failed = 0
  await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
    while (now() < deadline) {
      try {
        await post(worker)
        done++
      } catch {
        failed++
      }
    }
  }))
  return { per_second: round(done / seconds, 0), failed }
}

const statefulClient = async (url: string, workers: number) => {
  const sessions: Array<string> = []
  for (let i = 0; i < workers; i++) {
    const init = await fetch(`${url}/mcp`, {
      method: "POST",
      headers: HEADERS,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "1" } }
      })
    })
    await init.text()
    const session = init.headers.get("mcp-session-id")!
    sessions.push(session)
    const initialized = await fetch(`${url}/mcp`, {
      method: "POST",
      headers: { ...HEADERS, "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" },
      body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })
    })
    await initialized.text()
  }
  return async (worker: number) => {
    const response = await fetch(`${url}/mcp`, {
      method: "POST",
      headers: { ...HEADERS, "mcp-session-id": sessions[worker]!, "mcp-protocol-version": "2025-06-18" },
      body: JSON.stringify(CALL)
    })
    const text = await response.text()
    if (!response.ok || !text.includes("activities")) throw new Error(`HTTP ${response.status}`)
  }
}

const statelessClient = (url: string) => async () => {
  const response = await fetch(`${url}/mcp`, { method: "POST", headers: HEADERS, body: JSON.stringify(CALL) })
  const text = await response.text()
  if (!response.ok || !text.includes("activities")) throw new Error(`HTTP ${response.status}`)
}

const RAW_SERVER = `
const body = Buffer.from(process.env.BODY, "base64")
require("node:http").createServer((req, res) => {
  req.resume()
  req.on("end", () => { res.writeHead(200, { "content-type": "application/json" }); res.end(body) })
}).listen(0, "127.0.0.1", function () { console.log(this.address().port) })
`

const throughput = async (fake: FakeIntervals) => {
  const seconds = QUICK ? 1 : 3
  const levels = [1, 8, 32]
  const stateless = await startHttp(serverEnv(fake, { MCP_STATELESS: "true" }))
  // The raw server answers the bytes the real one sends for the same call.
  const sample = await fetch(`${stateless.url}/mcp`, { method: "POST", headers: HEADERS, body: JSON.stringify(CALL) })
  const bytes = Buffer.from(await sample.arrayBuffer())
  const raw = spawn(process.execPath, ["-e", RAW_SERVER], {
    env: { PATH: process.env["PATH"] ?? "", BODY: bytes.toString("base64") },
    stdio: ["ignore", "pipe", "ignore"]
  })
  const rawPort = await new Promise<string>((r) => raw.stdout!.once("data", (d: Buffer) => r(d.toString().trim())))
  const rawPost = async () => {
    const response = await fetch(`http://127.0.0.1:${rawPort}/mcp`, { method: "POST", headers: HEADERS, body: JSON.stringify(CALL) })
    await response.text()
  }
  const stateful = await startHttp(serverEnv(fake))
  const rows: Array<Record<string, unknown>> = []
  for (const concurrency of levels) {
    const rawResult = await load(concurrency, seconds, rawPost)
    const statelessResult = await load(concurrency, seconds, statelessClient(stateless.url))
    const statefulResult = await load(concurrency, seconds, await statefulClient(stateful.url, concurrency))
    rows.push({
      concurrency,
      raw_per_second: rawResult.per_second,
      stateless_per_second: statelessResult.per_second,
      stateful_per_second: statefulResult.per_second,
      stateless_vs_raw: round(statelessResult.per_second / rawResult.per_second),
      stateful_vs_raw: round(statefulResult.per_second / rawResult.per_second),
      failed: rawResult.failed + statelessResult.failed + statefulResult.failed
    })
  }
  await Promise.all([stop(stateless.child), stop(stateful.child), stop(raw)])
  return { seconds_per_level: seconds, response_bytes: bytes.length, levels: rows, target_vs_raw_at_32: 0.5 }
}

// ---------------------------------------------------------------------------------------------------------------
// 4. Memory

const memory = async (fake: FakeIntervals) => {
  const peer = new StdioPeer([ENTRY], serverEnv(fake))
  await peer.initialize()
  await peer.request("tools/list")
  await peer.call("get_activities", { limit: 5 })
  await sleep(1000)
  const idle = rssMiB(peer.child.pid!)
  const total = QUICK ? 2000 : 10_000
  let sent = 0
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (sent < total) {
      sent++
      await peer.call("get_activities", { limit: 5 })
    }
  }))
  await sleep(2000)
  const after = rssMiB(peer.child.pid!)
  await peer.close()
  return {
    calls: total,
    idle_rss_mib: round(idle, 1),
    after_rss_mib: round(after, 1),
    growth_percent: round(((after - idle) / idle) * 100, 1),
    target_growth_percent: 10
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 5. Answer sizes

const answerSizes = async (fake: FakeIntervals) => {
  const today = fake.fixtures.today
  const peer = new StdioPeer([ENTRY], serverEnv(fake))
  await peer.initialize()
  const list = await peer.request("tools/list")
  const calls: Array<[string, string, Record<string, unknown>]> = [
    ["get_activities (30 activities)", "get_activities", { start_date: addDays(today, -29), end_date: today, limit: 30 }],
    ["get_wellness_data (30 days)", "get_wellness_data", { start_date: addDays(today, -29), end_date: today }],
    ["get_activity_intervals (12 intervals)", "get_activity_intervals", { activity_id: POWER_RIDE_ID }],
    ["get_events (20 events)", "get_events", { start_date: addDays(today, 1), end_date: addDays(today, 20) }],
    ["get_activity_details", "get_activity_details", { activity_id: POWER_RIDE_ID }],
    ["get_event_by_id", "get_event_by_id", { event_id: 60_000 }]
  ]
  const rows = []
  for (const [label, name, args] of calls) {
    const result = await peer.call(name, args)
    if (result.isError) throw new Error(`${name}: ${result.content[0]?.text}`)
    const text = result.content.map((c) => c.text).join("\n")
    rows.push({
      tool: label,
      text_chars: text.length,
      text_tokens: Math.round(text.length / 4),
      structured_chars: JSON.stringify(result.structuredContent).length
    })
  }
  await peer.close()
  const listChars = JSON.stringify(list).length
  return {
    tools: rows,
    tools_list_chars: listChars,
    tools_list_tokens: Math.round(listChars / 4),
    tools_count: (list as { tools: Array<unknown> }).tools.length,
    target_tools_list_chars: 24_000
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 6. Upstream economy

const economy = async (fake: FakeIntervals) => {
  const today = fake.fixtures.today
  const peer = new StdioPeer([ENTRY], serverEnv(fake))
  await peer.initialize()
  fake.requests.length = 0
  const args = { start_date: addDays(today, -6), end_date: today }
  await Promise.all(Array.from({ length: 20 }, () => peer.call("get_activities", args)))
  const identicalUpstream = fake.requests.filter((r) => r.path.endsWith("/activities")).length

  fake.requests.length = 0
  const ids = fake.fixtures.activities.slice(0, 20).map((a) => a.id as string)
  const started = now()
  await Promise.all(ids.map((id) => peer.call("get_activity_details", { activity_id: id })))
  const burstMs = now() - started
  const times = fake.requests.map((r) => r.at).sort((a, b) => a - b)
  let peak = 0
  for (const [i, t] of times.entries()) peak = Math.max(peak, times.filter((u, j) => j >= i && u < t + 1000).length)
  await peer.close()
  return {
    identical_concurrent_calls: 20,
    identical_upstream_requests: identicalUpstream,
    target_identical_upstream_requests: 1,
    burst_calls: 20,
    burst_upstream_requests: times.length,
    burst_peak_requests_in_any_second: peak,
    pacing_limit_per_second: 10,
    burst_duration_ms: round(burstMs, 0)
  }
}

// ---------------------------------------------------------------------------------------------------------------

const main = async () => {
  const fake = await startFakeIntervals({ fixtures: benchFixtures() })
  const pkg = JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as { version: string }
  const results = {
    date: new Date().toISOString(),
    version: pkg.version,
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? "unknown",
      memory_gib: round(totalmem() / 1024 ** 3, 1),
      node: process.version,
      platform: process.platform
    },
    quick: QUICK,
    cold_start: await section("cold", () => coldStart(fake)),
    per_call_overhead: await section("overhead", () => overhead(fake)),
    http_throughput: await section("throughput", () => throughput(fake)),
    memory: await section("memory", () => memory(fake)),
    answer_size: await section("size", () => answerSizes(fake)),
    upstream_economy: await section("economy", () => economy(fake))
  }
  await fake.close()
  if (ONLY !== undefined) {
    console.log(JSON.stringify(results, null, 2))
    return
  }
  writeFileSync(resolve(ROOT, "bench/results.json"), JSON.stringify(results, null, 2) + "\n")

  const all = results as unknown as {
    cold_start: Awaited<ReturnType<typeof coldStart>>
    per_call_overhead: Awaited<ReturnType<typeof overhead>>
    http_throughput: Awaited<ReturnType<typeof throughput>>
    memory: Awaited<ReturnType<typeof memory>>
    answer_size: Awaited<ReturnType<typeof answerSizes>>
    upstream_economy: Awaited<ReturnType<typeof economy>>
  }
  const c = all.cold_start
  const o = all.per_call_overhead
  const m = all.memory
  const e = all.upstream_economy
  const a = all.answer_size
  console.log(`intervals-mcp ${results.version} on ${results.machine.cores} cores, ${results.machine.cpu}, Node ${results.machine.node}`)
  console.table({
    "cold start (spawn → initialize)": { value: `${c.server_ms} ms vs bare SDK ${c.baseline_ms} ms`, ratio: c.ratio, target: "≤ 1.25" },
    "per-call overhead, median": { value: `+${o.added_median_ms} ms (${o.tool_call_median_ms} vs ${o.direct_get_median_ms})`, ratio: "", target: "≤ 0.5 ms" },
    "per-call overhead, p99": { value: `+${o.added_p99_ms} ms`, ratio: "", target: "" },
    "memory after calls": { value: `${m.idle_rss_mib} → ${m.after_rss_mib} MiB after ${m.calls} calls`, ratio: `${m.growth_percent}%`, target: "< 10%" },
    "tools/list": { value: `${a.tools_list_chars} chars (${a.tools_count} tools)`, ratio: "", target: "≤ 24000" },
    "20 identical concurrent calls": { value: `${e.identical_upstream_requests} upstream request(s)`, ratio: "", target: "1" },
    "20 calls in a burst": { value: `peak ${e.burst_peak_requests_in_any_second} req in any second`, ratio: "", target: `≤ ${e.pacing_limit_per_second}` }
  })
  console.table(all.http_throughput.levels)
  console.table(a.tools)
  console.log("wrote bench/results.json")
}

await main()
