/**
 * The built server's OAuth 2.1 authorization and resource server (`MCP_AUTH=oauth`) under attack, over real HTTP on
 * loopback: a malicious client, a malicious web page and a broken or malicious upstream try open redirects, code
 * theft and replay, PKCE downgrades, HTML injection into the sign-in page, cross-site posts, login CSRF through
 * "Continue with Intervals.icu", brute force of the owner secret, token and session confusion, writes through a
 * read-only grant by every path, floods, store failure, and secrets in the logs. Each test asserts the safe behaviour:
 * a failing test is a hole.
 */
import { type CallToolResult, Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import {
  type FakeIntervals,
  OAUTH_ACCESS_TOKEN,
  OAUTH_CLIENT_ID,
  OAUTH_CLIENT_SECRET,
  startFakeIntervals
} from "../fake/FakeIntervals.js"
import { API_KEY, ATHLETE_ID } from "../fake/Fixtures.js"
import { type HttpServerProcess, initializeBody, MCP_HEADERS, rawRequest, startHttpServer } from "../support/HttpServerProcess.js"
import { openSignIn, postSignIn, REDIRECT_URI, redirectParams, type SignInPage } from "../support/OAuthFlow.js"
import { rawSocket, sleep } from "../support/RawSocket.js"
import { startRedis } from "../support/RedisServer.js"
import { clientFor } from "../support/StdioServer.js"

const OWNER = "attack-owner-secret-0123456789abcdef-xyz"
const FAKE_INTERVALS_CODE = "fake-intervals-code-91"
const VERIFIER = "attack-verifier-".padEnd(64, "q")

const challengeOf = async (verifier: string) =>
  Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))).toString("base64url")

/** Every secret seen in the run: none may reach any server's logs. */
const secrets = new Set<string>([OWNER, API_KEY, OAUTH_ACCESS_TOKEN, OAUTH_CLIENT_SECRET, FAKE_INTERVALS_CODE])
const keep = (...values: Array<unknown>) => {
  for (const value of values) if (typeof value === "string" && value.length >= 8) secrets.add(value)
}

/** What no error answer may hold: a stack, a source path, a module. */
const noLeak = (text: string) => {
  expect(text).not.toMatch(/\n\s+at /)
  expect(text).not.toMatch(/node_modules|\.ts:\d+|\.js:\d+|file:\/\//)
}

const baseEnv = (fake: FakeIntervals) => ({
  API_KEY,
  ATHLETE_ID,
  INTERVALS_API_BASE_URL: fake.baseUrl,
  MCP_TRANSPORT: "http",
  MCP_AUTH: "oauth",
  MCP_SERVER_API_KEY: OWNER,
  MCP_STORE: "memory",
  INTERVALS_WRITE_MODE: "full",
  INTERVALS_OAUTH_CLIENT_ID: OAUTH_CLIENT_ID,
  INTERVALS_OAUTH_CLIENT_SECRET: OAUTH_CLIENT_SECRET,
  INTERVALS_OAUTH_URL: fake.url,
  MCP_AUTH_FAILURES_PER_MINUTE: "10000",
  MCP_REGISTRATIONS_PER_HOUR: "5000",
  MCP_SIGNIN_PAGES_PER_10_MIN: "5000",
  LOG_LEVEL: "Debug"
})

/** A client of one server, played by plain HTTP. */
const actor = (origin: string) => {
  const register = async (body: Record<string, unknown> = {}) => {
    const response = await fetch(`${origin}/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_name: "Attacker", redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none", ...body })
    })
    const answer = await response.json() as { client_id: string; client_secret?: string }
    expect(response.status).toBe(201)
    keep(answer.client_secret)
    return answer
  }
  const authorizeUrl = async (clientId: string, extra: Record<string, string> = {}, verifier = VERIFIER) =>
    `${origin}/authorize?${new URLSearchParams({
      response_type: "code",
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      code_challenge: await challengeOf(verifier),
      code_challenge_method: "S256",
      state: "st",
      ...extra
    })}`
  const page = async (clientId: string, extra: Record<string, string> = {}, verifier = VERIFIER) => {
    const opened = await openSignIn(await authorizeUrl(clientId, extra, verifier))
    expect(opened.status).toBe(200)
    keep(opened.csrf, opened.request)
    return opened
  }
  const codeFor = async (clientId: string, access: "read" | "write" | "delete" = "read", verifier = VERIFIER) => {
    const opened = await page(clientId, {}, verifier)
    const posted = await postSignIn(origin, opened, { access, secret: OWNER, action: "allow" })
    expect(posted.status).toBe(303)
    const code = redirectParams(posted.location).get("code")!
    keep(code)
    return code
  }
  const token = async (fields: Record<string, string>, headers: Record<string, string> = {}) => {
    const response = await fetch(`${origin}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(fields)
    })
    const text = await response.text()
    let body: Record<string, unknown> = {}
    try {
      body = JSON.parse(text) as Record<string, unknown>
    } catch {
      body = { raw: text }
    }
    keep(body["access_token"], body["refresh_token"])
    return { status: response.status, body, text, headers: response.headers }
  }
  const exchange = (clientId: string, code: string, verifier = VERIFIER) =>
    token({ grant_type: "authorization_code", code, client_id: clientId, redirect_uri: REDIRECT_URI, code_verifier: verifier })
  /** A fresh public client, signed in with the owner secret for `access`: its tokens. */
  const grant = async (access: "read" | "write" | "delete" = "read") => {
    const { client_id } = await register()
    const answer = await exchange(client_id, await codeFor(client_id, access))
    expect(answer.status).toBe(200)
    return { clientId: client_id, access: String(answer.body["access_token"]), refresh: String(answer.body["refresh_token"]) }
  }
  const mcp = (authorization: string | undefined, body: unknown, headers: Record<string, string> = {}) =>
    rawRequest(`${origin}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, ...(authorization === undefined ? {} : { authorization }), ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body)
    })
  const connect = async (accessToken: string, era: "2025" | "2026-07-28" = "2025") => {
    const client = era === "2025" ? new Client({ name: "attack", version: "1.0.0" }) : clientFor("2026-07-28")
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${accessToken}` } }
      })
    )
    return client
  }
  return { register, authorizeUrl, page, codeFor, token, exchange, grant, mcp, connect }
}

const signInForm = (origin: string, page: SignInPage, fields: Record<string, string>, headers: Record<string, string>) =>
  fetch(`${origin}/authorize`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin, cookie: page.cookie, ...headers },
    body: new URLSearchParams({ request: page.request, csrf: page.csrf, ...fields })
  })

let fake: FakeIntervals
let server: HttpServerProcess
let as: ReturnType<typeof actor>
const servers: Array<HttpServerProcess> = []

beforeAll(async () => {
  fake = await startFakeIntervals()
  server = await startHttpServer(baseEnv(fake))
  servers.push(server)
  as = actor(server.origin)
})
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()))
  await fake?.close()
})

describe("open redirects at /authorize", () => {
  it("never redirects to a redirect URI that is not exactly a registered one, whatever the look-alike", async () => {
    const { client_id } = await as.register()
    const lookAlikes = [
      "http://127.0.0.1:9/oauth/callback/",
      "http://127.0.0.1:9/oauth/callback?x=1",
      "http://127.0.0.1:9/oauth/callback#x",
      "http://127.0.0.1:9/OAUTH/callback",
      "HTTP://127.0.0.1:9/oauth/callback",
      "http://127.0.0.1:9/oauth%2Fcallback",
      "http://127.0.0.1:9/%6Fauth/callback",
      "http://127.0.0.1:9/oauth/callback/../callback",
      "http://127.0.0.1:9//oauth/callback",
      "http://127.0.0.1:90/oauth/callback",
      "http://127.0.0.1/oauth/callback",
      "http://localhost:9/oauth/callback",
      "http://[::1]:9/oauth/callback",
      "http://127.0.0.1:9@evil.example/oauth/callback",
      "http://evil.example@127.0.0.1:9/oauth/callback",
      "http://127.0.0.1:9\\@evil.example/oauth/callback",
      "http://127.0.0.1:9/oauth/callback\u0000",
      " http://127.0.0.1:9/oauth/callback",
      "http://127.0.0.1:9/oauth/callback ",
      "https://127.0.0.1:9/oauth/callback",
      "https://evil.example/oauth/callback",
      "//evil.example/oauth/callback",
      ""
    ]
    for (const redirect of lookAlikes) {
      const response = await fetch(await as.authorizeUrl(client_id, { redirect_uri: redirect }), { redirect: "manual" })
      expect(response.status, redirect).toBe(400)
      expect(response.headers.get("location"), redirect).toBeNull()
      expect(await response.text()).toContain("Wrong redirect URI")
    }
  })

  it("refuses duplicated client_id or redirect_uri (parameter pollution) without redirecting", async () => {
    const { client_id } = await as.register()
    const base = new URL(await as.authorizeUrl(client_id))
    const evil = new URL(base)
    evil.searchParams.append("redirect_uri", "https://evil.example/cb")
    const evilFirst = new URL(base)
    evilFirst.searchParams.delete("redirect_uri")
    evilFirst.searchParams.append("redirect_uri", "https://evil.example/cb")
    evilFirst.searchParams.append("redirect_uri", REDIRECT_URI)
    const twoClients = new URL(base)
    twoClients.searchParams.append("client_id", "mcp-other")
    for (const url of [evil, evilFirst, twoClients]) {
      const response = await fetch(url, { redirect: "manual" })
      expect(response.status).toBe(400)
      expect(response.headers.get("location")).toBeNull()
    }
  })

  it("sends every error it redirects to the registered URI only, with iss, and leaves no redirect for an unknown client", async () => {
    const { client_id } = await as.register()
    const errors: Array<Record<string, string>> = [
      { response_type: "token" },
      { code_challenge_method: "plain" },
      { scope: "admin" },
      { resource: "https://evil.example/mcp" },
      { state: "x".repeat(1025) }
    ]
    for (const extra of errors) {
      const response = await fetch(await as.authorizeUrl(client_id, extra), { redirect: "manual" })
      expect(response.status).toBe(302)
      const location = new URL(response.headers.get("location")!)
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI)
      expect(location.searchParams.get("iss")).toBe(server.origin)
      expect(location.searchParams.get("error")).not.toBeNull()
      expect(location.searchParams.get("code")).toBeNull()
    }
    const unknown = await fetch(
      `${server.origin}/authorize?client_id=nobody&redirect_uri=${encodeURIComponent("https://evil.example/")}`,
      { redirect: "manual" }
    )
    expect(unknown.status).toBe(400)
    expect(unknown.headers.get("location")).toBeNull()
  })

  it("refuses to register redirect URIs that run code, read files, leave loopback over http or hide a host", async () => {
    const bad = [
      "javascript:alert(1)",
      " JaVaScRiPt:alert(1)",
      "java\tscript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:msgbox(1)",
      "file:///etc/passwd",
      "blob:https://x.example/1",
      "http://127.0.0.1.evil.example/cb",
      "http://localhost.evil.example/cb",
      "http://127.0.0.1@evil.example/cb",
      "http://evil.example/cb#@127.0.0.1",
      "https://ok.example/cb#",
      "not a url",
      "x".repeat(2001)
    ]
    for (const uri of bad) {
      const response = await fetch(`${server.origin}/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ redirect_uris: [uri], token_endpoint_auth_method: "none" })
      })
      expect(response.status, uri).toBe(400)
      expect((await response.json() as { error: string }).error).toBe("invalid_redirect_uri")
    }
  })
})

describe("PKCE", () => {
  it("accepts only S256 with a well-formed challenge: every downgrade goes back as invalid_request", async () => {
    const { client_id } = await as.register()
    const challenge = await challengeOf(VERIFIER)
    const downgrades: Array<Record<string, string>> = [
      { code_challenge_method: "plain" },
      { code_challenge_method: "s256" },
      { code_challenge_method: "" },
      { code_challenge: challenge.slice(0, 42) },
      { code_challenge: `${challenge}A` },
      { code_challenge: `${challenge.slice(0, 42)}=` },
      { code_challenge: VERIFIER }
    ]
    for (const extra of downgrades) {
      const response = await fetch(await as.authorizeUrl(client_id, extra), { redirect: "manual" })
      expect(response.status).toBe(302)
      expect(redirectParams(response.headers.get("location") ?? undefined).get("error")).toBe("invalid_request")
    }
    const url = new URL(await as.authorizeUrl(client_id))
    url.searchParams.delete("code_challenge")
    const none = await fetch(url, { redirect: "manual" })
    expect(redirectParams(none.headers.get("location") ?? undefined).get("error")).toBe("invalid_request")
    const twice = new URL(await as.authorizeUrl(client_id))
    twice.searchParams.append("code_challenge_method", "plain")
    const polluted = await fetch(twice, { redirect: "manual" })
    expect(redirectParams(polluted.headers.get("location") ?? undefined).get("error")).toBe("invalid_request")
  })

  it("refuses a missing or malformed verifier, and the challenge sent as the verifier (plain downgrade)", async () => {
    const { client_id } = await as.register()
    const code = await as.codeFor(client_id)
    for (const verifier of ["", "a".repeat(42), "a".repeat(129), `${"a".repeat(50)}!`, `${"a".repeat(50)} `]) {
      const answer = await as.exchange(client_id, code, verifier)
      expect(answer.status).toBe(400)
      expect(answer.body["error"]).toBe("invalid_request")
    }
    const noVerifier = await as.token({ grant_type: "authorization_code", code, client_id, redirect_uri: REDIRECT_URI })
    expect(noVerifier.body["error"]).toBe("invalid_request")
    const plain = await as.exchange(client_id, code, await challengeOf(VERIFIER))
    expect(plain.status).toBe(400)
    expect(plain.body["error"]).toBe("invalid_grant")
    // The wrong verifier spent the code: the right one gets nothing after it.
    expect((await as.exchange(client_id, code)).body["error"]).toBe("invalid_grant")
  })
})

describe("codes", () => {
  it("a code stolen by another client gives nothing, and burns the grant for the victim too", async () => {
    const victim = await as.register()
    const thief = await as.register()
    const code = await as.codeFor(victim.client_id)
    const stolen = await as.exchange(thief.client_id, code)
    expect(stolen.status).toBe(400)
    expect(stolen.body["error"]).toBe("invalid_grant")
    expect(stolen.body["access_token"]).toBeUndefined()
    expect((await as.exchange(victim.client_id, code)).body["error"]).toBe("invalid_grant")
  })

  it("a confidential client's code cannot be redeemed as a public client, with a wrong secret, or by a look-alike id", async () => {
    const confidential = await as.register({ token_endpoint_auth_method: "client_secret_post" })
    const code = await as.codeFor(confidential.client_id)
    const asPublic = await as.exchange(confidential.client_id, code)
    expect(asPublic.status).toBe(401)
    const wrong = await as.token({
      grant_type: "authorization_code",
      code,
      client_id: confidential.client_id,
      client_secret: `${confidential.client_secret}x`,
      redirect_uri: REDIRECT_URI,
      code_verifier: VERIFIER
    })
    expect(wrong.status).toBe(401)
    const lookAlike = await as.exchange(`${confidential.client_id} `, code)
    expect(lookAlike.status).toBe(401)
    const good = await as.token({
      grant_type: "authorization_code",
      code,
      client_id: confidential.client_id,
      client_secret: confidential.client_secret!,
      redirect_uri: REDIRECT_URI,
      code_verifier: VERIFIER
    })
    expect(good.status).toBe(200)
  })

  it("of 20 parallel exchanges of one code exactly one succeeds", async () => {
    const { client_id } = await as.register()
    const code = await as.codeFor(client_id)
    const answers = await Promise.all(Array.from({ length: 20 }, () => as.exchange(client_id, code)))
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1)
    expect(answers.filter((a) => a.status === 400 && a.body["error"] === "invalid_grant")).toHaveLength(19)
  })

  it("a code replayed after a successful exchange takes back the tokens it gave", async () => {
    const { client_id } = await as.register()
    const code = await as.codeFor(client_id)
    const first = await as.exchange(client_id, code)
    expect(first.status).toBe(200)
    expect((await as.exchange(client_id, code)).body["error"]).toBe("invalid_grant")
    const after = await as.mcp(`Bearer ${first.body["access_token"]}`, initializeBody)
    expect(after.status).toBe(401)
  })

  it("refuses a token for another audience (RFC 8707) at the token endpoint", async () => {
    const { client_id } = await as.register()
    const code = await as.codeFor(client_id)
    for (const resource of ["https://evil.example/mcp", `${server.origin}/other`, `${server.origin.replace("127.0.0.1", "localhost")}/mcp`]) {
      const answer = await as.token({
        grant_type: "authorization_code",
        code,
        client_id,
        redirect_uri: REDIRECT_URI,
        code_verifier: VERIFIER,
        resource
      })
      expect(answer.status).toBe(400)
      expect(answer.body["error"]).toBe("invalid_target")
    }
    const two = new URLSearchParams({ grant_type: "authorization_code", code, client_id, redirect_uri: REDIRECT_URI, code_verifier: VERIFIER })
    two.append("resource", `${server.origin}/mcp`)
    two.append("resource", "https://evil.example/mcp")
    const polluted = await fetch(`${server.origin}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: two
    })
    expect(polluted.status).toBe(400)
  })
})

describe("the token endpoint's input", () => {
  it("answers malformed Basic credentials with 401 invalid_client, never a crash", async () => {
    const confidential = await as.register({ token_endpoint_auth_method: "client_secret_basic" })
    const bad = [
      "Basic !!!!",
      "Basic",
      "Basic " + Buffer.from("no-colon").toString("base64"),
      "Basic " + Buffer.from("%zz:%zz").toString("base64"),
      "Basic " + Buffer.from(`${confidential.client_id}:%E0%A4%A`).toString("base64"),
      "Basic " + Buffer.from(`%${confidential.client_id}:x`).toString("base64"),
      "Basic " + Buffer.from(":").toString("base64"),
      "Basic " + Buffer.from(`${confidential.client_id}:${confidential.client_secret}:extra`).toString("base64"),
      "Basic " + "A".repeat(10_000)
    ]
    for (const authorization of bad) {
      const answer = await as.token({ grant_type: "refresh_token", refresh_token: "x".repeat(43) }, { authorization })
      expect(answer.status, authorization.slice(0, 60)).toBe(401)
      expect(answer.body["error"]).toBe("invalid_client")
      noLeak(answer.text)
    }
  })

  it("refuses wrong content types, huge bodies, repeated parameters and other methods", async () => {
    const json = await fetch(`${server.origin}/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "authorization_code" })
    })
    expect(json.status).toBe(400)
    const none = await rawRequest(`${server.origin}/token`, { method: "POST", body: "grant_type=refresh_token" })
    expect(none.status).toBe(400)
    const huge = await rawRequest(`${server.origin}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=refresh_token&refresh_token=${"a".repeat(100_000)}`
    }).catch(() => ({ status: 413, body: "", headers: {} }))
    expect(huge.status).toBe(413)
    const repeated = await fetch(`${server.origin}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=authorization_code&grant_type=refresh_token&client_id=x"
    })
    expect(repeated.status).toBe(400)
    expect((await repeated.json() as { error: string }).error).toBe("invalid_request")
    for (const method of ["GET", "PUT", "DELETE", "HEAD"]) {
      const response = await rawRequest(`${server.origin}/token`, { method })
      expect(response.status, method).toBe(405)
    }
  })

  it("closes the connection after refusing a body it will not read: the next request on it must not hang", async () => {
    for (const [path, type] of [
      ["/token", "application/x-www-form-urlencoded"],
      ["/revoke", "application/x-www-form-urlencoded"],
      ["/register", "application/json"],
      ["/authorize", "application/x-www-form-urlencoded"],
      ["/token", "application/json"]
    ] as const) {
      const socket = await rawSocket(server.port)
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: ${type}\r\n` +
          `Origin: ${server.origin}\r\nContent-Length: 40000\r\n\r\n${"a".repeat(20_000)}`
      )
      await sleep(100)
      // A second request on the same connection: either the server closed it, or it answers this one.
      socket.write(`GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`)
      const settled = await Promise.race([socket.closed.then(() => "closed"), sleep(2000).then(() => "open")])
      expect(socket.received(), path).toMatch(/^HTTP\/1\.1 4\d\d/)
      expect(settled, `${path} ${type}`).toBe("closed")
      socket.socket.destroy()
    }
  })

  it("never answers with a stack trace, whatever is sent", async () => {
    const bodies = ["%", "grant_type=%zz", "=&=&=", "\u0000\u0001", "grant_type=authorization_code&code=%E0%A4%A"]
    for (const body of bodies) {
      const response = await rawRequest(`${server.origin}/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body
      })
      expect(response.status).toBeLessThan(500)
      noLeak(response.body)
    }
  })
})

describe("registration", () => {
  it("survives JSON bombs, prototype pollution and non-JSON bodies", async () => {
    const deep = "[".repeat(8000) + "]".repeat(8000)
    const deepInField = `{"redirect_uris":["${REDIRECT_URI}"],"token_endpoint_auth_method":"none","x":${"[".repeat(5000)}${"]".repeat(5000)}}`
    for (const body of [deep, "{".repeat(8000), "not json", "", "null", "\"string\"", "1e999999"]) {
      const response = await rawRequest(`${server.origin}/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body
      })
      expect(response.status).toBe(400)
      noLeak(response.body)
    }
    const deepField = await rawRequest(`${server.origin}/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: deepInField
    })
    expect(deepField.status).toBeLessThan(500)
    const polluted = await fetch(`${server.origin}/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"redirect_uris":["${REDIRECT_URI}"],"__proto__":{"token_endpoint_auth_method":"none","secret_hash":"x"},` +
        `"constructor":{"prototype":{"polluted":true}}}`
    })
    expect(polluted.status).toBe(201)
    const registered = await polluted.json() as { token_endpoint_auth_method: string; client_secret?: string }
    expect(registered.token_endpoint_auth_method).toBe("client_secret_basic")
    expect(registered.client_secret).toBeDefined()
    keep(registered.client_secret)
    // The server still works.
    await as.register()
  })

  it("refuses a body over the limit, a wrong content type, and other methods", async () => {
    const big = await rawRequest(`${server.origin}/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ redirect_uris: [REDIRECT_URI], client_name: "x", pad: "y".repeat(20_000) })
    }).catch(() => ({ status: 413, body: "", headers: {} }))
    expect(big.status).toBe(413)
    const declared = await rawRequest(`${server.origin}/register`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": "1000000000" },
      body: "{}"
    }).catch(() => ({ status: 413, body: "", headers: {} }))
    expect(declared.status).toBe(413)
    const form = await fetch(`${server.origin}/register`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `redirect_uris=${encodeURIComponent(REDIRECT_URI)}`
    })
    expect(form.status).toBe(400)
    const get = await fetch(`${server.origin}/register`)
    expect(get.status).toBe(405)
  })

  it("refuses client_id URLs that would make the server fetch a private address (SSRF)", async () => {
    const internal = [
      "https://127.0.0.1/client.json",
      "https://[::1]/client.json",
      "https://[::ffff:127.0.0.1]/client.json",
      "https://[::ffff:7f00:1]/client.json",
      "https://0x7f.1/client.json",
      "https://2130706433/client.json",
      "https://10.0.0.1/client.json",
      "https://169.254.169.254/latest/meta-data",
      "https://192.168.1.1/client.json",
      "https://localhost/client.json",
      "https://localhost.:443/client.json",
      "https://example.com:8443/client.json",
      "https://user:pass@example.com/client.json",
      "https://example.com/",
      "http://example.com/client.json"
    ]
    for (const clientId of internal) {
      const response = await fetch(
        `${server.origin}/authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: REDIRECT_URI })}`,
        { redirect: "manual" }
      )
      expect(response.status, clientId).toBe(400)
      expect(response.headers.get("location")).toBeNull()
      const text = await response.text()
      expect(text, clientId).toMatch(/private address|non-public|ENOTFOUND|must use the default https port|no credentials|must have a path|No client/)
    }
  })
})

describe("the sign-in page against injection", () => {
  it("escapes client_name, client_uri and every error text; runs no script", async () => {
    const evil = `<script>alert(1)</script><img src=x onerror=alert(2)>"'><svg onload=alert(3)>`
    const { client_id } = await as.register({ client_name: evil, client_uri: `https://x.example/"><script>alert(4)</script>` })
    const opened = await as.page(client_id, { state: `"><script>alert(5)</script>` })
    expect(opened.html).not.toMatch(/<script|<img|<svg/i)
    expect(opened.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;")
    expect(opened.headers.get("content-security-policy")).toContain("default-src 'none'")
    expect(opened.headers.get("content-security-policy")).toContain("frame-ancestors 'none'")
    expect(opened.headers.get("x-frame-options")).toBe("DENY")
    expect(opened.headers.get("x-content-type-options")).toBe("nosniff")
    expect(opened.headers.get("cache-control")).toBe("no-store")
    expect(opened.headers.get("access-control-allow-origin")).toBeNull()
    const cookie = opened.headers.get("set-cookie") ?? ""
    expect(cookie).toContain("HttpOnly")
    expect(cookie).toContain("SameSite=Strict")

    const unknown = await fetch(`${server.origin}/authorize?client_id=${encodeURIComponent(evil)}`, { redirect: "manual" })
    const text = await unknown.text()
    expect(text).not.toMatch(/<script|<img|<svg/i)
    expect(unknown.headers.get("x-frame-options")).toBe("DENY")
    expect(unknown.headers.get("content-security-policy")).toContain("frame-ancestors 'none'")
    const form = await signInForm(server.origin, opened, { access: "read", secret: evil, action: "allow" }, {})
    expect(form.status).toBe(401)
    expect(await form.text()).not.toMatch(/<script|<img|<svg/i)
  })

  it("shows the app's private scheme, not a spoofed host, for a custom-scheme redirect", async () => {
    const { client_id } = await as.register({ redirect_uris: ["com.evil.app:/oauth/claude.ai"] })
    const opened = await openSignIn(`${server.origin}/authorize?${new URLSearchParams({
      response_type: "code",
      client_id,
      redirect_uri: "com.evil.app:/oauth/claude.ai",
      code_challenge: await challengeOf(VERIFIER),
      code_challenge_method: "S256"
    })}`)
    expect(opened.status).toBe(200)
    expect(opened.html).toContain("<strong>com.evil.app:</strong>")
  })
})

describe("cross-site requests against the sign-in form", () => {
  it("refuses the form without this page's cookie, with another page's, cross-site, or as text/plain or multipart", async () => {
    const { client_id } = await as.register()
    const opened = await as.page(client_id)
    const other = await as.page(client_id)
    const fields = { access: "read", secret: OWNER, action: "allow" }
    const attempts: Array<Record<string, string>> = [
      { cookie: "" },
      { cookie: other.cookie },
      { cookie: `${opened.cookie.split("=")[0]}=${other.csrf}` },
      { origin: "https://evil.example" },
      { origin: `${server.origin}.evil.example` },
      { origin: "null", cookie: "" }
    ]
    for (const headers of attempts) {
      const response = await signInForm(server.origin, opened, fields, headers)
      expect(response.status, JSON.stringify(headers)).toBe(403)
      expect(response.headers.get("location")).toBeNull()
    }
    const textPlain = await fetch(`${server.origin}/authorize`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "text/plain", origin: server.origin, cookie: opened.cookie },
      body: `request=${opened.request}&csrf=${opened.csrf}&access=read&secret=${OWNER}&action=allow`
    })
    expect(textPlain.status).toBe(415)
    const multipart = new FormData()
    for (const [name, value] of Object.entries({ request: opened.request, csrf: opened.csrf, ...fields })) multipart.set(name, value)
    const posted = await fetch(`${server.origin}/authorize`, {
      method: "POST",
      redirect: "manual",
      headers: { origin: server.origin, cookie: opened.cookie },
      body: multipart
    })
    expect(posted.status).toBe(415)
    // The page still works for its own browser.
    const good = await signInForm(server.origin, opened, fields, {})
    expect(good.status).toBe(303)
    keep(redirectParams(good.headers.get("location") ?? undefined).get("code"))
  })

  it("answers a non-ASCII CSRF token with a refusal, never a crash", async () => {
    const { client_id } = await as.register()
    const opened = await as.page(client_id)
    const forged = `é${opened.csrf.slice(1)}`
    const name = opened.cookie.split("=")[0]
    const response = await fetch(`${server.origin}/authorize`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: server.origin, cookie: `${name}=${encodeURIComponent(forged)}` },
      body: new URLSearchParams({ request: opened.request, csrf: forged, access: "read", secret: OWNER, action: "allow" })
    })
    expect(response.status).toBe(403)
    const ascii = "a".repeat(opened.csrf.length)
    const raw = await rawRequest(`${server.origin}/authorize`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: server.origin, cookie: `${name}=é${ascii.slice(2)}` },
      body: `request=${opened.request}&csrf=${encodeURIComponent(`é${ascii.slice(2)}`)}&action=deny`
    })
    expect(raw.status).toBe(403)
    for (const path of ["/authorize", "/authorize/intervals"]) {
      const crafted = await rawRequest(`${server.origin}${path}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: server.origin, cookie: `${name}=é${"a".repeat(41)}` },
        body: `request=${opened.request}&csrf=${encodeURIComponent(`é${"a".repeat(41)}`)}&action=deny`
      })
      expect(crafted.status, path).toBeLessThan(500)
      noLeak(crafted.body)
    }
  })

  it("\"Continue with Intervals.icu\" refuses a post without the page's cookie or from another site", async () => {
    const { client_id } = await as.register()
    const opened = await as.page(client_id)
    for (const options of [{ cookie: "" }, { origin: "https://evil.example" }]) {
      const posted = await postSignIn(server.origin, opened, { access: "write" }, { ...options, path: "/authorize/intervals" })
      expect(posted.status).toBe(403)
      expect(posted.location).toBeUndefined()
    }
  })

  it("an attacker's Intervals.icu sign-in cannot be completed in a victim's browser (login CSRF)", async () => {
    // The attacker opens a sign-in for their own client in their own browser and starts "Continue with Intervals.icu".
    const attacker = await as.register({ client_name: "Attacker" })
    const opened = await as.page(attacker.client_id)
    const started = await fetch(`${server.origin}/authorize/intervals`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: server.origin, cookie: opened.cookie },
      body: new URLSearchParams({ request: opened.request, csrf: opened.csrf, access: "write" })
    })
    expect(started.status).toBe(303)
    const atIntervals = started.headers.get("location")!
    keep(new URL(atIntervals).searchParams.get("state"))
    // ...and sends that Intervals.icu link to the victim, who is signed in there and has approved this server before.
    const approved = await fetch(atIntervals, { redirect: "manual" })
    const callback = approved.headers.get("location")!
    // The victim's browser has none of the attacker's cookies.
    const inVictimsBrowser = await fetch(callback, { redirect: "manual" })
    expect(inVictimsBrowser.status).not.toBe(302)
    expect(inVictimsBrowser.headers.get("location")).toBeNull()
    expect(inVictimsBrowser.status).toBeGreaterThanOrEqual(400)
  })

  it("\"Continue with Intervals.icu\" works in the browser that started it, once", async () => {
    const { client_id } = await as.register()
    const opened = await as.page(client_id)
    const started = await fetch(`${server.origin}/authorize/intervals`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: server.origin, cookie: opened.cookie },
      body: new URLSearchParams({ request: opened.request, csrf: opened.csrf, access: "write" })
    })
    expect(started.status).toBe(303)
    const cookie = (started.headers.get("set-cookie") ?? "").split(";")[0] ?? ""
    const approved = await fetch(started.headers.get("location")!, { redirect: "manual" })
    const callback = approved.headers.get("location")!
    const back = await fetch(callback, { redirect: "manual", headers: { cookie } })
    expect(back.status).toBe(302)
    const params = redirectParams(back.headers.get("location") ?? undefined)
    expect(params.get("iss")).toBe(server.origin)
    keep(params.get("code"))
    const tokens = await as.exchange(client_id, params.get("code")!)
    expect(tokens.status).toBe(200)
    // The same callback again (a replay of the Intervals.icu redirect) gives nothing.
    const again = await fetch(callback, { redirect: "manual", headers: { cookie } })
    expect(again.headers.get("location")).toBeNull()
  })

  it("a forged or unknown callback state never redirects", async () => {
    for (const query of ["", "?state=", "?state=forged&code=x", "?error=access_denied&state=forged", "?state=%zz"]) {
      const response = await fetch(`${server.origin}/authorize/intervals/callback${query}`, { redirect: "manual" })
      expect(response.status, query).toBeGreaterThanOrEqual(400)
      expect(response.headers.get("location")).toBeNull()
    }
  })
})

describe("tokens", () => {
  it("a rotated refresh token presented again revokes the whole grant, access tokens included", async () => {
    const granted = await as.grant("write")
    const rotated = await as.token({ grant_type: "refresh_token", refresh_token: granted.refresh, client_id: granted.clientId })
    expect(rotated.status).toBe(200)
    const reuse = await as.token({ grant_type: "refresh_token", refresh_token: granted.refresh, client_id: granted.clientId })
    expect(reuse.body["error"]).toBe("invalid_grant")
    expect((await as.mcp(`Bearer ${rotated.body["access_token"]}`, initializeBody)).status).toBe(401)
    const newest = await as.token({
      grant_type: "refresh_token",
      refresh_token: String(rotated.body["refresh_token"]),
      client_id: granted.clientId
    })
    expect(newest.body["error"]).toBe("invalid_grant")
  })

  it("a refresh token presented by another client gives nothing and ends the grant", async () => {
    const victim = await as.grant("write")
    const thief = await as.register()
    const stolen = await as.token({ grant_type: "refresh_token", refresh_token: victim.refresh, client_id: thief.client_id })
    expect(stolen.status).toBe(400)
    expect(stolen.body["access_token"]).toBeUndefined()
    expect((await as.mcp(`Bearer ${victim.access}`, initializeBody)).status).toBe(401)
  })

  it("a refresh never widens the scope", async () => {
    const granted = await as.grant("read")
    const wider = await as.token({
      grant_type: "refresh_token",
      refresh_token: granted.refresh,
      client_id: granted.clientId,
      scope: "intervals:read intervals:write intervals:delete"
    })
    if (wider.status === 200) expect(wider.body["scope"]).toBe("intervals:read")
    else expect(wider.body["error"]).toBe("invalid_scope")
  })

  it("a client cannot revoke another client's token", async () => {
    const victim = await as.grant("read")
    const attacker = await as.register()
    for (const token of [victim.access, victim.refresh]) {
      const response = await fetch(`${server.origin}/revoke`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token, client_id: attacker.client_id })
      })
      expect(response.status).toBe(200)
    }
    expect((await as.mcp(`Bearer ${victim.access}`, initializeBody)).status).toBe(200)
    const refreshed = await as.token({ grant_type: "refresh_token", refresh_token: victim.refresh, client_id: victim.clientId })
    expect(refreshed.status).toBe(200)
    const anonymous = await fetch(`${server.origin}/revoke`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: String(refreshed.body["access_token"]) })
    })
    expect(anonymous.status).toBe(401)
    expect((await as.mcp(`Bearer ${refreshed.body["access_token"]}`, initializeBody)).status).toBe(200)
  })

  it("a refresh token is not an access token, nor an access token a refresh token, nor a code either", async () => {
    const granted = await as.grant("read")
    expect((await as.mcp(`Bearer ${granted.refresh}`, initializeBody)).status).toBe(401)
    const asRefresh = await as.token({ grant_type: "refresh_token", refresh_token: granted.access, client_id: granted.clientId })
    expect(asRefresh.body["error"]).toBe("invalid_grant")
    const asCode = await as.exchange(granted.clientId, granted.refresh)
    expect(asCode.body["error"]).toBe("invalid_grant")
    // The grant was not harmed by the confusion.
    expect((await as.mcp(`Bearer ${granted.access}`, initializeBody)).status).toBe(200)
  })

  it("refuses bearer tokens anywhere but the Authorization header, and garbage in it, without a crash", async () => {
    const granted = await as.grant("read")
    const inQuery = await rawRequest(`${server.origin}/mcp?access_token=${granted.access}`, {
      method: "POST",
      headers: MCP_HEADERS,
      body: initializeBody
    })
    expect(inQuery.status).toBe(401)
    const inForm = await rawRequest(`${server.origin}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, "content-type": "application/x-www-form-urlencoded" },
      body: `access_token=${granted.access}`
    })
    expect(inForm.status).toBe(401)
    for (const authorization of [`Bearer ${granted.access}x`, `Basic ${granted.access}`, `Bearer`, "Bearer  ", `Bearer ${"x".repeat(8000)}`, `Bearer ${granted.access} extra`, "Bearer %zz\u00ff"]) {
      const response = await as.mcp(authorization, initializeBody)
      expect(response.status, authorization.slice(0, 40)).toBe(401)
      noLeak(response.body)
    }
  })
})

describe("sessions bound to their opener", () => {
  const open = async (authorization: string) => {
    const response = await as.mcp(authorization, initializeBody)
    expect(response.status).toBe(200)
    const id = String(response.headers["mcp-session-id"])
    await as.mcp(authorization, { jsonrpc: "2.0", method: "notifications/initialized" }, { "mcp-session-id": id, "mcp-protocol-version": "2025-06-18" })
    return id
  }
  const inSession = (authorization: string, id: string, body: unknown = { jsonrpc: "2.0", id: 2, method: "tools/list" }) =>
    as.mcp(authorization, body, { "mcp-session-id": id, "mcp-protocol-version": "2025-06-18" })

  it("refuses a session opened by grant A to grant B, to the server key, and the key's session to a grant", async () => {
    const a = await as.grant("delete")
    const b = await as.grant("read")
    const sessionOfA = await open(`Bearer ${a.access}`)
    expect((await inSession(`Bearer ${b.access}`, sessionOfA)).status).toBe(403)
    expect((await inSession(`Bearer ${OWNER}`, sessionOfA)).status).toBe(403)
    expect((await inSession("", sessionOfA)).status).toBe(401)
    const stream = await rawRequest(`${server.origin}/mcp`, {
      method: "GET",
      headers: { accept: "text/event-stream", authorization: `Bearer ${b.access}`, "mcp-session-id": sessionOfA }
    })
    expect(stream.status).toBe(403)
    const deleted = await rawRequest(`${server.origin}/mcp`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${b.access}`, "mcp-session-id": sessionOfA }
    })
    expect(deleted.status).toBe(403)
    // A's session is untouched by the attempts, and follows A across a refresh (same grant).
    expect((await inSession(`Bearer ${a.access}`, sessionOfA)).status).toBe(200)
    const refreshed = await as.token({ grant_type: "refresh_token", refresh_token: a.refresh, client_id: a.clientId })
    expect((await inSession(`Bearer ${refreshed.body["access_token"]}`, sessionOfA)).status).toBe(200)

    const sessionOfKey = await open(`Bearer ${OWNER}`)
    expect((await inSession(`Bearer ${a.access}`, sessionOfKey)).status).toBe(403)
    // A revoked grant's session is closed to it at once.
    await fetch(`${server.origin}/revoke`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: a.access, client_id: a.clientId })
    })
    expect((await inSession(`Bearer ${String(refreshed.body["access_token"])}`, sessionOfA)).status).toBe(401)
  })
})

describe("a read-only grant trying to write", () => {
  let writeTools: Array<string> = []
  const writesSeen = (from: number) => fake.requests.slice(from).filter((r) => r.method !== "GET" && !r.path.includes("oauth"))

  beforeAll(async () => {
    const full = await as.connect((await as.grant("delete")).access)
    const read = await as.connect((await as.grant("read")).access)
    const all = (await full.listTools()).tools.map((t) => t.name)
    const readable = new Set((await read.listTools()).tools.map((t) => t.name))
    writeTools = all.filter((name) => !readable.has(name))
    await full.close()
    await read.close()
    expect(writeTools).toContain("add_or_update_event")
    expect(writeTools).toContain("delete_event")
  })

  const tryEverything = async (client: Client) => {
    const before = fake.requests.length
    for (const name of writeTools) {
      const result = await client.callTool({
        name,
        arguments: { start_date: "2031-01-01", name: "x", category: "NOTE", event_id: 1, id: 1, activity_id: "i1", workout_id: 1 }
      }).catch((error: unknown) => ({ isError: true, content: [{ type: "text", text: String(error) }] })) as CallToolResult
      expect(result.isError, name).toBe(true)
    }
    const resources = await client.listResources().catch(() => ({ resources: [] }))
    for (const resource of resources.resources) await client.readResource({ uri: resource.uri }).catch(() => undefined)
    const templates = await client.listResourceTemplates().catch(() => ({ resourceTemplates: [] }))
    for (const template of templates.resourceTemplates) {
      await client.complete({ ref: { type: "ref/resource", uri: template.uriTemplate }, argument: { name: "id", value: "" } })
        .catch(() => undefined)
    }
    const prompts = await client.listPrompts().catch(() => ({ prompts: [] }))
    for (const prompt of prompts.prompts) {
      await client.getPrompt({ name: prompt.name, arguments: {} }).catch(() => undefined)
      for (const argument of prompt.arguments ?? []) {
        await client.complete({ ref: { type: "ref/prompt", name: prompt.name }, argument: { name: argument.name, value: "" } })
          .catch(() => undefined)
      }
    }
    expect(writesSeen(before)).toEqual([])
  }

  it("in the 2025 era, by tools/call, resources, prompts and completions", async () => {
    const client = await as.connect((await as.grant("read")).access)
    const listed = (await client.listTools()).tools.map((t) => t.name)
    for (const name of writeTools) expect(listed).not.toContain(name)
    await tryEverything(client)
    await client.close()
  })

  it("in the 2026-07-28 era (a server per request)", async () => {
    const client = await as.connect((await as.grant("read")).access, "2026-07-28")
    const listed = (await client.listTools()).tools.map((t) => t.name)
    for (const name of writeTools) expect(listed).not.toContain(name)
    await tryEverything(client)
    await client.close()
  })

  it("by a raw batch of writes, and by a write slipped into a session opened read-only", async () => {
    const granted = await as.grant("read")
    const before = fake.requests.length
    const opened = await as.mcp(`Bearer ${granted.access}`, initializeBody)
    const id = String(opened.headers["mcp-session-id"])
    const headers = { "mcp-session-id": id, "mcp-protocol-version": "2025-06-18" }
    await as.mcp(`Bearer ${granted.access}`, { jsonrpc: "2.0", method: "notifications/initialized" }, headers)
    const batch = writeTools.map((name, i) => ({
      jsonrpc: "2.0",
      id: 100 + i,
      method: "tools/call",
      params: { name, arguments: { start_date: "2031-01-01", name: "x", category: "NOTE", event_id: 1 } }
    }))
    const answered = await as.mcp(`Bearer ${granted.access}`, batch, headers)
    expect(answered.status).toBeLessThan(500)
    for (const call of writeTools.slice(0, 5)) {
      await as.mcp(`Bearer ${granted.access}`, {
        jsonrpc: "2.0",
        id: 7,
        method: "tools/call",
        params: { name: call, arguments: { start_date: "2031-01-01", name: "x", category: "NOTE" }, _meta: { writeMode: "full" } }
      }, headers)
    }
    expect(writesSeen(before)).toEqual([])
  })

  it("an Intervals.icu grant in the 2026-07-28 era reads with the athlete's token, never the server's key", async () => {
    const { client_id } = await as.register()
    const opened = await as.page(client_id)
    const started = await fetch(`${server.origin}/authorize/intervals`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: server.origin, cookie: opened.cookie },
      body: new URLSearchParams({ request: opened.request, csrf: opened.csrf, access: "read" })
    })
    const cookie = (started.headers.get("set-cookie") ?? "").split(";")[0] ?? ""
    const approved = await fetch(started.headers.get("location")!, { redirect: "manual" })
    const back = await fetch(approved.headers.get("location")!, { redirect: "manual", headers: { cookie } })
    const code = redirectParams(back.headers.get("location") ?? undefined).get("code")!
    keep(code)
    const tokens = await as.exchange(client_id, code)
    expect(tokens.status).toBe(200)
    for (const era of ["2026-07-28", "2025"] as const) {
      const client = await as.connect(String(tokens.body["access_token"]), era)
      const before = fake.requests.length
      const result = await client.callTool({ name: "get_athlete_profile", arguments: {} }) as CallToolResult
      expect(result.isError, era).not.toBe(true)
      const sent = fake.requests.slice(before)
      // The second era may be answered from the athlete's own cache; what is sent must be the athlete's token.
      if (era === "2026-07-28") expect(sent.length).toBeGreaterThan(0)
      expect(sent.every((r) => r.auth === "bearer"), era).toBe(true)
      await client.close()
    }
  })
})

describe("CORS, HEAD and OPTIONS", () => {
  it("lets any origin read discovery, registration and tokens, without credentials; never the sign-in page", async () => {
    for (const path of ["/token", "/register", "/revoke", "/.well-known/oauth-authorization-server"]) {
      const preflight = await rawRequest(`${server.origin}${path}`, {
        method: "OPTIONS",
        headers: { origin: "https://evil.example", "access-control-request-method": "POST" }
      })
      expect(preflight.status).toBe(204)
      expect(preflight.headers["access-control-allow-origin"]).toBe("*")
      expect(preflight.headers["access-control-allow-credentials"]).toBeUndefined()
    }
    for (const path of ["/authorize", "/authorize/intervals", "/oauth/grants"]) {
      const preflight = await rawRequest(`${server.origin}${path}`, {
        method: "OPTIONS",
        headers: { origin: "https://evil.example", "access-control-request-method": "POST" }
      })
      expect(preflight.headers["access-control-allow-origin"], path).toBeUndefined()
    }
    const { client_id } = await as.register()
    const pageResponse = await fetch(await as.authorizeUrl(client_id), { headers: { origin: "https://evil.example" } })
    expect(pageResponse.headers.get("access-control-allow-origin")).toBeNull()
    const fromEvil = await rawRequest(`${server.origin}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, origin: "https://evil.example", authorization: `Bearer ${OWNER}` },
      body: initializeBody
    })
    expect(fromEvil.status).toBe(403)
  })

  it("answers HEAD of metadata without a body, and other methods with 405", async () => {
    const head = await rawRequest(`${server.origin}/.well-known/oauth-authorization-server`, { method: "HEAD" })
    expect(head.status).toBe(200)
    expect(head.body).toBe("")
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      expect((await rawRequest(`${server.origin}/authorize`, { method })).status, method).toBe(405)
      expect((await rawRequest(`${server.origin}/.well-known/oauth-protected-resource/mcp`, { method })).status).toBe(405)
    }
  })

  it("keeps the issuer fixed whatever Host the request names", async () => {
    const metadata = await rawRequest(`${server.origin}/.well-known/oauth-authorization-server`, {
      headers: { host: `localhost:${server.port}` }
    })
    expect(JSON.parse(metadata.body).issuer).toBe(server.origin)
    const evil = await rawRequest(`${server.origin}/.well-known/oauth-authorization-server`, { headers: { host: "evil.example" } })
    expect(evil.status).toBe(403)
  })
})

describe("the owner's revoke-all", () => {
  it("does not accept an OAuth token, a Basic header or any other method in place of the owner secret", async () => {
    const granted = await as.grant("delete")
    for (const authorization of [`Bearer ${granted.access}`, `Basic ${Buffer.from(`x:${OWNER}`).toString("base64")}`, `bearer  ${OWNER}x`, OWNER]) {
      const response = await rawRequest(`${server.origin}/oauth/grants`, { method: "DELETE", headers: { authorization } })
      expect(response.status).toBe(401)
    }
    const get = await rawRequest(`${server.origin}/oauth/grants`, { headers: { authorization: `Bearer ${OWNER}` } })
    expect(get.status).not.toBe(200)
    expect((await as.mcp(`Bearer ${granted.access}`, initializeBody)).status).toBe(200)
  })
})

describe("expired tokens", () => {
  it("refuses an access token once its one second is up; its refresh token still works", async () => {
    const short = await startHttpServer({ ...baseEnv(fake), MCP_ACCESS_TOKEN_TTL_S: "1" })
    servers.push(short)
    const a = actor(short.origin)
    const granted = await a.grant("read")
    expect((await a.mcp(`Bearer ${granted.access}`, initializeBody)).status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 2100))
    const late = await a.mcp(`Bearer ${granted.access}`, initializeBody)
    expect(late.status).toBe(401)
    expect(String(late.headers["www-authenticate"])).toContain("invalid_token")
    const refreshed = await a.token({ grant_type: "refresh_token", refresh_token: granted.refresh, client_id: granted.clientId })
    expect(refreshed.status).toBe(200)
    expect(refreshed.body["expires_in"]).toBe(1)
    expect((await a.mcp(`Bearer ${refreshed.body["access_token"]}`, initializeBody)).status).toBe(200)
    for (const secret of secrets) expect(short.stderr()).not.toContain(secret)
  })
})

describe("throttling", () => {
  let throttled: HttpServerProcess
  let t: ReturnType<typeof actor>
  beforeAll(async () => {
    throttled = await startHttpServer({
      ...baseEnv(fake),
      MCP_SIGNIN_FAILURES_PER_15_MIN: "3",
      MCP_REGISTRATIONS_PER_HOUR: "40",
      MCP_SIGNIN_PAGES_PER_10_MIN: "30"
    })
    servers.push(throttled)
    t = actor(throttled.origin)
  })

  it("lets no more than the budget of wrong secrets through, even sent in parallel", async () => {
    const { client_id } = await t.register()
    const opened = await t.page(client_id)
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      signInForm(throttled.origin, opened, { access: "read", secret: `wrong-${i}`, action: "allow" }, {}).then((r) => r.status)
    ))
    expect(answers.filter((s) => s === 401).length).toBeLessThanOrEqual(3)
    expect(answers.filter((s) => s === 429).length).toBeGreaterThanOrEqual(17)
    // Locked out: the right secret is refused too, on this page and on a new one.
    const right = await signInForm(throttled.origin, opened, { access: "read", secret: OWNER, action: "allow" }, {})
    expect(right.status).toBe(429)
    expect(right.headers.get("location")).toBeNull()
    const fresh = await t.page(client_id)
    const again = await signInForm(throttled.origin, fresh, { access: "read", secret: OWNER, action: "allow" }, {})
    expect(again.status).toBe(429)
    // The lockout answers the right and a wrong secret alike: nothing is learned by guessing during it.
    const wrongBody = await (await signInForm(throttled.origin, fresh, { access: "read", secret: "nope", action: "allow" }, {})).text()
    const rightBody = await (await signInForm(throttled.origin, fresh, { access: "read", secret: OWNER, action: "allow" }, {})).text()
    expect(rightBody).toBe(wrongBody)
  })

  it("applies the same lockout to the owner secret at DELETE /oauth/grants (no side door for guessing)", async () => {
    // The address is locked out by the test before: even the right secret must not be compared here.
    const right = await rawRequest(`${throttled.origin}/oauth/grants`, { method: "DELETE", headers: { authorization: `Bearer ${OWNER}` } })
    expect(right.status).toBe(429)
  })

  it("counts wrong owner secrets at DELETE /oauth/grants towards the lockout", async () => {
    const fresh = await startHttpServer({ ...baseEnv(fake), MCP_SIGNIN_FAILURES_PER_15_MIN: "3" })
    servers.push(fresh)
    const statuses: Array<number> = []
    for (let i = 0; i < 6; i++) {
      statuses.push((await rawRequest(`${fresh.origin}/oauth/grants`, { method: "DELETE", headers: { authorization: `Bearer wrong-${i}` } })).status)
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401])
    expect(statuses.slice(3)).toEqual([429, 429, 429])
    const right = await rawRequest(`${fresh.origin}/oauth/grants`, { method: "DELETE", headers: { authorization: `Bearer ${OWNER}` } })
    expect(right.status).toBe(429)
    // The sign-in page is locked out too.
    const f = actor(fresh.origin)
    const { client_id } = await f.register()
    const opened = await f.page(client_id)
    expect((await signInForm(fresh.origin, opened, { access: "read", secret: OWNER, action: "allow" }, {})).status).toBe(429)
  })

  it("bounds the registrations of one address, valid or not", async () => {
    const limited = await startHttpServer({ ...baseEnv(fake), MCP_REGISTRATIONS_PER_HOUR: "3" })
    servers.push(limited)
    const statuses: Array<number> = []
    for (let i = 0; i < 3; i++) {
      statuses.push((await fetch(`${limited.origin}/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ redirect_uris: ["javascript:x"] })
      })).status)
    }
    expect(statuses).toEqual([400, 400, 400])
    const valid = await fetch(`${limited.origin}/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none" })
    })
    expect(valid.status).toBe(429)
    const parallel = await Promise.all(Array.from({ length: 10 }, () =>
      fetch(`${limited.origin}/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none" })
      }).then((r) => r.status)
    ))
    expect(parallel.every((s) => s === 429)).toBe(true)
  })

  it("bounds the sign-in requests one address can leave waiting (no store flood through /authorize)", async () => {
    const { client_id } = await t.register()
    const url = await t.authorizeUrl(client_id)
    const statuses: Array<number> = []
    for (let i = 0; i < 40; i++) statuses.push((await rawRequest(url, { method: i % 2 === 0 ? "GET" : "HEAD" })).status)
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(30)
    expect(statuses.at(-1)).toBe(429)
  })
})

describe("the SSE transport with OAuth", () => {
  it("binds an event stream to its grant: another grant, the key or no token cannot post into it", async () => {
    const sse = await startHttpServer({ ...baseEnv(fake), MCP_TRANSPORT: "sse" })
    servers.push(sse)
    const s = actor(sse.origin)
    const a = await s.grant("delete")
    const b = await s.grant("read")
    expect((await rawRequest(`${sse.origin}/sse`, { headers: { accept: "text/event-stream" } })).status).toBe(401)
    const controller = new AbortController()
    const stream = await fetch(`${sse.origin}/sse`, {
      headers: { accept: "text/event-stream", authorization: `Bearer ${a.access}` },
      signal: controller.signal
    })
    expect(stream.status).toBe(200)
    const reader = stream.body!.getReader()
    let text = ""
    while (!/sessionId=([\w-]+)/.test(text)) text += new TextDecoder().decode((await reader.read()).value)
    const sessionId = /sessionId=([\w-]+)/.exec(text)![1]!
    const post = (authorization: string | undefined) =>
      rawRequest(`${sse.origin}/messages?sessionId=${sessionId}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(authorization === undefined ? {} : { authorization }) },
        body: initializeBody
      })
    expect((await post(`Bearer ${b.access}`)).status).toBe(403)
    expect((await post(`Bearer ${OWNER}`)).status).toBe(403)
    expect((await post(undefined)).status).toBe(401)
    expect((await post(`Bearer ${a.access}`)).status).toBe(202)
    controller.abort()
    // A read-only grant over SSE gets no write tool.
    const client = new Client({ name: "sse-attack", version: "1.0.0" })
    const { SSEClientTransport } = await import("@modelcontextprotocol/client")
    const bearer = { authorization: `Bearer ${b.access}` }
    await client.connect(
      new SSEClientTransport(new URL(`${sse.origin}/sse`), {
        requestInit: { headers: bearer },
        eventSourceInit: { fetch: (url, init) => fetch(url, { ...init, headers: { ...(init?.headers as object), ...bearer } }) }
      })
    )
    const before = fake.requests.length
    const tools = (await client.listTools()).tools.map((t) => t.name)
    expect(tools).not.toContain("add_or_update_event")
    const write = await client.callTool({ name: "delete_event", arguments: { event_id: 1 } }) as CallToolResult
    expect(write.isError).toBe(true)
    expect(fake.requests.slice(before).filter((r) => r.method !== "GET")).toEqual([])
    await client.close()
    for (const secret of secrets) expect(sse.stderr()).not.toContain(secret)
  })
})

describe("a broken or malicious upstream Intervals.icu", () => {
  let evil: Server
  let answer: (res: import("node:http").ServerResponse) => void = () => undefined
  let evilServer: HttpServerProcess
  beforeAll(async () => {
    evil = createServer((req, res) => {
      req.resume()
      req.on("end", () => answer(res))
    })
    await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve))
    evilServer = await startHttpServer({
      ...baseEnv(fake),
      INTERVALS_OAUTH_URL: `http://127.0.0.1:${(evil.address() as AddressInfo).port}`
    })
    servers.push(evilServer)
  })
  afterAll(async () => {
    await new Promise((resolve) => evil?.close(resolve))
  })

  /** Starts "Continue with Intervals.icu" and comes back to the callback, as the upstream's redirect would. */
  const callback = async () => {
    const e = actor(evilServer.origin)
    const { client_id } = await e.register()
    const opened = await e.page(client_id)
    const started = await fetch(`${evilServer.origin}/authorize/intervals`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: evilServer.origin, cookie: opened.cookie },
      body: new URLSearchParams({ request: opened.request, csrf: opened.csrf, access: "read" })
    })
    expect(started.status).toBe(303)
    const state = new URL(started.headers.get("location")!).searchParams.get("state")!
    const cookie = (started.headers.get("set-cookie") ?? "").split(";")[0] ?? ""
    const response = await fetch(`${evilServer.origin}/authorize/intervals/callback?code=upstream-code&state=${state}`, {
      redirect: "manual",
      headers: { cookie }
    })
    return { status: response.status, location: response.headers.get("location"), html: await response.text() }
  }

  it("refuses an upstream that redirects, fails, answers HTML, or sends no token or athlete", async () => {
    const cases: Array<(res: import("node:http").ServerResponse) => void> = [
      (res) => res.writeHead(302, { location: "http://169.254.169.254/" }).end(),
      (res) => res.writeHead(500, { "content-type": "text/html" }).end("<h1>boom</h1><script>alert(1)</script> at Object.<anonymous>"),
      (res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>not json</html>"),
      (res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: 42, athlete: { id: 1 } })),
      (res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: "t", athlete: {} })),
      (res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: "t", athlete: null })),
      (res) => res.writeHead(200, { "content-type": "application/json" }).end("null"),
      (res) => res.destroy()
    ]
    for (const [index, upstream] of cases.entries()) {
      answer = upstream
      const result = await callback()
      expect(result.status, String(index)).toBe(502)
      expect(result.location).toBeNull()
      expect(result.html).not.toContain("<script>alert(1)")
      noLeak(result.html)
    }
  })

  it("refuses an athlete id that is not an Intervals.icu athlete id (it goes into API paths)", async () => {
    for (const id of ["../../admin", "i1/../../x", "1?x=1", "i1#", " ", "", "i", 1.5, -1]) {
      answer = (res) =>
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({
          access_token: "evil-upstream-token-abcdef",
          scope: "CALENDAR:WRITE",
          athlete: { id }
        }))
      const result = await callback()
      expect(result.status, String(id)).toBe(502)
      expect(result.location).toBeNull()
    }
  })

  it("refuses an upstream answer too large to be a token", async () => {
    answer = (res) =>
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({
        access_token: "evil-upstream-token-abcdef",
        athlete: { id: "i1", name: "x" },
        pad: "y".repeat(2_000_000)
      }))
    const result = await callback()
    expect(result.status).toBe(502)
  })

  it("accepts a well-formed answer (the checks above are not merely refusing everything)", async () => {
    answer = (res) =>
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({
        access_token: "evil-upstream-token-abcdef",
        scope: "ACTIVITY:READ",
        athlete: { id: 42, name: "<b>x</b>" }
      }))
    const result = await callback()
    expect(result.status).toBe(302)
    keep(redirectParams(result.location ?? undefined).get("code"))
    for (const secret of [...secrets, "evil-upstream-token-abcdef", "upstream-code"]) expect(evilServer.stderr()).not.toContain(secret)
  })
})

describe("a shared store (Redis)", () => {
  it("refuses a token minted by another server sharing the store: it is for another resource (RFC 8707)", async () => {
    const provided = inject("redis")
    if ("error" in provided) throw new Error(provided.error)
    const env = { ...baseEnv(fake), MCP_STORE: "redis", MCP_STORE_URL: provided.url }
    const one = await startHttpServer(env)
    const two = await startHttpServer(env)
    servers.push(one, two)
    const granted = await actor(one.origin).grant("delete")
    expect((await actor(one.origin).mcp(`Bearer ${granted.access}`, initializeBody)).status).toBe(200)
    const elsewhere = await actor(two.origin).mcp(`Bearer ${granted.access}`, initializeBody)
    expect(elsewhere.status).toBe(401)
    // Its refresh token is not for the other server's resource either.
    const refreshed = await actor(two.origin).token({
      grant_type: "refresh_token",
      refresh_token: granted.refresh,
      client_id: granted.clientId
    })
    if (refreshed.status === 200) {
      expect((await actor(two.origin).mcp(`Bearer ${refreshed.body["access_token"]}`, initializeBody)).status).toBe(401)
    }
  })

  it("lets no more than the budget of wrong secrets through in parallel, on a store with real latency", async () => {
    const provided = inject("redis")
    if ("error" in provided) throw new Error(provided.error)
    const raced = await startHttpServer({
      ...baseEnv(fake),
      MCP_STORE: "redis",
      MCP_STORE_URL: provided.url,
      MCP_SIGNIN_FAILURES_PER_15_MIN: "3"
    })
    servers.push(raced)
    const r = actor(raced.origin)
    const { client_id } = await r.register()
    const opened = await r.page(client_id)
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      signInForm(raced.origin, opened, { access: "read", secret: `wrong-${i}`, action: "allow" }, {}).then((x) => x.status)
    ))
    expect(answers.filter((s) => s === 401).length).toBeLessThanOrEqual(3)
    const right = await signInForm(raced.origin, opened, { access: "read", secret: OWNER, action: "allow" }, {})
    expect(right.status).toBe(429)
  })

  it("answers with 503 and nothing internal when the store goes down, and lets no one in", async () => {
    const redis = await startRedis({ password: "redis-password-for-the-attack-tests" })
    secrets.add("redis-password-for-the-attack-tests")
    const url = `redis://:redis-password-for-the-attack-tests@127.0.0.1:${redis.port}`
    const down = await startHttpServer({ ...baseEnv(fake), MCP_STORE: "redis", MCP_STORE_URL: url })
    servers.push(down)
    const d = actor(down.origin)
    const granted = await d.grant("read")
    const { client_id } = await d.register()
    await redis.stop()
    const register = await fetch(`${down.origin}/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ redirect_uris: [REDIRECT_URI] })
    })
    const tokenAnswer = await d.token({ grant_type: "refresh_token", refresh_token: granted.refresh, client_id: granted.clientId })
    const page = await fetch(await d.authorizeUrl(client_id), { redirect: "manual" })
    const mcp = await d.mcp(`Bearer ${granted.access}`, initializeBody)
    for (const [what, status, body] of [
      ["register", register.status, await register.text()],
      ["token", tokenAnswer.status, tokenAnswer.text],
      ["authorize", page.status, await page.text()],
      ["mcp", mcp.status, mcp.body]
    ] as const) {
      expect(status, what).toBeGreaterThanOrEqual(500)
      noLeak(body)
      expect(body, what).not.toContain(String(redis.port))
      expect(body, what).not.toContain("redis-password")
    }
    expect(mcp.status).not.toBe(200)
    for (const secret of secrets) expect(down.stderr()).not.toContain(secret)
  })
})

describe("the stateless mode with OAuth", () => {
  it("keeps a read-only grant read-only when every POST gets a server of its own", async () => {
    const stateless = await startHttpServer({ ...baseEnv(fake), MCP_STATELESS: "true" })
    servers.push(stateless)
    const s = actor(stateless.origin)
    const granted = await s.grant("read")
    const before = fake.requests.length
    const listed = await s.mcp(`Bearer ${granted.access}`, { jsonrpc: "2.0", id: 1, method: "tools/list" }, { "mcp-protocol-version": "2025-06-18" })
    expect(listed.status).toBe(200)
    expect(listed.body).toContain("get_activities")
    expect(listed.body).not.toContain("delete_event")
    const write = await s.mcp(`Bearer ${granted.access}`, {
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "delete_event", arguments: { event_id: 1 } }
    }, { "mcp-protocol-version": "2025-06-18" })
    expect(write.body).toContain("isError")
    expect(fake.requests.slice(before).filter((r) => r.method !== "GET")).toEqual([])
    const other = await s.mcp(`Bearer ${granted.access}x`, { jsonrpc: "2.0", id: 3, method: "tools/list" })
    expect(other.status).toBe(401)
  })
})

describe("the logs", () => {
  it("cannot be forged through a client name (no line breaks from a client reach them)", async () => {
    await as.register({ client_name: "x\ntimestamp=2030-01-01T00:00:00.000Z level=ERROR message=\"forged by a client\"\r\nmore" })
    const lines = (server.stderr() + server.stdout()).split("\n")
    expect(lines.some((line) => line.startsWith("timestamp=2030-01-01"))).toBe(false)
  })

  it("hold no token, code, client secret, CSRF token or owner secret, at LOG_LEVEL=Debug", () => {
    const logs = server.stderr() + server.stdout()
    expect(logs).toContain("oauth grant issued")
    for (const secret of secrets) expect(logs).not.toContain(secret)
    for (const other of servers) for (const secret of secrets) expect(other.stderr()).not.toContain(secret)
  })
})
