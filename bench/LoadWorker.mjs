// One load-generator process of the throughput bench (bench/run.ts forks several, so that the load generator is not
// the bottleneck of what it measures). Plain Node, no TypeScript loader, keep-alive node:http: the least client work
// per request. It keeps `concurrency` requests in flight until told to stop, and answers "count" with how many
// answers it got (and how many were wrong), so that the parent can read counts at the edges of each sample.
import { Agent, request } from "node:http"

const config = JSON.parse(process.argv[2])
const { url, mode, concurrency, today, worker } = config
const target = new URL(url)
const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
const HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" }
const VERSION = "2025-06-18"

const post = (body, headers = {}) =>
  new Promise((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(body))
    const req = request(target, {
      method: "POST",
      agent,
      headers: { ...HEADERS, ...headers, "content-length": payload.length }
    }, (response) => {
      const chunks = []
      response.on("data", (chunk) => chunks.push(chunk))
      response.on("end", () =>
        resolve({ status: response.statusCode, headers: response.headers, text: Buffer.concat(chunks).toString() }))
      response.on("error", reject)
    })
    req.on("error", reject)
    req.end(payload)
  })

const addDays = (day, n) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)

/**
 * The calls: half repeat one read (a cache hit when the cache is on), half ask a window never asked before in this
 * run (a miss, which goes to the fake Intervals.icu): 50 limits × 2,000 start dates, offset per worker.
 */
let sequence = worker * 1_000_003
const nextCall = (id) => {
  sequence++
  const fresh = sequence % 2 === 1
  const k = Math.floor(sequence / 2)
  const args = fresh
    ? { start_date: addDays(today, -(1 + (Math.floor(k / 50) % 2000))), end_date: today, limit: 1 + (k % 50) }
    : { limit: 5 }
  return { jsonrpc: "2.0", id, method: "tools/call", params: { name: "get_activities", arguments: args } }
}

const openSession = async () => {
  const init = await post({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: "bench", version: "1" } }
  })
  const session = init.headers["mcp-session-id"]
  if (!session) throw new Error(`no session: HTTP ${init.status} ${init.text.slice(0, 200)}`)
  const headers = { "mcp-session-id": session, "mcp-protocol-version": VERSION }
  await post({ jsonrpc: "2.0", method: "notifications/initialized" }, headers)
  return headers
}

let done = 0
let failed = 0
let stopping = false
const loop = async (headers) => {
  let id = 2
  while (!stopping) {
    try {
      const answer = await post(nextCall(id++), headers)
      if (answer.status === 200 && (mode === "raw" || (answer.text.includes("\"result\"") && !answer.text.includes("\"isError\":true")))) done++
      else failed++
    } catch {
      failed++
    }
  }
}

const sessions = mode === "stateful"
  ? await Promise.all(Array.from({ length: concurrency }, openSession))
  : Array.from({ length: concurrency }, () => ({}))
const loops = sessions.map(loop)
process.send({ ready: true })
process.on("message", async (message) => {
  if (message === "count") process.send({ done, failed, cpu_ms: process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000 })
  if (message === "stop") {
    stopping = true
    await Promise.all(loops)
    process.exit(0)
  }
})
