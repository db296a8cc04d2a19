/**
 * The authorization server over HTTP, on the host's `node:http` request and response: the discovery documents
 * (RFC 8414 and RFC 9728), registration, the sign-in page and its form, "Continue with Intervals.icu", the token and
 * revocation endpoints, and the owner's "revoke everything". Bodies are small forms or JSON read up to 16 KB; pages
 * carry a strict content security policy, cannot be framed and are never cached; the form is bound to the browser
 * that opened it (a cookie set with the page, `SameSite=Strict`) and to its origin, so another site cannot post it.
 */
import { buildOAuthProtectedResourceMetadata, type OAuthMetadata } from "@modelcontextprotocol/server"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import { timingSafeEqual } from "node:crypto"
import type { IncomingMessage, ServerResponse } from "node:http"
import { isLoopback } from "../services/HttpConfig.js"
import { type Access, lesser } from "./Access.js"
import { AuthorizationServer, type Outcome, OAuthFailure } from "./AuthorizationServer.js"
import { OAuthConfig } from "./OAuthConfig.js"
import { hashOf, randomToken, UpstreamState, decode as decodeRecord, encode as encodeRecord } from "./Records.js"
import { messagePage, signInPage } from "./SignInPage.js"
import { TokenStore } from "../store/TokenStore.js"
import { readBody } from "../transports/HttpHost.js"

const MAX_FORM_BYTES = 16 * 1024

/** The body, up to 16 KB (the host's reader); undefined when it is larger. */
const readSmallBody = (req: IncomingMessage): Promise<string | undefined> =>
  readBody(req, MAX_FORM_BYTES).then((raw) => (typeof raw === "string" ? raw : undefined))

/**
 * A body this server will not read stays on the connection: kept alive, the next request on it (a proxy's, another
 * user's) would wait behind it until the request timeout. So the connection closes once the refusal is sent, as the
 * host's own refusals do.
 */
const closeAfterRefusal = (req: IncomingMessage, res: ServerResponse) => {
  res.setHeader("connection", "close")
  if (!req.complete) res.once("finish", () => req.socket.destroy())
}

/**
 * Reads what is left of a refused request's small body, so that its connection can be kept (a client still sending
 * it would otherwise meet a closed socket); a body over the limit is not read, and its connection closes.
 */
const settleBody = async (req: IncomingMessage, res: ServerResponse) => {
  if (req.complete) return
  if ((await readSmallBody(req)) === undefined) closeAfterRefusal(req, res)
}

const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store"
}

// Discovery, registration, token and revocation are called from anywhere (a browser-based client among them) and
// carry no cookie: any origin may read them.
const OPEN_CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "authorization, content-type, mcp-protocol-version",
  "access-control-max-age": "600"
}

const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string>) => {
  res.writeHead(status, { ...headers, "content-length": String(Buffer.byteLength(body)) })
  res.end(body)
}

const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  send(res, status, JSON.stringify(body), {
    "content-type": "application/json",
    "cache-control": "no-store",
    ...OPEN_CORS,
    ...headers
  })

const cookieName = (pendingId: string) => `imcp_csrf_${hashOf(pendingId).slice(0, 12).replace(/[^A-Za-z0-9]/g, "x")}`

const cookiesOf = (req: IncomingMessage): Map<string, string> =>
  new Map(
    (req.headers.cookie ?? "").split(";").map((part) => part.trim()).filter((part) => part.includes("=")).map((part) => {
      const at = part.indexOf("=")
      return [part.slice(0, at), part.slice(at + 1)] as const
    })
  )

// Byte lengths, not string lengths: a non-ASCII character made timingSafeEqual throw, and the request crash.
const same = (a: string, b: string) => {
  const x = Buffer.from(a, "utf8")
  const y = Buffer.from(b, "utf8")
  return x.length === y.length && timingSafeEqual(x, y)
}

/**
 * The cookie that ties an Intervals.icu sign-in to the browser that started it. Without it, an attacker could start
 * one for their own client, send the Intervals.icu link to a victim who is signed in there, and receive a grant on
 * the victim's account at their own redirect URI (login CSRF). `SameSite=Lax`, since the browser comes back from
 * Intervals.icu by a cross-site top-level redirect, which carries no `Strict` cookie.
 */
const upstreamCookieName = (state: string) => `imcp_up_${hashOf(state).slice(0, 12).replace(/[^A-Za-z0-9]/g, "x")}`

const MAX_UPSTREAM_BYTES = 64 * 1024

/** Intervals.icu's token answer, read up to a limit: a broken or hostile upstream cannot make the server buffer more. */
const readUpstream = async (response: Response): Promise<unknown> => {
  const declared = Number(response.headers.get("content-length"))
  if (Number.isFinite(declared) && declared > MAX_UPSTREAM_BYTES) throw new Error("the answer is too large")
  const reader = response.body?.getReader()
  if (reader === undefined) throw new Error("the answer has no body")
  const chunks: Array<Uint8Array> = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.length
    if (size > MAX_UPSTREAM_BYTES) {
      await reader.cancel()
      throw new Error("the answer is too large")
    }
    chunks.push(value)
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"))
}

/** An Intervals.icu athlete id, as the API's paths take it; anything else (a path, a query) is refused. */
const athleteIdOf = (id: unknown): string | undefined =>
  typeof id === "number" && Number.isSafeInteger(id) && id > 0
    ? `i${id}`
    : typeof id === "string" && /^i?\d{1,15}$/.test(id)
    ? (id.startsWith("i") ? id : `i${id}`)
    : undefined

/** The Intervals.icu scopes asked for each access (Intervals.icu has no delete scope: WRITE covers deletes). */
const intervalsScopes = (access: Access) =>
  access === "read"
    ? "ACTIVITY:READ,WELLNESS:READ,CALENDAR:READ,SETTINGS:READ"
    : "ACTIVITY:WRITE,WELLNESS:WRITE,CALENDAR:WRITE,SETTINGS:READ"

/** The access an Intervals.icu token's granted scopes allow: writes only if the calendar may be written. */
const accessFromIntervals = (scope: string, chosen: Access): Access =>
  scope.split(/[\s,]+/).includes("CALENDAR:WRITE") ? chosen : "read"

export const makeOAuthRoutes = Effect.gen(function*() {
  const as = yield* AuthorizationServer
  const config = yield* OAuthConfig
  const store = yield* TokenStore
  const runtime = yield* Effect.runtime<never>()
  const run = <A, E>(effect: Effect.Effect<A, E>) => Runtime.runPromise(runtime)(Effect.either(effect))
  const upstreamStates = { encode: encodeRecord(UpstreamState), decode: decodeRecord(UpstreamState) }

  const secure = () => as.issuer().startsWith("https:")

  const oauthMetadata = (): OAuthMetadata => as.metadata() as OAuthMetadata

  const resourceMetadata = () =>
    buildOAuthProtectedResourceMetadata({
      oauthMetadata: oauthMetadata(),
      resourceServerUrl: new URL(as.resource()),
      scopesSupported: as.metadata().scopes_supported,
      resourceName: "Intervals.icu (intervals-mcp)",
      // Plain http only for an issuer on this machine; MCP_PUBLIC_URL beyond loopback must be https.
      dangerouslyAllowInsecureIssuerUrl: isLoopback(new URL(as.issuer()).hostname.replace(/^\[|\]$/g, ""))
    })

  const showOutcome = (res: ServerResponse, outcome: Outcome, redirectStatus: 302 | 303) => {
    switch (outcome._tag) {
      case "Redirect":
        res.writeHead(redirectStatus, { location: outcome.location, "cache-control": "no-store", "referrer-policy": "no-referrer" })
        return void res.end()
      case "Refused":
        return send(res, outcome.status, messagePage(outcome.title, outcome.detail), PAGE_HEADERS)
      case "Page": {
        const cookie = `${cookieName(outcome.shown.id)}=${outcome.shown.pending.csrf}; Path=/authorize; Max-Age=600; ` +
          `HttpOnly; SameSite=Strict${secure() ? "; Secure" : ""}`
        return send(
          res,
          outcome.status ?? 200,
          signInPage({
            shown: outcome.shown,
            problem: outcome.problem,
            ownerSecret: Option.isSome(config.ownerSecret),
            intervals: Option.isSome(config.intervals)
          }),
          { ...PAGE_HEADERS, "set-cookie": cookie }
        )
      }
    }
  }

  const oauthError = (res: ServerResponse, error: OAuthFailure) =>
    sendJson(res, error.status, error.body, error.status === 401 ? { "www-authenticate": "Basic realm=\"intervals-mcp\"" } : {})

  const serverTrouble = (res: ServerResponse, html: boolean) =>
    html
      ? send(res, 503, messagePage("Try again", "The server could not reach its token store; try again in a moment."), PAGE_HEADERS)
      : sendJson(res, 503, { error: "temporarily_unavailable", error_description: "The token store is unavailable" })

  /** A browser's form, checked: from this server's origin, and with the cookie its page set. */
  const formFrom = async (req: IncomingMessage, res: ServerResponse) => {
    const type = req.headers["content-type"] ?? ""
    if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
      await settleBody(req, res)
      send(res, 415, messagePage("Refused", "The form must be posted as application/x-www-form-urlencoded."), PAGE_HEADERS)
      return undefined
    }
    const origin = req.headers.origin
    if (origin !== undefined && origin !== "null" && origin.replace(/\/+$/, "") !== as.issuer()) {
      await settleBody(req, res)
      send(res, 403, messagePage("Refused", "The form was posted from another site."), PAGE_HEADERS)
      return undefined
    }
    const raw = await readSmallBody(req)
    if (raw === undefined) {
      closeAfterRefusal(req, res)
      send(res, 413, messagePage("Refused", `The form is larger than ${MAX_FORM_BYTES} bytes.`), PAGE_HEADERS)
      return undefined
    }
    const form = new URLSearchParams(raw)
    const pending = form.get("request") ?? ""
    const csrf = form.get("csrf") ?? ""
    const cookie = cookiesOf(req).get(cookieName(pending))
    if (pending === "" || csrf === "" || cookie === undefined || !same(cookie, csrf)) {
      send(
        res,
        403,
        messagePage(
          "Refused",
          "This form was not opened in this browser, or its page expired (the CSRF check failed). Go back to the app " +
            "and connect again."
        ),
        PAGE_HEADERS
      )
      return undefined
    }
    return form
  }

  const intervalsCallback = () => `${as.issuer()}/authorize/intervals/callback`

  /** "Continue with Intervals.icu": the owner's choice of access is kept with a state, and the browser sent on. */
  const startIntervals = async (req: IncomingMessage, res: ServerResponse) => {
    const form = await formFrom(req, res)
    if (form === undefined) return
    if (Option.isNone(config.intervals)) {
      return send(res, 404, messagePage("Not available", "This server has no Intervals.icu sign-in."), PAGE_HEADERS)
    }
    const intervals = config.intervals.value
    const pendingId = form.get("request")!
    const found = await run(as.pendingOf(pendingId))
    if (found._tag === "Left") return serverTrouble(res, true)
    if (Option.isNone(found.right) || !same(found.right.value.csrf, form.get("csrf")!)) {
      return showOutcome(res, as.expiredPage, 303)
    }
    const shown = await run(as.showAgain(pendingId, found.right.value))
    if (shown._tag === "Left") return showOutcome(res, as.refused("Unknown client", shown.left.description), 303)
    const access = as.chosenAccess(form.get("access") ?? undefined, shown.right)
    if (access === undefined) return showOutcome(res, { _tag: "Page", shown: shown.right, problem: "Choose what the app may do.", status: 400 }, 303)
    const state = randomToken()
    const kept = await run(
      store.put("upstream-state", hashOf(state), upstreamStates.encode({ pending: pendingId, access }), Duration.minutes(10))
    )
    if (kept._tag === "Left") return serverTrouble(res, true)
    const target = new URL(`${intervals.url}/oauth/authorize`)
    target.searchParams.set("client_id", intervals.clientId)
    target.searchParams.set("redirect_uri", intervalsCallback())
    target.searchParams.set("scope", intervalsScopes(access))
    target.searchParams.set("state", state)
    const cookie = `${upstreamCookieName(state)}=${state}; Path=/authorize/intervals/callback; Max-Age=600; HttpOnly; ` +
      `SameSite=Lax${secure() ? "; Secure" : ""}`
    res.writeHead(303, {
      location: target.toString(),
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "set-cookie": cookie
    })
    res.end()
  }

  /** Back from Intervals.icu: its code becomes its token (kept sealed with the grant), and the app gets our code. */
  const finishIntervals = async (req: IncomingMessage, url: URL, res: ServerResponse) => {
    if (Option.isNone(config.intervals)) {
      return send(res, 404, messagePage("Not available", "This server has no Intervals.icu sign-in."), PAGE_HEADERS)
    }
    const intervals = config.intervals.value
    const state = url.searchParams.get("state") ?? ""
    const bound = cookiesOf(req).get(upstreamCookieName(state))
    if (state === "" || bound === undefined || !same(bound, state)) {
      // Checked before the state is taken: a victim's browser sent here by someone else spends nothing of theirs.
      return send(
        res,
        403,
        messagePage(
          "Refused",
          "This Intervals.icu sign-in was not started in this browser (or its page expired). Go back to the app and " +
            "connect again."
        ),
        PAGE_HEADERS
      )
    }
    const taken = await run(store.take("upstream-state", hashOf(state)))
    if (taken._tag === "Left") return serverTrouble(res, true)
    const kept = Option.flatMap(taken.right, upstreamStates.decode)
    if (state === "" || Option.isNone(kept)) return showOutcome(res, as.expiredPage, 302)
    const pendingFound = await run(as.pendingOf(kept.value.pending))
    if (pendingFound._tag === "Left") return serverTrouble(res, true)
    if (Option.isNone(pendingFound.right)) return showOutcome(res, as.expiredPage, 302)
    const pending = pendingFound.right.value
    const error = url.searchParams.get("error")
    const code = url.searchParams.get("code")
    if (error !== null || code === null) {
      const location = new URL(pending.redirect_uri)
      location.searchParams.set("error", "access_denied")
      location.searchParams.set("error_description", "Intervals.icu sign-in was not completed")
      if (pending.state !== undefined) location.searchParams.set("state", pending.state)
      location.searchParams.set("iss", as.issuer())
      await run(store.remove("pending", kept.value.pending))
      res.writeHead(302, { location: location.toString(), "cache-control": "no-store" })
      return void res.end()
    }
    let answer: { access_token?: unknown; scope?: unknown; athlete?: { id?: unknown; name?: unknown } | null }
    try {
      const response = await fetch(`${intervals.url}/api/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: new URLSearchParams({
          client_id: intervals.clientId,
          client_secret: Redacted.value(intervals.clientSecret),
          code,
          redirect_uri: intervalsCallback()
        }),
        redirect: "manual",
        signal: AbortSignal.timeout(10_000)
      })
      if (!response.ok) {
        await response.body?.cancel()
        throw new Error(`Intervals.icu answered ${response.status}`)
      }
      const parsed = await readUpstream(response)
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("the answer is not an object")
      answer = parsed as typeof answer
    } catch (cause) {
      Runtime.runSync(runtime)(
        Effect.logWarning("intervals.icu sign-in failed").pipe(
          Effect.annotateLogs({ detail: cause instanceof Error ? cause.message.slice(0, 120) : "unknown" })
        )
      )
      return send(
        res,
        502,
        messagePage("Intervals.icu sign-in failed", "Intervals.icu did not hand over a token. Go back to the app and try again."),
        PAGE_HEADERS
      )
    }
    const token = typeof answer.access_token === "string" && answer.access_token !== "" ? answer.access_token : undefined
    const athlete = typeof answer.athlete === "object" && answer.athlete !== null ? answer.athlete : undefined
    // The id goes into every API path of the grant's calls: only an athlete id, never "../" or a query.
    const athleteId = athleteIdOf(athlete?.id)
    if (token === undefined || athleteId === undefined) {
      return send(res, 502, messagePage("Intervals.icu sign-in failed", "Intervals.icu's answer had no token or athlete."), PAGE_HEADERS)
    }
    const scope = typeof answer.scope === "string" ? answer.scope : ""
    const access = lesser(kept.value.access, accessFromIntervals(scope, kept.value.access))
    const shown = await run(as.showAgain(kept.value.pending, pending))
    const outcome = await run(as.issueCode(kept.value.pending, pending, {
      id: randomToken(),
      client_id: pending.client_id,
      ...(shown._tag === "Right" && shown.right.client.client_name !== undefined
        ? { client_name: shown.right.client.client_name }
        : {}),
      access,
      resource: pending.resource,
      created_at: Math.floor(Date.now() / 1000),
      signed_in_with: "intervals",
      upstream: {
        sealed: as.seal(token),
        athlete_id: athleteId,
        ...(typeof athlete?.name === "string" ? { athlete_name: athlete.name.slice(0, 200) } : {}),
        scope: scope.slice(0, 500)
      }
    }))
    if (outcome._tag === "Left") return serverTrouble(res, true)
    res.setHeader(
      "set-cookie",
      `${upstreamCookieName(state)}=; Path=/authorize/intervals/callback; Max-Age=0; HttpOnly; SameSite=Lax${secure() ? "; Secure" : ""}`
    )
    return showOutcome(res, outcome.right, 302)
  }

  const readForm = async (req: IncomingMessage, res: ServerResponse): Promise<URLSearchParams | undefined> => {
    if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers["content-type"] ?? "")) {
      await settleBody(req, res)
      sendJson(res, 400, { error: "invalid_request", error_description: "The body must be application/x-www-form-urlencoded" })
      return undefined
    }
    const raw = await readSmallBody(req)
    if (raw === undefined) {
      closeAfterRefusal(req, res)
      sendJson(res, 413, { error: "invalid_request", error_description: `The body is larger than ${MAX_FORM_BYTES} bytes` })
      return undefined
    }
    return new URLSearchParams(raw)
  }


  /** Answers an OAuth request; false for a path that is not one. */
  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL, address: string): Promise<boolean> => {
    const path = url.pathname
    const method = req.method ?? "GET"
    const isOpen = path.startsWith("/.well-known/oauth-") || path === "/register" || path === "/token" || path === "/revoke"
    if (isOpen && method === "OPTIONS") {
      res.writeHead(204, OPEN_CORS)
      res.end()
      return true
    }
    if (path === "/.well-known/oauth-authorization-server") {
      if (method !== "GET" && method !== "HEAD") return sendJson(res, 405, { error: "method_not_allowed" }, { allow: "GET" }), true
      sendJson(res, 200, oauthMetadata(), { "cache-control": "public, max-age=300" })
      return true
    }
    if (path === "/.well-known/oauth-protected-resource" || path === `/.well-known/oauth-protected-resource${new URL(as.resource()).pathname}`) {
      if (method !== "GET" && method !== "HEAD") return sendJson(res, 405, { error: "method_not_allowed" }, { allow: "GET" }), true
      sendJson(res, 200, resourceMetadata(), { "cache-control": "public, max-age=300" })
      return true
    }
    if (path === "/register") {
      if (method !== "POST") return sendJson(res, 405, { error: "method_not_allowed" }, { allow: "POST" }), true
      if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
        await settleBody(req, res)
        sendJson(res, 400, { error: "invalid_client_metadata", error_description: "The body must be application/json" })
        return true
      }
      const raw = await readSmallBody(req)
      if (raw === undefined) {
        closeAfterRefusal(req, res)
        sendJson(res, 413, { error: "invalid_client_metadata", error_description: `The body is larger than ${MAX_FORM_BYTES} bytes` })
        return true
      }
      let body: unknown
      try {
        body = JSON.parse(raw)
      } catch {
        sendJson(res, 400, { error: "invalid_client_metadata", error_description: "The body is not JSON" })
        return true
      }
      const result = await run(as.register(body, address))
      if (result._tag === "Left") {
        oauthError(res, result.left)
      } else sendJson(res, 201, result.right)
      return true
    }
    if (path === "/token" || path === "/revoke") {
      if (method !== "POST") return sendJson(res, 405, { error: "method_not_allowed" }, { allow: "POST" }), true
      const form = await readForm(req, res)
      if (form === undefined) return true
      if (path === "/token") {
        const result = await run(as.token(form, req.headers.authorization))
        if (result._tag === "Left") oauthError(res, result.left)
        else sendJson(res, 200, result.right, { pragma: "no-cache" })
      } else {
        // Its only refusals are the client's authentication, a missing token and the store's trouble; an unknown
        // or another client's token answers 200 like a revoked one (RFC 7009 §2.2).
        const result = await run(as.revoke(form, req.headers.authorization))
        if (result._tag === "Left") oauthError(res, result.left)
        else res.writeHead(200, OPEN_CORS).end()
      }
      return true
    }
    if (path === "/authorize") {
      if (method === "GET" || method === "HEAD") {
        const result = await run(as.authorize(url.searchParams, address))
        if (result._tag === "Left") serverTrouble(res, true)
        else showOutcome(res, result.right, 302)
        return true
      }
      if (method === "POST") {
        const form = await formFrom(req, res)
        if (form === undefined) return true
        const result = await run(as.decide({
          pending: form.get("request")!,
          csrf: form.get("csrf")!,
          access: form.get("access") ?? undefined,
          action: form.get("action") ?? undefined,
          secret: form.get("secret") ?? undefined,
          address
        }))
        if (result._tag === "Left") serverTrouble(res, true)
        else showOutcome(res, result.right, 303)
        return true
      }
      res.writeHead(405, { allow: "GET, POST" }).end()
      return true
    }
    if (path === "/authorize/intervals" && method === "POST") {
      await startIntervals(req, res)
      return true
    }
    if (path === "/authorize/intervals/callback" && method === "GET") {
      await finishIntervals(req, url, res)
      return true
    }
    if (path === "/oauth/grants" && method === "DELETE") {
      // The owner's way to end every connection at once (or, on the store itself: intervals-mcp revoke-all).
      // The owner secret here is under the sign-in's lockout: otherwise this would be a door for guessing it.
      const presented = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")?.[1]
      const verdict = presented === undefined ? undefined : await run(as.checkOwnerSecret(presented, address))
      if (verdict?._tag === "Left") return serverTrouble(res, false), true
      if (verdict?.right === "locked") {
        sendJson(res, 429, {
          error: "too_many_attempts",
          error_description: `${config.signInFailures} wrong secrets from this address in 15 minutes; wait, then try again`
        })
        return true
      }
      if (verdict?.right !== "right") {
        sendJson(res, 401, { error: "unauthorized", error_description: "Send Authorization: Bearer <owner secret>" })
        return true
      }
      const result = await run(as.revokeAll)
      if (result._tag === "Left") serverTrouble(res, false)
      else sendJson(res, 200, { revoked_grants: result.right })
      return true
    }
    return false
  }

  return { handle }
})
