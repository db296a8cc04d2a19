/**
 * `npm run bench`: the server's speed, memory and answer sizes, measured against the fake Intervals.icu over
 * loopback, each figure paired in the same run with a like-for-like baseline: a bare MCP SDK server bundled with the
 * same esbuild flags as ours (`bench/baseline-server.mjs`), `node -e 0`, and a raw `node:http` server. Every process
 * gets the same environment. Prints a table and writes bench/results.json. Run from a clean clone with
 * `npm ci && npm run bench` (it builds first). About two minutes on 2 cores; `-- --quick` shortens every section,
 * `-- --only=cold,overhead` runs some of them (cold, overhead, throughput, memory, size, economy).
 */
import { type ChildProcess, fork, spawn } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { Agent, request } from "node:http"
import { cpus, totalmem } from "node:os"
import { resolve } from "node:path"
import { build } from "esbuild"
import { type FakeIntervals, startFakeIntervals } from "../test/fake/FakeIntervals.js"
import { addDays, API_KEY, ATHLETE_ID } from "../test/fake/Fixtures.js"
import { bundleFlags } from "../scripts/bundleFlags.mjs"
import { type CallResult, measureAnswerSizes } from "./AnswerSize.js"
import { startupChunks } from "../test/support/StartupChunks.js"
import { benchFixtures } from "./BenchFixtures.js"

const ROOT = resolve(import.meta.dirname, "..")
const ENTRY = resolve(ROOT, "dist/main.js")
const BASELINE_DIR = resolve(ROOT, "bench/.dist")
const BASELINE = resolve(BASELINE_DIR, "baseline.js")
const QUICK = process.argv.includes("--quick")
/**
 * `--compare=path/to/main.js`: an earlier build of this server (`OUTDIR=… node scripts/build.mjs` on the other
 * commit), timed in the same runs, interleaved with this one, for the cold start and the per-call cost.
 */
const COMPARE = process.argv.find((arg) => arg.startsWith("--compare="))?.slice(10)
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

/** CPU time (user + system) a process has used, in ms, from /proc (the clock tick is 100 Hz on Linux). */
const cpuMs = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** The same environment for every process the bench starts, ours and the baselines alike. */
const serverEnv = (fake: FakeIntervals, extra: Record<string, string> = {}) => ({
  PATH: process.env["PATH"] ?? "",
  API_KEY,
  ATHLETE_ID,
  INTERVALS_API_BASE_URL: fake.baseUrl,
  LOG_LEVEL: "Warning",
  ...extra
})

/** A minimal JSON-RPC client over a child's stdio: no validation on our side, so it measures the server. */
class StdioPeer {
  private buffer = ""
  private next = 1
  private readonly pending = new Map<number, (message: { result?: unknown; error?: unknown }) => void>()
  readonly child: ChildProcess
  readonly started = now()

  constructor(args: Array<string>, env: Record<string, string>) {
    this.child = spawn(process.execPath, args, { env, cwd: ROOT, stdio: ["pipe", "pipe", "ignore"] })
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

  async call(name: string, args: Record<string, unknown>) {
    const result = await this.request<CallResult>("tools/call", { name, arguments: args })
    if (result.isError) throw new Error(`${name}: ${result.content[0]?.text}`)
    return result
  }

  async close() {
    this.child.stdin!.end()
    if (this.child.exitCode === null) await new Promise((r) => this.child.on("exit", r))
  }
}

const stop = async (child: ChildProcess) => {
  if (child.exitCode !== null) return
  child.kill("SIGTERM")
  await new Promise((r) => child.on("exit", r))
}

/** The baseline server, bundled with the server's own esbuild flags (minified, split, same target and banner). */
const buildBaseline = () =>
  build({
    ...bundleFlags,
    entryPoints: { baseline: resolve(ROOT, "bench/baseline-server.mjs") },
    outdir: BASELINE_DIR,
    outExtension: { ".js": ".js" }
  })

// ---------------------------------------------------------------------------------------------------------------
// 1. Cold start, and what each chunk loaded before `initialize` costs

/** What a chunk is made of, by package, from its source map (shares of the original sources' size). */
const holdings = (file: string) => {
  const map = JSON.parse(readFileSync(`${file}.map`, "utf8")) as { sources: Array<string>; sourcesContent?: Array<string> }
  const sizes = new Map<string, number>()
  map.sources.forEach((source, i) => {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)?.[1] ?? "intervals-mcp"
    sizes.set(name, (sizes.get(name) ?? 0) + (map.sourcesContent?.[i]?.length ?? 0))
  })
  const total = [...sizes.values()].reduce((a, b) => a + b, 0) || 1
  return [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([name, n]) => `${name} ${Math.round((n / total) * 100)}%`)
    .join(", ")
}
const kibOf = (dir: string, files: ReadonlyArray<string>) =>
  round(files.reduce((n, f) => n + readFileSync(resolve(dir, f)).length, 0) / 1024, 0)

/** In one fresh process, imports the chunks one by one in dependency order: each one's own compile and evaluation. */
const CHUNK_TIMER = `
const files = JSON.parse(process.argv[1]); const out = []
for (const f of files) { const t = performance.now(); await import(f); out.push(performance.now() - t) }
console.log(JSON.stringify(out)); process.exit(0)
`

const coldStart = async (fake: FakeIntervals) => {
  const runs = QUICK ? 7 : 21
  const env = serverEnv(fake)
  /** spawn → `initialize` answered, and → the first `tools/list` answered (when the server can be used). */
  const time = async (args: Array<string>): Promise<readonly [number, number]> => {
    if (args[0] === "-e") {
      const started = now()
      await new Promise((r) => spawn(process.execPath, args, { env, stdio: "ignore" }).on("exit", r))
      return [now() - started, now() - started]
    }
    const peer = new StdioPeer(args, env)
    await peer.initialize()
    const initialized = now() - peer.started
    await peer.request("tools/list")
    const listed = now() - peer.started
    await peer.close()
    return [initialized, listed]
  }
  const subjects: Record<string, Array<string>> = {
    ours: [ENTRY],
    bare_sdk_bundle: [BASELINE],
    node: ["-e", "0"],
    ...(COMPARE ? { compared: [COMPARE] } : {})
  }
  const times: Record<string, Array<number>> = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]))
  const listTimes: Record<string, Array<number>> = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]))
  for (const args of Object.values(subjects)) await time(args)
  for (let i = 0; i < runs; i++) {
    // Interleaved, and the order rotated, so that a slow moment of the machine falls on each in turn.
    const keys = Object.keys(subjects)
    for (let j = 0; j < keys.length; j++) {
      const key = keys[(i + j) % keys.length]!
      const [initialized, listed] = await time(subjects[key]!)
      times[key]!.push(initialized)
      listTimes[key]!.push(listed)
    }
  }
  const ms = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, round(median(v), 1)]))
  const chunks = startupChunks(resolve(ROOT, "dist"), "main.js").filter((file) => file !== "main.js")
  const chunkRuns: Array<Array<number>> = []
  for (let i = 0; i < (QUICK ? 3 : 7); i++) {
    const child = spawn(process.execPath, ["--input-type=module", "-e", CHUNK_TIMER, JSON.stringify(chunks.map((c) => resolve(ROOT, "dist", c)))], { env, stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    child.stdout!.on("data", (d: Buffer) => (out += d))
    await new Promise((r) => child.on("exit", r))
    chunkRuns.push(JSON.parse(out) as Array<number>)
  }
  return {
    runs,
    median_ms: ms,
    ratio_vs_bare_sdk_bundle: round(ms["ours"]! / ms["bare_sdk_bundle"]!),
    ratio_above_node: round((ms["ours"]! - ms["node"]!) / (ms["bare_sdk_bundle"]! - ms["node"]!)),
    first_tools_list_answered_median_ms: {
      ours: round(median(listTimes["ours"]!), 1),
      bare_sdk_bundle: round(median(listTimes["bare_sdk_bundle"]!), 1)
    },
    target_ratio: 1.3,
    kib_loaded_before_initialize: {
      ours: kibOf(resolve(ROOT, "dist"), startupChunks(resolve(ROOT, "dist"), "main.js")),
      bare_sdk_bundle: kibOf(BASELINE_DIR, startupChunks(BASELINE_DIR, "baseline.js"))
    },
    chunks_before_initialize: chunks.map((chunk, i) => ({
      chunk,
      holds: holdings(resolve(ROOT, "dist", chunk)),
      kib: round(readFileSync(resolve(ROOT, "dist", chunk)).length / 1024, 0),
      import_ms: round(median(chunkRuns.map((run) => run[i]!)), 1)
    })),
    ...(COMPARE ? { vs_compared: round(ms["ours"]! / ms["compared"]!, 3) } : {})
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Per-call overhead of an uncached read

const overhead = async (fake: FakeIntervals) => {
  const id = fake.fixtures.activities[3]!.id as string
  const env = serverEnv(fake, { INTERVALS_CACHE: "off", INTERVALS_RATE_LIMIT: "0" })
  const ours = new StdioPeer([ENTRY], env)
  const cached = new StdioPeer([ENTRY], serverEnv(fake, { INTERVALS_RATE_LIMIT: "0" }))
  const bare = new StdioPeer([BASELINE], env)
  const other = COMPARE ? new StdioPeer([COMPARE], env) : undefined
  await Promise.all([ours.initialize(), cached.initialize(), bare.initialize(), other?.initialize()])
  // The very URL our server asks for (path and query), read from the fake's log.
  fake.requests.length = 0
  await ours.call("get_activity_details", { activity_id: id })
  const asked = fake.requests.find((r) => r.path.includes(`/activity/${id}`))!
  const url = `${fake.baseUrl.replace(/\/api\/v1$/, "")}${asked.path}?${new URLSearchParams(asked.query)}`
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const authorization = `Basic ${Buffer.from(`API_KEY:${API_KEY}`).toString("base64")}`
  const rawGet = () =>
    new Promise<void>((resolvePromise, reject) => {
      request(url, { agent, headers: { authorization, accept: "application/json" } }, (response) => {
        response.resume()
        response.on("end", () => resolvePromise())
      }).on("error", reject).end()
    })
  const subjects: Record<string, () => Promise<unknown>> = {
    ours: () => ours.call("get_activity_details", { activity_id: id }),
    bare_sdk_get: () => bare.call("get", { url }),
    bare_sdk_echo: () => bare.call("echo", { text: "x" }),
    raw_get: rawGet,
    ours_cache_on: () => cached.call("get_activity_details", { activity_id: id }),
    ...(other ? { compared: () => other.call("get_activity_details", { activity_id: id }) } : {})
  }
  const times: Record<string, Array<number>> = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]))
  for (let i = 0; i < 100; i++) for (const run of Object.values(subjects)) await run()
  const n = QUICK ? 300 : 2000
  for (let i = 0; i < n; i++) {
    for (const [key, run] of Object.entries(subjects)) {
      const t = now()
      await run()
      times[key]!.push(now() - t)
    }
  }
  await Promise.all([ours.close(), cached.close(), bare.close(), other?.close()])
  agent.destroy()
  const stats = Object.fromEntries(
    Object.entries(times).map(([k, v]) => [k, { median_ms: round(median(v), 3), p99_ms: round(quantile(v, 0.99), 3) }])
  )
  return {
    calls: n,
    tool: "get_activity_details (INTERVALS_CACHE=off, no pacing)",
    ...stats,
    added_median_ms: round(stats["ours"]!.median_ms - stats["bare_sdk_get"]!.median_ms, 3),
    added_p99_ms: round(stats["ours"]!.p99_ms - stats["bare_sdk_get"]!.p99_ms, 3),
    target_added_median_ms: 0.5,
    target_p99_ms: 2
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 3. HTTP throughput per server CPU-second

const startHttp = (env: Record<string, string>) =>
  new Promise<{ child: ChildProcess; url: string }>((resolvePromise, reject) => {
    const child = spawn(process.execPath, [ENTRY], {
      env: { ...env, MCP_TRANSPORT: "http", MCP_PORT: "0", LOG_LEVEL: "Info" },
      stdio: ["ignore", "ignore", "pipe"]
    })
    let stderr = ""
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
      const match = /at (http:\/\/127\.0\.0\.1:\d+)\/mcp/.exec(stderr)
      if (match) {
        // Request logging stays as configured (part of the real cost) but nobody reads it.
        child.stderr!.removeAllListeners("data")
        child.stderr!.resume()
        resolvePromise({ child, url: `${match[1]!}/mcp` })
      }
    })
    child.on("exit", (code) => reject(new Error(`http server exited ${code}: ${stderr}`)))
  })

const RAW_SERVER = `
const body = Buffer.from(process.env.BODY, "base64")
require("node:http").createServer((req, res) => {
  req.resume()
  req.on("end", () => { res.writeHead(200, { "content-type": "application/json" }); res.end(body) })
}).listen(0, "127.0.0.1", function () { console.log(this.address().port) })
`

interface Counts {
  readonly done: number
  readonly failed: number
  readonly cpu_ms: number
}

/**
 * Drives one server with `processes` load-generator processes (bench/LoadWorker.mjs) holding `concurrency` calls in
 * flight between them: a warm-up, then `samples` samples, each read as calls answered and the server's CPU time
 * (from /proc) over the same interval.
 */
const drive = async (options: {
  readonly url: string
  readonly mode: "raw" | "stateful" | "stateless"
  readonly server: ChildProcess
  readonly today: string
  readonly concurrency: number
}) => {
  const processes = 4
  const warmupMs = QUICK ? 500 : 1500
  const sampleMs = QUICK ? 1000 : 3000
  const samples = QUICK ? 2 : 3
  const workers = Array.from({ length: processes }, (_, worker) =>
    fork(resolve(ROOT, "bench/LoadWorker.mjs"), [JSON.stringify({ ...options, server: undefined, concurrency: options.concurrency / processes, worker })], {
      stdio: ["ignore", "ignore", "inherit", "ipc"]
    }))
  await Promise.all(workers.map((w) => new Promise((r) => w.once("message", r))))
  const count = () =>
    Promise.all(workers.map((w) => new Promise<Counts>((r) => {
      w.once("message", (m) => r(m as Counts))
      w.send("count")
    }))).then((all) => ({
      done: all.reduce((n, c) => n + c.done, 0),
      failed: all.reduce((n, c) => n + c.failed, 0),
      cpu_ms: all.reduce((n, c) => n + c.cpu_ms, 0)
    }))
  await sleep(warmupMs)
  const rows: Array<Record<"per_second" | "per_server_cpu_second" | "server_cpu_percent" | "generator_cpu_percent" | "failed", number>> = []
  for (let i = 0; i < samples; i++) {
    const before = await count()
    const serverBefore = cpuMs(options.server.pid!)
    const t = now()
    await sleep(sampleMs)
    const after = await count()
    const serverCpu = cpuMs(options.server.pid!) - serverBefore
    const seconds = (now() - t) / 1000
    const calls = after.done - before.done
    rows.push({
      per_second: calls / seconds,
      per_server_cpu_second: calls / (serverCpu / 1000),
      server_cpu_percent: (serverCpu / 10) / seconds,
      generator_cpu_percent: ((after.cpu_ms - before.cpu_ms) / 10) / seconds,
      failed: after.failed - before.failed
    })
  }
  await Promise.all(workers.map((w) => {
    w.send("stop")
    return new Promise((r) => w.on("exit", r))
  }))
  const med = (key: keyof (typeof rows)[number]) => round(median(rows.map((r) => r[key])), 0)
  return {
    samples,
    per_second: med("per_second"),
    per_server_cpu_second: med("per_server_cpu_second"),
    per_server_cpu_second_samples: rows.map((r) => round(r.per_server_cpu_second, 0)),
    server_cpu_percent: med("server_cpu_percent"),
    generator_cpu_percent: med("generator_cpu_percent"),
    failed: rows.reduce((n, r) => n + r.failed, 0)
  }
}

/** A server process that prints its port on stdout when it listens (the raw and bare SDK baselines). */
const startPrinting = async (args: Array<string>, env: Record<string, string>) => {
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "inherit"] })
  const port = await new Promise<string>((r) => child.stdout!.once("data", (d: Buffer) => r(d.toString().trim())))
  return { child, url: `http://127.0.0.1:${port}/mcp` }
}

const throughput = async (fake: FakeIntervals) => {
  const concurrency = 32
  const today = fake.fixtures.today
  // Pacing off: the figure is the server's work, not the pace it keeps towards Intervals.icu.
  const env = serverEnv(fake, { INTERVALS_RATE_LIMIT: "0" })
  const cells: Record<string, Awaited<ReturnType<typeof drive>>> = {}
  let bytes: Buffer | undefined
  let text = ""
  for (const [name, extra] of [
    ["stateless, cache on", { MCP_STATELESS: "true" }],
    ["stateless, cache off", { MCP_STATELESS: "true", INTERVALS_CACHE: "off" }],
    ["stateful, cache on", {}],
    ["stateful, cache off", { INTERVALS_CACHE: "off" }]
  ] as const) {
    const server = await startHttp({ ...env, ...extra })
    if (bytes === undefined) {
      // What ours answers to a call of the tool the load makes: the raw server sends these bytes, the bare SDK this text.
      const sample = await fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "get_activities", arguments: { limit: 5 } } })
      })
      bytes = Buffer.from(await sample.arrayBuffer())
      const answer = JSON.parse(bytes.toString("utf8")) as { result?: CallResult }
      if (answer.result === undefined || answer.result.isError) throw new Error(`sample call failed: ${bytes.toString("utf8").slice(0, 300)}`)
      text = answer.result.content.map((c) => c.text ?? "").join("\n")
    }
    cells[name] = await drive({ url: server.url, mode: name.startsWith("stateful") ? "stateful" : "stateless", server: server.child, today, concurrency })
    await stop(server.child)
  }
  const bare = await startPrinting([BASELINE], { ...env, BASELINE_HTTP: "1", BASELINE_TEXT: text })
  const bareCell = await drive({ url: bare.url, mode: "stateless", server: bare.child, today, concurrency })
  await stop(bare.child)
  // The raw server answers the bytes ours sends for a call of the same tool, whatever it is asked.
  const raw = await startPrinting(["-e", RAW_SERVER], { PATH: process.env["PATH"] ?? "", BODY: bytes!.toString("base64") })
  const rawCell = await drive({ url: raw.url, mode: "raw", server: raw.child, today, concurrency })
  await stop(raw.child)
  const vs = (cell: { per_server_cpu_second: number }) => ({
    vs_raw_per_server_cpu_second: round(cell.per_server_cpu_second / rawCell.per_server_cpu_second, 3),
    vs_bare_sdk_per_server_cpu_second: round(cell.per_server_cpu_second / bareCell.per_server_cpu_second, 2)
  })
  return {
    concurrency,
    load_generator: "4 processes of bench/LoadWorker.mjs (keep-alive node:http), 8 calls in flight each",
    mix: "half one repeated get_activities (a hit when the cache is on), half a window not asked before (a miss)",
    response_bytes: bytes!.length,
    raw_node_http: rawCell,
    bare_sdk_stateless: { ...bareCell, ...vs(bareCell) },
    ...Object.fromEntries(Object.entries(cells).map(([name, cell]) => [name, { ...cell, ...vs(cell) }])),
    target_vs_raw_per_server_cpu_second: 0.5
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 4. Memory

/** RSS idle after start, and after `calls` sequential calls, of one stdio server. */
const memoryOf = async (args: Array<string>, env: Record<string, string>, call: (peer: StdioPeer) => Promise<unknown>, calls: number) => {
  const peer = new StdioPeer(args, env)
  await peer.initialize()
  await peer.request("tools/list")
  await call(peer)
  await sleep(1000)
  const idle = rssMiB(peer.child.pid!)
  for (let i = 0; i < calls; i++) await call(peer)
  await sleep(1500)
  const after = rssMiB(peer.child.pid!)
  await peer.close()
  return { idle_rss_mib: round(idle, 1), after_rss_mib: round(after, 1), growth_percent: round(((after - idle) / idle) * 100, 1) }
}

const CONTAINER_FLAGS = (() => {
  const dockerfile = readFileSync(resolve(ROOT, "Dockerfile"), "utf8")
  return /NODE_OPTIONS="([^"]*)"/.exec(dockerfile)?.[1] ?? ""
})()

const memory = async (fake: FakeIntervals) => {
  const calls = QUICK ? 2000 : 10_000
  const env = serverEnv(fake)
  const read = (peer: StdioPeer) => peer.call("get_activities", { limit: 5 })
  const ours = await memoryOf([ENTRY], env, read, calls)
  const bare = await memoryOf([BASELINE], env, (peer) => peer.call("echo", { text: "x" }), calls)
  const flagged = await memoryOf([...CONTAINER_FLAGS.split(" ").filter(Boolean), ENTRY], env, read, calls)
  return {
    calls,
    ours,
    bare_sdk_bundle: bare,
    growth_points_over_bare_sdk: round(ours.growth_percent - bare.growth_percent, 1),
    [`ours with the container's NODE_OPTIONS (${CONTAINER_FLAGS})`]: flagged,
    target_idle_rss_mib: 60,
    target_growth_points_over_bare_sdk: 10
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 5. Answer sizes, against the old server's text for the same data

const answerSizes = async (fake: FakeIntervals) => {
  const peer = new StdioPeer([ENTRY], serverEnv(fake))
  await peer.initialize()
  const list = await peer.request("tools/list")
  const sizes = await measureAnswerSizes((name, args) => peer.call(name, args), fake.fixtures)
  await peer.close()
  const listChars = JSON.stringify(list).length
  return {
    ...sizes,
    tools_list_chars: listChars,
    tools_count: (list as { tools: Array<unknown> }).tools.length,
    target_tools_list_chars: 32_000
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 6. Upstream economy and pacing (defaults: 10 requests/s sustained, bursts of 15)

const economy = async (fake: FakeIntervals) => {
  const today = fake.fixtures.today
  const peer = new StdioPeer([ENTRY], serverEnv(fake))
  await peer.initialize()
  fake.requests.length = 0
  const args = { start_date: addDays(today, -6), end_date: today }
  await Promise.all(Array.from({ length: 20 }, () => peer.call("get_activities", args)))
  const identicalUpstream = fake.requests.filter((r) => r.path.endsWith("/activities")).length

  // A lone call and a short run of sequential calls never wait for the pace.
  const ids = fake.fixtures.activities.map((a) => a.id as string)
  const lone: Array<number> = []
  for (const id of ids.slice(0, 10)) {
    const t = now()
    await peer.call("get_activity_details", { activity_id: id })
    lone.push(now() - t)
  }
  await sleep(2000)
  // A long burst is spaced: 30 different reads at once.
  fake.requests.length = 0
  const started = now()
  await Promise.all(ids.slice(10, 30).concat(ids.slice(0, 10)).map((id) => peer.call("get_activity_intervals", { activity_id: id })))
  const burstMs = now() - started
  const times = fake.requests.map((r) => r.at).sort((a, b) => a - b)
  const peakIn = (windowMs: number) =>
    times.reduce((peak, t, i) => Math.max(peak, times.filter((u, j) => j >= i && u < t + windowMs).length), 0)
  await peer.close()
  return {
    identical_concurrent_calls: 20,
    identical_upstream_requests: identicalUpstream,
    target_identical_upstream_requests: 1,
    sequential_calls_median_ms: round(median(lone), 2),
    sequential_calls_max_ms: round(Math.max(...lone), 2),
    burst_calls: 30,
    burst_upstream_requests: times.length,
    burst_peak_requests_in_any_second: peakIn(1000),
    burst_peak_requests_in_any_10_seconds: peakIn(10_000),
    burst_duration_ms: round(burstMs, 0),
    target_peak_in_any_second: 30,
    target_peak_in_any_10_seconds: 132
  }
}

// ---------------------------------------------------------------------------------------------------------------

const main = async () => {
  await buildBaseline()
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
  console.log(JSON.stringify(results, null, 2))
  if (ONLY === undefined && !QUICK) {
    writeFileSync(resolve(ROOT, "bench/results.json"), JSON.stringify(results, null, 2) + "\n")
    console.log("wrote bench/results.json")
  }
}

await main()
