/**
 * The built server as a remote connector (`MCP_AUTH=oauth`), driven by the SDK's `Client` and its OAuth client over
 * loopback against the fake Intervals.icu: discovery from the 401, dynamic registration, the sign-in page posted as a
 * browser would, PKCE, tokens, calls, refresh with rotation, revocation, a read-only grant, "Continue with
 * Intervals.icu", the bearer key beside it, a restart that keeps every grant (SQLite), and the bad inputs of each step
 * refused with the right OAuth error. Nothing secret may reach the logs.
 */
import { type CallToolResult, Client, StreamableHTTPClientTransport, UnauthorizedError } from "@modelcontextprotocol/client"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  type FakeIntervals,
  OAUTH_ACCESS_TOKEN,
  OAUTH_CLIENT_ID,
  OAUTH_CLIENT_SECRET,
  startFakeIntervals
} from "../fake/FakeIntervals.js"
import { API_KEY, ATHLETE_ID } from "../fake/Fixtures.js"
import { runCli } from "../support/Cli.js"
import { type HttpServerProcess, startHttpServer } from "../support/HttpServerProcess.js"
import {
  authorizeUrl,
  challengeOf,
  initializeWith,
  MemoryOAuthProvider,
  openSignIn,
  registerClient,
  VERIFIER,
  postSignIn,
  REDIRECT_URI,
  redirectParams,
  tokenRequest
} from "../support/OAuthFlow.js"

const OWNER = "owner-secret-for-tests-0123456789abcdef"

const textOf = (result: CallToolResult) => result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n")
const errorOf = (result: CallToolResult) =>
  (result.structuredContent as { error?: { code?: string } } | undefined)?.error?.code

let fake: FakeIntervals
let server: HttpServerProcess
const dataDir = mkdtempSync(join(tmpdir(), "intervals-mcp-oauth-"))
const secrets: Array<string> = [OWNER, API_KEY, OAUTH_ACCESS_TOKEN, OAUTH_CLIENT_SECRET]

const env = () => ({
  API_KEY,
  ATHLETE_ID,
  INTERVALS_API_BASE_URL: fake.baseUrl,
  MCP_TRANSPORT: "http",
  MCP_AUTH: "oauth",
  MCP_SERVER_API_KEY: OWNER,
  MCP_DATA_DIR: dataDir,
  INTERVALS_WRITE_MODE: "full",
  INTERVALS_OAUTH_CLIENT_ID: OAUTH_CLIENT_ID,
  INTERVALS_OAUTH_CLIENT_SECRET: OAUTH_CLIENT_SECRET,
  INTERVALS_OAUTH_URL: fake.url,
  MCP_AUTH_FAILURES_PER_MINUTE: "10000",
  MCP_REGISTRATIONS_PER_HOUR: "500",
  LOG_LEVEL: "Debug"
})

beforeAll(async () => {
  fake = await startFakeIntervals()
  server = await startHttpServer(env())
})
afterAll(async () => {
  await server?.stop()
  await fake?.close()
})

/** A server of its own on the demo athlete, with an in-memory store, for a test that changes a budget or a lifetime. */
const demoServer = (extra: Record<string, string>) =>
  startHttpServer({
    INTERVALS_DEMO: "true",
    MCP_TRANSPORT: "http",
    MCP_AUTH: "oauth",
    MCP_SERVER_API_KEY: OWNER,
    MCP_STORE: "memory",
    ...extra
  })

/** The code exchange of a flow driven by hand, with `VERIFIER` unless told otherwise. */
const exchange = (origin: string, code: string, clientId: string, verifier = VERIFIER) =>
  tokenRequest(origin, {
    grant_type: "authorization_code",
    code,
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier
  })

const mcpUrl = () => new URL(`${server.origin}/mcp`)

/** The first connect: 401, discovery, registration, and the URL of the sign-in page. */
const startConnect = async (provider: MemoryOAuthProvider) => {
  const client = new Client({ name: "oauth-tests", version: "1.0.0" })
  const transport = new StreamableHTTPClientTransport(mcpUrl(), { authProvider: provider })
  await expect(client.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError)
  expect(provider.authorizationUrl).toBeDefined()
  return transport
}

/** A connector that signs in with the owner secret and the access chosen, and connects. */
const connectAs = async (access: "read" | "write" | "delete", provider = new MemoryOAuthProvider()) => {
  const transport = await startConnect(provider)
  const page = await openSignIn(provider.authorizationUrl!)
  expect(page.status).toBe(200)
  const posted = await postSignIn(server.origin, page, { access, secret: OWNER, action: "allow" })
  expect(posted.status).toBe(303)
  await transport.finishAuth(redirectParams(posted.location))
  const client = new Client({ name: "oauth-tests", version: "1.0.0" })
  await client.connect(new StreamableHTTPClientTransport(mcpUrl(), { authProvider: provider }))
  secrets.push(provider.saved!.access_token, provider.saved!.refresh_token!, (redirectParams(posted.location).get("code"))!)
  return { client, provider }
}

describe("discovery", () => {
  it("answers a request without a token with 401 and where to sign in", async () => {
    const response = await fetch(mcpUrl(), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" })
    })
    expect(response.status).toBe(401)
    const challenge = response.headers.get("www-authenticate") ?? ""
    expect(challenge).toMatch(/^Bearer /)
    expect(challenge).toContain(`resource_metadata="${server.origin}/.well-known/oauth-protected-resource/mcp"`)
    expect(challenge).toContain(`scope="intervals:read intervals:write intervals:delete"`)
  })

  it("serves protected-resource and authorization-server metadata that agree", async () => {
    const prm = await (await fetch(`${server.origin}/.well-known/oauth-protected-resource/mcp`)).json() as Record<string, unknown>
    expect(prm["resource"]).toBe(`${server.origin}/mcp`)
    expect(prm["authorization_servers"]).toEqual([server.origin])
    const asm = await (await fetch(`${server.origin}/.well-known/oauth-authorization-server`)).json() as Record<string, unknown>
    expect(asm["issuer"]).toBe(server.origin)
    expect(asm["code_challenge_methods_supported"]).toEqual(["S256"])
    expect(asm["client_id_metadata_document_supported"]).toBe(true)
    expect(asm["authorization_response_iss_parameter_supported"]).toBe(true)
    expect(asm["grant_types_supported"]).toEqual(["authorization_code", "refresh_token"])
  })
})

describe("the whole flow", () => {
  it("registers, signs in with the owner secret, calls tools, refreshes and revokes", async () => {
    const { client, provider } = await connectAs("delete")
    expect(provider.client?.client_id).toMatch(/^mcp-/)
    const tools = (await client.listTools()).tools.map((t) => t.name)
    expect(tools).toContain("delete_event")
    const profile = await client.callTool({ name: "get_athlete_profile", arguments: {} })
    expect(profile.isError).not.toBe(true)
    expect(fake.requests.at(-1)?.auth).toBe("valid")

    // Refresh: a new pair, the old refresh token no longer works, and presenting it again revokes the grant.
    const first = provider.saved!
    const refreshed = await tokenRequest(server.origin, {
      grant_type: "refresh_token",
      refresh_token: first.refresh_token!,
      client_id: provider.client!.client_id
    })
    expect(refreshed.status).toBe(200)
    expect(refreshed.body["refresh_token"]).not.toBe(first.refresh_token)
    expect(refreshed.body["scope"]).toBe("intervals:read intervals:write intervals:delete")
    secrets.push(String(refreshed.body["access_token"]), String(refreshed.body["refresh_token"]))
    const withNew = await initializeWith(server.origin, String(refreshed.body["access_token"]))
    expect(withNew.status).toBe(200)
    const reused = await tokenRequest(server.origin, {
      grant_type: "refresh_token",
      refresh_token: first.refresh_token!,
      client_id: provider.client!.client_id
    })
    expect(reused.status).toBe(400)
    expect(reused.body["error"]).toBe("invalid_grant")
    // The reuse revoked the whole grant: the newest tokens stop working too.
    const afterReuse = await tokenRequest(server.origin, {
      grant_type: "refresh_token",
      refresh_token: String(refreshed.body["refresh_token"]),
      client_id: provider.client!.client_id
    })
    expect(afterReuse.body["error"]).toBe("invalid_grant")
    await client.close()
  })

  it("revokes a grant: its access token is refused at once", async () => {
    const { client, provider } = await connectAs("write")
    const revoked = await fetch(`${server.origin}/revoke`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: provider.saved!.access_token, client_id: provider.client!.client_id })
    })
    expect(revoked.status).toBe(200)
    const after = await fetch(mcpUrl(), {
      method: "POST",
      headers: { authorization: `Bearer ${provider.saved!.access_token}`, "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" })
    })
    expect(after.status).toBe(401)
    expect(after.headers.get("www-authenticate")).toContain(`error="invalid_token"`)
    await client.close().catch(() => undefined)
  })

  it("gives a read-only grant only the tools that read, and refuses a write by name", async () => {
    const { client } = await connectAs("read")
    const tools = (await client.listTools()).tools.map((t) => t.name)
    expect(tools).toContain("get_activities")
    expect(tools).not.toContain("add_or_update_event")
    expect(tools).not.toContain("delete_event")
    const before = fake.requests.length
    const write = await client.callTool({
      name: "add_or_update_event",
      arguments: { start_date: "2030-01-01", name: "Nope", category: "NOTE" }
    }) as CallToolResult
    expect(write.isError).toBe(true)
    expect(errorOf(write)).toBe("refused_by_mode")
    expect(textOf(write)).toContain("granted read only")
    expect(fake.requests.length).toBe(before)
    await client.close()
  })

  it("offers no more than the client asked for: a client asking intervals:read gets only the read choice", async () => {
    const registration = await fetch(`${server.origin}/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_name: "Reader", redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none" })
    })
    const { client_id } = await registration.json() as { client_id: string }
    const page = await openSignIn(`${server.origin}/authorize?${new URLSearchParams({
      response_type: "code",
      client_id,
      redirect_uri: REDIRECT_URI,
      code_challenge: await challengeOf(VERIFIER),
      code_challenge_method: "S256",
      scope: "intervals:read"
    })}`)
    expect(page.html).toContain(`value="read"`)
    expect(page.html).not.toContain(`value="write"`)
    // A forged choice beyond the offer is not taken.
    const posted = await postSignIn(server.origin, page, { access: "delete", secret: OWNER, action: "allow" })
    expect(posted.status).toBe(400)
    expect(posted.html).toContain("Choose what the app may do")
  })

  it("signs in with Intervals.icu: the connection's calls use the athlete's own token", async () => {
    const provider = new MemoryOAuthProvider("Intervals user")
    const transport = await startConnect(provider)
    const page = await openSignIn(provider.authorizationUrl!)
    expect(page.html).toContain("Continue with Intervals.icu")
    const started = await postSignIn(server.origin, page, { access: "write" }, { path: "/authorize/intervals" })
    expect(started.status).toBe(303)
    const atIntervals = new URL(started.location!)
    expect(atIntervals.origin).toBe(fake.url)
    expect(atIntervals.searchParams.get("scope")).toBe("ACTIVITY:WRITE,WELLNESS:WRITE,CALENDAR:WRITE,SETTINGS:READ")
    // Intervals.icu approves and sends the browser back to the server, which sends it on to the app.
    const approved = await fetch(atIntervals, { redirect: "manual" })
    // The browser that started the sign-in carries the cookie that binds the callback to it.
    const callback = await fetch(approved.headers.get("location")!, { redirect: "manual", headers: { cookie: started.cookie } })
    expect(callback.status).toBe(302)
    await transport.finishAuth(redirectParams(callback.headers.get("location") ?? undefined))
    const client = new Client({ name: "oauth-tests", version: "1.0.0" })
    await client.connect(new StreamableHTTPClientTransport(mcpUrl(), { authProvider: provider }))
    secrets.push(provider.saved!.access_token, provider.saved!.refresh_token!)
    const before = fake.requests.length
    const result = await client.callTool({ name: "get_athlete_profile", arguments: {} }) as CallToolResult
    expect(result.isError).not.toBe(true)
    const sent = fake.requests.slice(before)
    expect(sent.length).toBeGreaterThan(0)
    expect(sent.every((request) => request.auth === "bearer")).toBe(true)
    expect(sent.some((request) => request.path.includes(`/athlete/${ATHLETE_ID}`))).toBe(true)
    await client.close()
  })

  it("keeps the bearer key working beside OAuth, for scripts and Claude Code", async () => {
    const client = new Client({ name: "key", version: "1.0.0" })
    await client.connect(
      new StreamableHTTPClientTransport(mcpUrl(), { requestInit: { headers: { authorization: `Bearer ${OWNER}` } } })
    )
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("delete_event")
    await client.close()
  })
})

describe("bad inputs, each refused with the right OAuth error", () => {
  const authorizeWith = (params: Record<string, string>) => `${server.origin}/authorize?${new URLSearchParams(params)}`
  const registered = () => registerClient(server.origin)

  const codeFor = async (clientId: string, verifier = VERIFIER) => {
    const page = await openSignIn(authorizeWith({
      response_type: "code",
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      code_challenge: await challengeOf(verifier),
      code_challenge_method: "S256",
      state: "s1",
      resource: `${server.origin}/mcp`
    }))
    expect(page.status).toBe(200)
    const posted = await postSignIn(server.origin, page, { access: "read", secret: OWNER, action: "allow" })
    const params = redirectParams(posted.location)
    expect(params.get("state")).toBe("s1")
    expect(params.get("iss")).toBe(server.origin)
    secrets.push(params.get("code")!)
    return params.get("code")!
  }

  it("shows an error page, and never redirects, for a redirect URI the client did not register", async () => {
    const clientId = await registered()
    const response = await fetch(authorizeWith({
      response_type: "code",
      client_id: clientId,
      redirect_uri: "https://evil.example/steal",
      code_challenge: await challengeOf(VERIFIER),
      code_challenge_method: "S256"
    }), { redirect: "manual" })
    expect(response.status).toBe(400)
    expect(response.headers.get("location")).toBeNull()
    expect(await response.text()).toContain("Wrong redirect URI")
  })

  it("redirects back with invalid_request for a missing PKCE challenge or the plain method", async () => {
    const clientId = await registered()
    for (const method of ["plain", ""]) {
      const response = await fetch(authorizeWith({
        response_type: "code",
        client_id: clientId,
        redirect_uri: REDIRECT_URI,
        code_challenge: "x".repeat(43),
        ...(method === "" ? {} : { code_challenge_method: method }),
        state: "st"
      }), { redirect: "manual" })
      expect(response.status).toBe(302)
      const params = redirectParams(response.headers.get("location") ?? undefined)
      expect(params.get("error")).toBe("invalid_request")
      expect(params.get("state")).toBe("st")
    }
  })

  it("refuses a resource that is not this server with invalid_target", async () => {
    const clientId = await registered()
    const response = await fetch(authorizeWith({
      response_type: "code",
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      code_challenge: await challengeOf(VERIFIER),
      code_challenge_method: "S256",
      resource: "https://other.example/mcp"
    }), { redirect: "manual" })
    expect(redirectParams(response.headers.get("location") ?? undefined).get("error")).toBe("invalid_target")
  })

  it("refuses a wrong verifier, and a reused code, with invalid_grant", async () => {
    const clientId = await registered()
    const code = await codeFor(clientId)
    const wrong = await exchange(server.origin, code, clientId, "w".repeat(50))
    expect(wrong.status).toBe(400)
    expect(wrong.body["error"]).toBe("invalid_grant")
    // The code was spent by the wrong attempt: the right verifier gets nothing now either.
    const late = await exchange(server.origin, code, clientId)
    expect(late.body["error"]).toBe("invalid_grant")

    const second = await codeFor(clientId)
    const good = await exchange(server.origin, second, clientId)
    expect(good.status).toBe(200)
    secrets.push(String(good.body["access_token"]), String(good.body["refresh_token"]))
    const reused = await exchange(server.origin, second, clientId)
    expect(reused.body["error"]).toBe("invalid_grant")
    // Reuse of a code takes back what it gave: the refresh token of the first exchange is dead.
    const refresh = await tokenRequest(server.origin, {
      grant_type: "refresh_token",
      refresh_token: String(good.body["refresh_token"]),
      client_id: clientId
    })
    expect(refresh.body["error"]).toBe("invalid_grant")
  })

  it("refuses a code for another client, another redirect URI, and an unknown grant type", async () => {
    const clientId = await registered()
    const other = await registered()
    const code = await codeFor(clientId)
    const stolen = await exchange(server.origin, code, other)
    expect(stolen.body["error"]).toBe("invalid_grant")
    const code2 = await codeFor(clientId)
    const moved = await tokenRequest(server.origin, {
      grant_type: "authorization_code",
      code: code2,
      client_id: clientId,
      redirect_uri: "http://127.0.0.1:9/elsewhere",
      code_verifier: VERIFIER
    })
    expect(moved.body["error"]).toBe("invalid_grant")
    const password = await tokenRequest(server.origin, { grant_type: "password", client_id: clientId })
    expect(password.body["error"]).toBe("unsupported_grant_type")
    const unknown = await tokenRequest(server.origin, { grant_type: "refresh_token", refresh_token: "x", client_id: "nobody" })
    expect(unknown.status).toBe(401)
    expect(unknown.body["error"]).toBe("invalid_client")
  })

  it("refuses registrations with bad metadata, naming the field", async () => {
    const cases: Array<[unknown, string, string]> = [
      [{ redirect_uris: [] }, "invalid_redirect_uri", "redirect_uris"],
      [{ redirect_uris: ["http://evil.example/cb"] }, "invalid_redirect_uri", "http is allowed only"],
      [{ redirect_uris: ["javascript:alert(1)"] }, "invalid_redirect_uri", "javascript"],
      [{ redirect_uris: ["https://ok.example/cb#frag"] }, "invalid_redirect_uri", "fragment"],
      [{ redirect_uris: [REDIRECT_URI], grant_types: ["client_credentials"] }, "invalid_client_metadata", "grant_types"],
      [{ redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "private_key_jwt" }, "invalid_client_metadata", "token_endpoint_auth_method"],
      [{ redirect_uris: [REDIRECT_URI], client_name: "x".repeat(500) }, "invalid_client_metadata", "client_name"],
      [[1, 2], "invalid_client_metadata", "JSON object"]
    ]
    for (const [body, error, mentions] of cases) {
      const response = await fetch(`${server.origin}/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body)
      })
      expect(response.status).toBe(400)
      const answer = await response.json() as { error: string; error_description: string }
      expect(answer.error).toBe(error)
      expect(answer.error_description).toContain(mentions)
    }
  })

  it("gives a confidential client a secret, and checks it", async () => {
    const response = await fetch(`${server.origin}/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_name: "Confidential", redirect_uris: [REDIRECT_URI] })
    })
    const client = await response.json() as { client_id: string; client_secret: string; token_endpoint_auth_method: string }
    expect(client.token_endpoint_auth_method).toBe("client_secret_basic")
    expect(client.client_secret.length).toBeGreaterThanOrEqual(43)
    secrets.push(client.client_secret)
    const code = await codeFor(client.client_id)
    const noSecret = await exchange(server.origin, code, client.client_id)
    expect(noSecret.status).toBe(401)
    expect(noSecret.body["error"]).toBe("invalid_client")
    const code2 = await codeFor(client.client_id)
    const basic = Buffer.from(`${client.client_id}:${client.client_secret}`).toString("base64")
    const good = await tokenRequest(server.origin, {
      grant_type: "authorization_code",
      code: code2,
      redirect_uri: REDIRECT_URI,
      code_verifier: VERIFIER
    }, { authorization: `Basic ${basic}` })
    expect(good.status).toBe(200)
    secrets.push(String(good.body["access_token"]), String(good.body["refresh_token"]))
  })

  it("refuses the form without the page's cookie, from another origin, or posted twice", async () => {
    const clientId = await registered()
    const page = await openSignIn(authorizeWith({
      response_type: "code",
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      code_challenge: await challengeOf(VERIFIER),
      code_challenge_method: "S256"
    }))
    const noCookie = await postSignIn(server.origin, page, { access: "read", secret: OWNER, action: "allow" }, { cookie: "" })
    expect(noCookie.status).toBe(403)
    const crossSite = await postSignIn(server.origin, page, { access: "read", secret: OWNER, action: "allow" }, {
      origin: "https://evil.example"
    })
    expect(crossSite.status).toBe(403)
    const wrongSecret = await postSignIn(server.origin, page, { access: "read", secret: "nope", action: "allow" })
    expect(wrongSecret.status).toBe(401)
    expect(wrongSecret.html).toContain("not the owner secret")
    const once = await postSignIn(server.origin, page, { access: "read", secret: OWNER, action: "allow" })
    expect(once.status).toBe(303)
    secrets.push(redirectParams(once.location).get("code")!)
    const twice = await postSignIn(server.origin, page, { access: "read", secret: OWNER, action: "allow" })
    expect(twice.status).toBe(400)
    expect(twice.html).toContain("expired")
  })

  it("sends the user back with access_denied when the owner denies", async () => {
    const clientId = await registered()
    const page = await openSignIn(authorizeWith({
      response_type: "code",
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      code_challenge: await challengeOf(VERIFIER),
      code_challenge_method: "S256",
      state: "deny-state"
    }))
    const denied = await postSignIn(server.origin, page, { action: "deny" })
    const params = redirectParams(denied.location)
    expect(params.get("error")).toBe("access_denied")
    expect(params.get("state")).toBe("deny-state")
  })

  it("serves pages that cannot be framed, run no script and are not cached", async () => {
    const clientId = await registered()
    const page = await openSignIn(authorizeWith({
      response_type: "code",
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      code_challenge: await challengeOf(VERIFIER),
      code_challenge_method: "S256"
    }))
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'")
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'")
    expect(page.headers.get("cache-control")).toBe("no-store")
    expect(page.html).not.toContain("<script")
    expect(page.html).toContain(`<html lang="en">`)
    expect(page.html).toContain(`<label for="secret">`)
  })
})

describe("the logs", () => {
  it("hold no secret: no owner secret, key, token, code or client secret", () => {
    const logs = server.stderr() + server.stdout()
    expect(logs).toContain("oauth grant issued")
    for (const secret of secrets) expect(logs).not.toContain(secret)
  })
})

describe("a restart", () => {
  it("keeps registrations and grants in the SQLite store", async () => {
    const { client, provider } = await connectAs("write")
    await client.close()
    await server.stop()
    server = await startHttpServer({ ...env(), MCP_PORT: String(server.port) })
    const again = new Client({ name: "oauth-tests", version: "1.0.0" })
    await again.connect(new StreamableHTTPClientTransport(mcpUrl(), { authProvider: provider }))
    expect((await again.listTools()).tools.map((t) => t.name)).toContain("add_or_update_event")
    const refreshed = await tokenRequest(server.origin, {
      grant_type: "refresh_token",
      refresh_token: provider.saved!.refresh_token!,
      client_id: provider.client!.client_id
    })
    expect(refreshed.status).toBe(200)
    secrets.push(String(refreshed.body["access_token"]), String(refreshed.body["refresh_token"]))
    await again.close()
  })

  it("revokes everything with the owner secret: DELETE /oauth/grants", async () => {
    const { client, provider } = await connectAs("read")
    await client.close()
    const refused = await fetch(`${server.origin}/oauth/grants`, { method: "DELETE", headers: { authorization: "Bearer nope" } })
    expect(refused.status).toBe(401)
    const done = await fetch(`${server.origin}/oauth/grants`, { method: "DELETE", headers: { authorization: `Bearer ${OWNER}` } })
    expect(done.status).toBe(200)
    expect((await done.json() as { revoked_grants: number }).revoked_grants).toBeGreaterThanOrEqual(1)
    const after = await fetch(mcpUrl(), {
      method: "POST",
      headers: { authorization: `Bearer ${provider.saved!.access_token}`, "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" })
    })
    expect(after.status).toBe(401)
  })
})

describe("intervals-mcp revoke-all", () => {
  it("ends every grant in the SQLite store of a stopped server, and refuses while it runs", async () => {
    const { client, provider } = await connectAs("read")
    await client.close()
    const busy = await runCli(["revoke-all"], { MCP_DATA_DIR: dataDir })
    expect(busy.code).toBe(1)
    expect(busy.stderr).toContain("MCP_STORE_URL=redis")
    await server.stop()
    const done = await runCli(["revoke-all"], { MCP_DATA_DIR: dataDir })
    expect(done.stderr).toBe("")
    expect(done.stdout).toMatch(/^revoked [1-9]\d* OAuth grant\(s\)/)
    expect(done.code).toBe(0)
    server = await startHttpServer({ ...env(), MCP_PORT: String(server.port) })
    expect((await initializeWith(server.origin, provider.saved!.access_token)).status).toBe(401)
  })
})

describe("throttling", () => {
  it("locks an address out of the sign-in after too many wrong secrets, even for the right one", async () => {
    const throttled = await demoServer({ MCP_SIGNIN_FAILURES_PER_15_MIN: "3", MCP_REGISTRATIONS_PER_HOUR: "2" })
    try {
      const register = () =>
        fetch(`${throttled.origin}/register`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none" })
        })
      const first = await register()
      const { client_id } = await first.json() as { client_id: string }
      expect((await register()).status).toBe(201)
      const third = await register()
      expect(third.status).toBe(429)
      expect((await third.json() as { error_description: string }).error_description).toContain("MCP_REGISTRATIONS_PER_HOUR")

      const page = await openSignIn(await authorizeUrl(throttled.origin, client_id))
      for (let i = 0; i < 3; i++) {
        expect((await postSignIn(throttled.origin, page, { access: "read", secret: `wrong-${i}`, action: "allow" })).status).toBe(401)
      }
      const locked = await postSignIn(throttled.origin, page, { access: "read", secret: OWNER, action: "allow" })
      expect(locked.status).toBe(429)
      expect(locked.html).toContain("Too many attempts")
    } finally {
      await throttled.stop()
    }
  })
})

describe("expiry", () => {
  it("refuses an expired access token with invalid_token, and its refresh token still gets a new one", async () => {
    const short = await demoServer({ MCP_ACCESS_TOKEN_TTL_S: "1" })
    try {
      const client_id = await registerClient(short.origin)
      const page = await openSignIn(await authorizeUrl(short.origin, client_id))
      const posted = await postSignIn(short.origin, page, { access: "read", secret: OWNER, action: "allow" })
      const tokens = await exchange(short.origin, redirectParams(posted.location).get("code")!, client_id)
      expect(tokens.body["expires_in"]).toBe(1)
      const call = (token: string) => initializeWith(short.origin, token)
      expect((await call(String(tokens.body["access_token"]))).status).toBe(200)
      await new Promise((resolve) => setTimeout(resolve, 2100))
      const expired = await call(String(tokens.body["access_token"]))
      expect(expired.status).toBe(401)
      expect(expired.headers.get("www-authenticate")).toContain(`error="invalid_token"`)
      const refreshed = await tokenRequest(short.origin, {
        grant_type: "refresh_token",
        refresh_token: String(tokens.body["refresh_token"]),
        client_id
      })
      expect(refreshed.status).toBe(200)
      expect((await call(String(refreshed.body["access_token"]))).status).toBe(200)
    } finally {
      await short.stop()
    }
  })
})

describe("behind a reverse proxy (MCP_TRUST_PROXY=true)", () => {
  it("keeps the sign-in budget per forwarded address: one locked-out user does not lock out the owner", async () => {
    const proxied = await demoServer({ MCP_SIGNIN_FAILURES_PER_15_MIN: "2", MCP_TRUST_PROXY: "true" })
    try {
      const client_id = await registerClient(proxied.origin)
      const pageFor = async () =>
        openSignIn(await authorizeUrl(proxied.origin, client_id))
      const post = async (forwarded: string, secret: string) => {
        const page = await pageFor()
        const response = await fetch(`${proxied.origin}/authorize`, {
          method: "POST",
          redirect: "manual",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            origin: proxied.origin,
            cookie: page.cookie,
            "x-forwarded-for": forwarded
          },
          body: new URLSearchParams({ request: page.request, csrf: page.csrf, access: "read", secret, action: "allow" })
        })
        return response.status
      }
      // The attacker's address is the last entry (the one the proxy appended), whatever it puts before it.
      expect(await post("198.51.100.1, 203.0.113.5", "wrong-1")).toBe(401)
      expect(await post("198.51.100.2, 203.0.113.5", "wrong-2")).toBe(401)
      expect(await post("203.0.113.5", OWNER)).toBe(429)
      expect(await post("203.0.113.5, 198.51.100.9", OWNER)).toBe(303)
      expect(await post("203.0.113.77", OWNER)).toBe(303)
    } finally {
      await proxied.stop()
    }
  })
})
