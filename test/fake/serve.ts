/**
 * Runs the fake Intervals.icu by hand: `npx tsx test/fake/serve.ts [port]`, then point the server at it with the
 * variables this prints. Stops on Ctrl-C.
 */
import { API_KEY, ATHLETE_ID } from "./Fixtures.js"
import { startFakeIntervals } from "./FakeIntervals.js"

const fake = await startFakeIntervals({ port: Number(process.argv[2] ?? process.env["PORT"] ?? 8765) })
console.log(`fake Intervals.icu on ${fake.url} (athlete ${ATHLETE_ID}, today ${fake.fixtures.today})`)
console.log(`API_KEY=${API_KEY} ATHLETE_ID=${ATHLETE_ID} INTERVALS_API_BASE_URL=${fake.baseUrl} node dist/main.js`)
setInterval(() => {
  const fresh = fake.requests.splice(0)
  for (const r of fresh) console.log(r.method, r.path, new URLSearchParams(r.query).toString(), r.auth)
}, 250)
process.on("SIGINT", () => void fake.close().then(() => process.exit(0)))
