/**
 * Two replicas of the built server sharing one real Redis (`MCP_STORE_URL`), as the replicas profile of
 * docker-compose.yml runs them behind a proxy: a token issued by one is accepted by the other, a refresh works on
 * either, a revocation on one is seen by both, a token issued for another resource is refused, and the pace of
 * requests to Intervals.icu (`INTERVALS_RATE_LIMIT`) holds across them rather than per process.
 */
import { type CallToolResult, Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type FakeIntervals, startFakeIntervals } from "../fake/FakeIntervals.js"
import { API_KEY, ATHLETE_ID } from "../fake/Fixtures.js"
import { type HttpServerProcess, startHttpServer } from "../support/HttpServerProcess.js"
import {
  initializeWith,
  MemoryOAuthProvider,
  openSignIn,
  postSignIn,
  redirectParams,
  tokenRequest
} from "../support/OAuthFlow.js"
import { freePort, type RedisServer, startRedis } from "../support/RedisServer.js"

const OWNER = "owner-secret-for-replicas-0123456789abc"
const RATE = 4
const BURST = 2

let redis: RedisServer
let fake: FakeIntervals
let a: HttpServerProcess
let b: HttpServerProcess
let publicUrl: string

const replica = (port: number, extra: Record<string, string> = {}) =>
  startHttpServer({
    API_KEY,
    ATHLETE_ID,
    INTERVALS_API_BASE_URL: fake.baseUrl,
    MCP_TRANSPORT: "http",
    MCP_PORT: String(port),
    MCP_AUTH: "oauth",
    MCP_SERVER_API_KEY: OWNER,
    MCP_STORE_URL: redis.url,
    MCP_PUBLIC_URL: publicUrl,
    INTERVALS_RATE_LIMIT: String(RATE),
    INTERVALS_RATE_BURST: String(BURST),
    INTERVALS_CACHE: "off",
    MCP_AUTH_FAILURES_PER_MINUTE: "10000",
    ...extra
  })

beforeAll(async () => {
  redis = await startRedis()
  fake = await startFakeIntervals()
  const portA = await freePort()
  // Both replicas answer for one public URL, as they do behind the proxy: that URL is the issuer and the resource.
  publicUrl = `http://127.0.0.1:${portA}`
  ;[a, b] = await Promise.all([replica(portA), replica(await freePort())])
}, 60_000)

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()])
  await fake?.close()
  await redis?.stop()
})

const connectWith = async (origin: string, token: string) => {
  const client = new Client({ name: "replica-tests", version: "1.0.0" })
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } }
    })
  )
  return client
}

/** Signs in at replica A with the SDK's OAuth client; answers the client and its tokens. */
const signInAtA = async () => {
  const provider = new MemoryOAuthProvider("Replica client")
  const client = new Client({ name: "replica-tests", version: "1.0.0" })
  const transport = new StreamableHTTPClientTransport(new URL(`${a.origin}/mcp`), { authProvider: provider })
  await client.connect(transport).catch(() => undefined)
  const page = await openSignIn(provider.authorizationUrl!)
  const posted = await postSignIn(a.origin, page, { access: "write", secret: OWNER, action: "allow" }, { origin: publicUrl })
  expect(posted.status).toBe(303)
  await transport.finishAuth(redirectParams(posted.location))
  return provider
}

const ping = initializeWith

describe("two replicas, one Redis", () => {
  it("accept each other's tokens, refresh on either, and both see a revocation", async () => {
    const provider = await signInAtA()
    const token = provider.saved!.access_token
    const atB = await connectWith(b.origin, token)
    const result = await atB.callTool({ name: "get_athlete_profile", arguments: {} }) as CallToolResult
    expect(result.isError).not.toBe(true)
    await atB.close()

    // A refresh at B of what A issued, and the new token back at A.
    const refreshed = await tokenRequest(b.origin, {
      grant_type: "refresh_token",
      refresh_token: provider.saved!.refresh_token!,
      client_id: provider.client!.client_id
    })
    expect(refreshed.status).toBe(200)
    const newToken = String(refreshed.body["access_token"])
    expect((await ping(a.origin, newToken)).status).toBe(200)

    // Revoked at B: refused by both at once.
    const revoked = await fetch(`${b.origin}/revoke`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: newToken, client_id: provider.client!.client_id })
    })
    expect(revoked.status).toBe(200)
    expect((await ping(a.origin, newToken)).status).toBe(401)
    expect((await ping(b.origin, newToken)).status).toBe(401)
  })

  it("refuse a token issued for another resource (audience) on the same store", async () => {
    const provider = await signInAtA()
    const other = await replica(await freePort(), { MCP_PUBLIC_URL: "http://localhost:1" })
    try {
      const refused = await ping(other.origin, provider.saved!.access_token)
      expect(refused.status).toBe(401)
      expect(refused.headers.get("www-authenticate")).toContain(`error="invalid_token"`)
      // The same token still works where it was issued for.
      expect((await ping(b.origin, provider.saved!.access_token)).status).toBe(200)
    } finally {
      await other.stop()
    }
  })

  it("share the pace of requests to Intervals.icu: no second holds more than the rate, whichever replica sends", async () => {
    const clients = await Promise.all([connectWith(a.origin, OWNER), connectWith(b.origin, OWNER)])
    const before = fake.requests.length
    const started = Date.now()
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => clients[i % 2]!.callTool({ name: "get_athlete_profile", arguments: {} }))
    )
    const sent = fake.requests.slice(before).filter((r) => r.at >= started).map((r) => r.at).sort((x, y) => x - y)
    expect(sent.length).toBeGreaterThanOrEqual(12)
    // The busiest second of the run: one shared bucket lets at most BURST + RATE through in it; a bucket per replica
    // would let twice that.
    const busiest = Math.max(...sent.map((at) => sent.filter((other) => other >= at && other < at + 1000).length))
    console.log(
      `shared pace: ${sent.length} requests to Intervals.icu from 2 replicas in ${sent.at(-1)! - sent[0]!} ms; ` +
        `busiest second ${busiest} (INTERVALS_RATE_LIMIT=${RATE}, INTERVALS_RATE_BURST=${BURST})`
    )
    expect(busiest).toBeLessThanOrEqual(RATE + BURST)
    await Promise.all(clients.map((client) => client.close()))
  })
})
