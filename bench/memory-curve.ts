/**
 * RSS of the stdio server after 0, 5,000, 10,000, 20,000 and 30,000 calls: tells heap growth that levels off (V8
 * sizing its heap under load) from a leak (growth that keeps going). `npm run build && npx tsx bench/memory-curve.ts`;
 * FLAGS="--max-semi-space-size=2" passes Node flags to the server.
 */
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { startFakeIntervals } from "../test/fake/FakeIntervals.js"
import { benchFixtures } from "./BenchFixtures.js"
import { API_KEY, ATHLETE_ID } from "../test/fake/Fixtures.js"
const fake = await startFakeIntervals({ fixtures: benchFixtures() })
const child = spawn(process.execPath, [...(process.env.FLAGS ? process.env.FLAGS.split(" ") : []), "dist/main.js"], { env: { PATH: process.env.PATH!, API_KEY, ATHLETE_ID, INTERVALS_API_BASE_URL: fake.baseUrl, LOG_LEVEL: "Warning" }, stdio: ["pipe", "pipe", "inherit"] })
let buf = ""; const waits = new Map<number, () => void>()
child.stdout!.on("data", (d: Buffer) => { buf += d; let i; while ((i = buf.indexOf("\n")) >= 0) { const m = JSON.parse(buf.slice(0, i)); buf = buf.slice(i + 1); waits.get(m.id)?.() } })
let id = 1
const req = (method: string, params: unknown) => new Promise<void>((r) => { const n = id++; waits.set(n, () => { waits.delete(n); r() }); child.stdin!.write(JSON.stringify({ jsonrpc: "2.0", id: n, method, params }) + "\n") })
const rss = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))![1]) / 1024)
await req("initialize", { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "p", version: "1" } })
await req("tools/call", { name: "get_activities", arguments: { limit: 5 } })
await new Promise((r) => setTimeout(r, 1000))
const line = [`0:${rss()}`]
let sent = 0
for (const target of [5000, 10000, 20000, 30000]) {
  await Promise.all(Array.from({ length: 8 }, async () => { while (sent < target) { sent++; await req("tools/call", { name: "get_activities", arguments: { limit: 5 } }) } }))
  await new Promise((r) => setTimeout(r, 1500))
  line.push(`${target}:${rss()}`)
}
console.log(process.env.FLAGS ?? "", line.join(" "))
child.stdin!.end(); await new Promise((r) => child.on("exit", r)); await fake.close()
