/**
 * The OAuth 2.1 authorization server built into the HTTP transports (`MCP_AUTH=oauth`), following the MCP
 * authorization specification: authorization code with PKCE (S256 only), clients by Client ID Metadata Document or
 * by dynamic registration (RFC 7591), exact redirect-URI matching, the `iss` parameter on every redirect (RFC 9207),
 * resource indicators (RFC 8707) with tokens bound to this server's MCP endpoint, short-lived opaque access tokens,
 * refresh tokens that rotate at every use (a rotated one presented again revokes the whole grant, as OAuth 2.1
 * advises against a stolen token), and revocation (RFC 7009).
 *
 * Tokens are opaque and looked up in the token store rather than signed: a revoked grant stops working at once on
 * every replica that shares the store, which a self-contained JWT could only do with a deny list in the same store.
 * This module holds the rules; `OAuthRoutes` speaks HTTP, and `SignInPage` renders the page the owner sees.
 */
import { type AuthInfo, OAuthError, OAuthErrorCode } from "@modelcontextprotocol/server"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { createHash, timingSafeEqual } from "node:crypto"
import { AppConfig } from "../services/AppConfig.js"
import { isLoopback } from "../services/HttpConfig.js"
import { StoreError, TokenStore } from "../store/TokenStore.js"
import { type Access, accessAsked, accessOf, lesser, SCOPE_READ, scopesOf, unknownScopes } from "./Access.js"
import { ClientMetadataFetcher, documentUrlProblem } from "./ClientMetadataDocument.js"
import { OAuthConfig } from "./OAuthConfig.js"
import { makeSealer } from "./Seal.js"
import { revokeEverything } from "./Revocation.js"
import {
  AccessToken,
  Client,
  type ClientAuthMethod,
  Code,
  decode,
  encode,
  Grant,
  hashOf,
  Pending,
  randomToken,
  RefreshToken,
  type Upstream
} from "./Records.js"

/** An OAuth error answer (RFC 6749 §5.2, RFC 7591 §3.2.2): its code, a description a person can act on, a status. */
export class OAuthFailure extends Schema.TaggedError<OAuthFailure>()("OAuthFailure", {
  error: Schema.String,
  description: Schema.String,
  status: Schema.Number
}) {
  get body() {
    return { error: this.error, error_description: this.description }
  }
}

const failure = (error: string, description: string, status = 400) =>
  Effect.fail(new OAuthFailure({ error, description, status }))

/** The store failing is the server's trouble, said so to the client (which may retry). */
const storeTrouble = (error: StoreError) =>
  new OAuthFailure({ error: "temporarily_unavailable", description: error.message, status: 503 })

const CODE_TTL = Duration.seconds(60)
const PENDING_TTL = Duration.minutes(10)
const CLIENT_TTL = Duration.days(365)
const DOCUMENT_TTL = Duration.minutes(10)
const SIGN_IN_WINDOW = Duration.minutes(15)

// What a client may send: bounded so that no field can fill the store or a page.
const MAX_REDIRECT_URIS = 10
const MAX_URI = 2000
const MAX_NAME = 200
const MAX_STATE = 1024

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/

const sameSecret = (given: string, hash: string) => {
  const a = Buffer.from(hashOf(given))
  const b = Buffer.from(hash)
  return a.length === b.length && timingSafeEqual(a, b)
}

const decodeOrUndefined = (text: string) => {
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}

/** Compares two strings in constant time, byte for byte (a non-ASCII character must not make the comparison throw). */
const sameText = (given: string, expected: string) => {
  const a = Buffer.from(given, "utf8")
  const b = Buffer.from(expected, "utf8")
  return a.length === b.length && timingSafeEqual(a, b)
}

const s256 = (verifier: string) => createHash("sha256").update(verifier, "ascii").digest("base64url")

/**
 * Redirect URIs a client may register: https anywhere, http only to this machine (native apps listen on loopback,
 * RFC 8252), or an app's private scheme; never one that runs code or reads files, and never a fragment.
 */
export const redirectUriProblem = (raw: string): string | undefined => {
  if (raw.length > MAX_URI) return `is longer than ${MAX_URI} characters`
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return "is not an absolute URL"
  }
  if (url.hash !== "" || raw.includes("#")) return "has a fragment, which a redirect URI may not have"
  const scheme = url.protocol.slice(0, -1).toLowerCase()
  if (["javascript", "data", "file", "blob", "vbscript", "about", "ftp", "ws", "wss"].includes(scheme)) {
    return `uses the ${scheme}: scheme, which is not a redirect`
  }
  if (scheme === "http" && !isLoopback(url.hostname.replace(/^\[|\]$/g, ""))) {
    return "is http to another machine: use https (http is allowed only to localhost, 127.0.0.1 or [::1])"
  }
  return undefined
}

export interface Decision {
  readonly pending: string
  readonly csrf: string
  readonly access: string | undefined
  readonly action: string | undefined
  readonly secret: string | undefined
  readonly address: string
}

/** What the sign-in page shows of a waiting request. */
export interface Shown {
  readonly id: string
  readonly pending: Pending
  readonly client: Client
  /** The choices the owner has, widest last. */
  readonly choices: ReadonlyArray<Access>
}

export type Outcome =
  | { readonly _tag: "Page"; readonly shown: Shown; readonly problem?: string; readonly status?: number }
  | { readonly _tag: "Redirect"; readonly location: string }
  | { readonly _tag: "Refused"; readonly status: number; readonly title: string; readonly detail: string }

export interface Tokens {
  readonly access_token: string
  readonly token_type: "Bearer"
  readonly expires_in: number
  readonly refresh_token: string
  readonly scope: string
}

/** The principal of a request that carried one of this server's access tokens. */
export interface GrantedAccess {
  readonly grantId: string
  readonly clientId: string
  readonly access: Access
  readonly upstream: Option.Option<{ readonly token: Redacted.Redacted<string>; readonly athleteId: string }>
}

export class AuthorizationServer extends Effect.Service<AuthorizationServer>()("AuthorizationServer", {
  effect: Effect.gen(function*() {
    const config = yield* OAuthConfig
    const app = yield* AppConfig
    const store = yield* TokenStore
    const documents = yield* ClientMetadataFetcher
    const serverAccess = accessOf(app.writeMode)
    // Intervals.icu tokens of "Continue with Intervals.icu" grants are kept sealed (see Seal).
    const sealer = makeSealer(Redacted.value(app.apiKey))

    // Where the server is reached; set once it listens when MCP_PUBLIC_URL is not given (loopback only).
    let origin = Option.getOrUndefined(config.publicUrl)
    let resourcePath = "/mcp"
    const issuer = () => origin ?? "http://127.0.0.1"
    const resource = () => `${issuer()}${resourcePath}`

    const json = <A, I>(schema: Schema.Schema<A, I>) => ({ encode: encode(schema), decode: decode(schema) })
    const clients = json(Client)
    const pendings = json(Pending)
    const grants = json(Grant)
    const codes = json(Code)
    const accessTokens = json(AccessToken)
    const refreshTokens = json(RefreshToken)

    const read = <A>(kind: string, key: string, decoder: (raw: string) => Option.Option<A>) =>
      Effect.map(store.get(kind, key), Option.flatMap(decoder))

    const metadata = () => ({
      issuer: issuer(),
      authorization_endpoint: `${issuer()}/authorize`,
      token_endpoint: `${issuer()}/token`,
      registration_endpoint: `${issuer()}/register`,
      revocation_endpoint: `${issuer()}/revoke`,
      response_types_supported: ["code"],
      response_modes_supported: ["query"],
      grant_types_supported: ["authorization_code", "refresh_token"],
      code_challenge_methods_supported: ["S256"],
      token_endpoint_auth_methods_supported: ["none", "client_secret_post", "client_secret_basic"],
      revocation_endpoint_auth_methods_supported: ["none", "client_secret_post", "client_secret_basic"],
      scopes_supported: scopesOf(serverAccess),
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
      service_documentation: "https://github.com/intervals-mcp/intervals-mcp#remote-connectors-oauth-21"
    })

    /** A client by its id: registered here, or (an https URL) described by its metadata document. */
    const client = (clientId: string): Effect.Effect<Client, OAuthFailure> => {
      if (clientId === "" || clientId.length > MAX_URI) {
        return failure("invalid_client", `client_id must be 1 to ${MAX_URI} characters`, 401)
      }
      if (!/^https:\/\//i.test(clientId)) {
        return read("client", clientId, clients.decode).pipe(
          Effect.mapError(storeTrouble),
          Effect.flatMap(Option.match({
            onNone: () =>
              failure("invalid_client", `No client ${JSON.stringify(clientId.slice(0, 80))} is registered here`, 401),
            onSome: Effect.succeed
          }))
        )
      }
      return fromDocument(clientId)
    }

    const fromDocument = (clientId: string): Effect.Effect<Client, OAuthFailure> =>
      Effect.gen(function*() {
        const cached = yield* read("client-document", clientId, clients.decode).pipe(Effect.mapError(storeTrouble))
        if (Option.isSome(cached)) return cached.value
        const url = new URL(clientId)
        const problem = documentUrlProblem(url)
        if (problem !== undefined) return yield* failure("invalid_client", `A client_id URL ${problem}`, 401)
        const document = yield* documents.fetch(url).pipe(
          Effect.mapError((error) =>
            new OAuthFailure({
              error: "invalid_client",
              description: `The client metadata document at ${url.origin}${url.pathname} ${error.detail}`,
              status: 401
            })
          )
        )
        const described = yield* validateMetadata(document, "document").pipe(
          Effect.mapError((e) => new OAuthFailure({ ...e, error: "invalid_client", status: 401 }))
        )
        if ((document as { client_id?: unknown }).client_id !== clientId) {
          return yield* failure(
            "invalid_client",
            "The client metadata document's client_id is not the URL it was fetched from",
            401
          )
        }
        if (described.method !== "none") {
          return yield* failure(
            "invalid_client",
            "A client described by a metadata document has no secret here: its token_endpoint_auth_method must be none",
            401
          )
        }
        const found: Client = {
          client_id: clientId,
          client_name: described.name,
          client_uri: described.uri,
          redirect_uris: described.redirectUris,
          token_endpoint_auth_method: "none",
          source: "metadata-document",
          issued_at: Math.floor(Date.now() / 1000)
        }
        yield* store.put("client-document", clientId, clients.encode(found), DOCUMENT_TTL).pipe(
          Effect.mapError(storeTrouble)
        )
        return found
      })

    /** The registration fields this server uses, checked (RFC 7591 §2). */
    const validateMetadata = (body: unknown, what: "registration" | "document") =>
      Effect.gen(function*() {
        const invalid = (field: string, detail: string) =>
          failure(what === "registration" ? "invalid_client_metadata" : "invalid_client", `${field} ${detail}`)
        if (typeof body !== "object" || body === null || Array.isArray(body)) {
          return yield* invalid("The body", "must be a JSON object of client metadata")
        }
        const fields = body as Record<string, unknown>
        const uris = fields["redirect_uris"]
        if (!Array.isArray(uris) || uris.length === 0 || uris.length > MAX_REDIRECT_URIS) {
          return yield* failure(
            what === "registration" ? "invalid_redirect_uri" : "invalid_client",
            `redirect_uris must be a list of 1 to ${MAX_REDIRECT_URIS} URIs`
          )
        }
        for (const [index, uri] of uris.entries()) {
          const problem = typeof uri === "string" ? redirectUriProblem(uri) : "is not a string"
          if (problem !== undefined) {
            return yield* failure(
              what === "registration" ? "invalid_redirect_uri" : "invalid_client",
              `redirect_uris[${index}] ${problem}`
            )
          }
        }
        const name = fields["client_name"]
        if (name !== undefined && (typeof name !== "string" || name.length > MAX_NAME)) {
          return yield* invalid("client_name", `must be text of at most ${MAX_NAME} characters`)
        }
        const uri = fields["client_uri"]
        if (uri !== undefined && (typeof uri !== "string" || uri.length > MAX_URI || !/^https?:\/\//i.test(uri))) {
          return yield* invalid("client_uri", "must be an http(s) URL")
        }
        const method = fields["token_endpoint_auth_method"] ?? (what === "document" ? "none" : "client_secret_basic")
        if (method !== "none" && method !== "client_secret_post" && method !== "client_secret_basic") {
          return yield* invalid(
            "token_endpoint_auth_method",
            `must be none, client_secret_post or client_secret_basic, got ${JSON.stringify(method).slice(0, 60)}`
          )
        }
        const grantTypes = fields["grant_types"] ?? ["authorization_code"]
        if (
          !Array.isArray(grantTypes) ||
          grantTypes.some((g) => g !== "authorization_code" && g !== "refresh_token") ||
          !grantTypes.includes("authorization_code")
        ) {
          return yield* invalid("grant_types", "must list authorization_code, and may list refresh_token; no other")
        }
        const responseTypes = fields["response_types"] ?? ["code"]
        if (!Array.isArray(responseTypes) || responseTypes.some((r) => r !== "code")) {
          return yield* invalid("response_types", "may list only code")
        }
        const scope = fields["scope"]
        if (scope !== undefined && (typeof scope !== "string" || unknownScopes(scope).length > 0)) {
          return yield* invalid("scope", `may list only ${scopesOf("delete").join(", ")}`)
        }
        return {
          redirectUris: uris as Array<string>,
          name: name as string | undefined,
          uri: uri as string | undefined,
          method: method as ClientAuthMethod,
          fields
        }
      })

    /** Dynamic client registration (RFC 7591), a budget of registrations per address and hour. */
    const register = (body: unknown, address: string) =>
      Effect.gen(function*() {
        const used = yield* store.count(`register:${address}`, Duration.hours(1)).pipe(Effect.mapError(storeTrouble))
        if (used > config.registrationsPerHour) {
          return yield* failure(
            "too_many_requests",
            `This address registered ${config.registrationsPerHour} clients in the last hour ` +
              "(MCP_REGISTRATIONS_PER_HOUR); reuse a registration, or try again later",
            429
          )
        }
        const valid = yield* validateMetadata(body, "registration")
        const clientId = `mcp-${randomToken().slice(0, 32)}`
        const secret = valid.method === "none" ? undefined : randomToken()
        const issuedAt = Math.floor(Date.now() / 1000)
        const registered: Client = {
          client_id: clientId,
          client_name: valid.name,
          client_uri: valid.uri,
          redirect_uris: valid.redirectUris,
          token_endpoint_auth_method: valid.method,
          ...(secret === undefined ? {} : { secret_hash: hashOf(secret) }),
          source: "registered",
          issued_at: issuedAt
        }
        yield* store.put("client", clientId, clients.encode(registered), CLIENT_TTL).pipe(Effect.mapError(storeTrouble))
        yield* Effect.logInfo("oauth client registered").pipe(
          Effect.annotateLogs({ client_id: clientId, client_name: (valid.name ?? "").slice(0, 60) })
        )
        return {
          client_id: clientId,
          client_id_issued_at: issuedAt,
          ...(secret === undefined ? {} : { client_secret: secret, client_secret_expires_at: 0 }),
          redirect_uris: valid.redirectUris,
          token_endpoint_auth_method: valid.method,
          grant_types: ["authorization_code", "refresh_token"],
          response_types: ["code"],
          ...(valid.name === undefined ? {} : { client_name: valid.name }),
          ...(valid.uri === undefined ? {} : { client_uri: valid.uri })
        }
      })

    const redirectWith = (redirectUri: string, params: Record<string, string | undefined>) => {
      const url = new URL(redirectUri)
      for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value)
      url.searchParams.set("iss", issuer())
      return url.toString()
    }

    const refused = (title: string, detail: string, status = 400): Outcome => ({ _tag: "Refused", status, title, detail })

    const sameResource = (given: string) => {
      const normal = (value: string) => value.replace(/#.*$/, "").replace(/\/+$/, "")
      return normal(given) === normal(resource()) || normal(given) === normal(issuer())
    }

    const choicesUpTo = (most: Access): ReadonlyArray<Access> =>
      (["read", "write", "delete"] as const).filter((a) => lesser(a, most) === a)

    /** GET /authorize: checks the request, keeps it while the owner decides, and shows the page. */
    const authorize = (params: URLSearchParams, address: string): Effect.Effect<Outcome, OAuthFailure> =>
      Effect.gen(function*() {
        // Each request keeps a waiting sign-in (and may fetch a metadata document): a budget per address, so that a
        // loop of requests can fill neither the store nor another site's logs.
        const opened = yield* store.count(`authorize:${address}`, PENDING_TTL).pipe(Effect.mapError(storeTrouble))
        const budget = config.signInPagesPer10Min
        if (opened > budget) {
          return refused(
            "Too many sign-in requests",
            `This address opened ${budget} sign-in pages in 10 minutes ` +
              "(MCP_SIGNIN_PAGES_PER_10_MIN); wait, then connect again.",
            429
          )
        }
        const one = (name: string) => (params.getAll(name).length > 1 ? null : params.get(name) ?? undefined)
        const clientId = one("client_id")
        const redirectUri = one("redirect_uri")
        if (clientId === null || redirectUri === null) {
          return refused("Invalid request", "client_id and redirect_uri may each be given once")
        }
        if (clientId === undefined) return refused("Invalid request", "The request names no client (client_id)")
        const found = yield* Effect.either(client(clientId))
        if (found._tag === "Left") {
          if (found.left.status === 503) return yield* found.left
          return refused("Unknown client", found.left.description)
        }
        const known = found.right
        // Exact matching (OAuth 2.1): a redirect URI is the registered string, or nothing. With one registered,
        // it may be left out.
        const target = redirectUri ?? (known.redirect_uris.length === 1 ? known.redirect_uris[0] : undefined)
        if (target === undefined || !known.redirect_uris.includes(target)) {
          // Never redirect to a URI that is not the client's: that is how codes are stolen.
          return refused(
            "Wrong redirect URI",
            redirectUri === undefined
              ? "The request gives no redirect_uri, and the client registered more than one"
              : "The redirect_uri is not one the client registered (it must match exactly)"
          )
        }
        const state = one("state")
        const back = (error: string, description: string): Outcome => ({
          _tag: "Redirect",
          location: redirectWith(target, { error, error_description: description, state: state ?? undefined })
        })
        if (state === null) return back("invalid_request", "state may be given once")
        if (state !== undefined && state.length > MAX_STATE) {
          return back("invalid_request", `state is longer than ${MAX_STATE} characters`)
        }
        if (one("response_type") !== "code") return back("unsupported_response_type", "response_type must be code")
        const method = one("code_challenge_method")
        const challenge = one("code_challenge")
        if (method !== "S256") {
          return back("invalid_request", "PKCE is required, with code_challenge_method S256 (plain is not accepted)")
        }
        if (typeof challenge !== "string" || !CHALLENGE.test(challenge)) {
          return back("invalid_request", "code_challenge must be the 43-character base64url SHA-256 of the verifier")
        }
        const resources = params.getAll("resource")
        if (resources.length > 1 || (resources.length === 1 && !sameResource(resources[0]!))) {
          return back("invalid_target", `This server issues tokens only for ${resource()}`)
        }
        const scope = one("scope")
        if (scope === null) return back("invalid_scope", "scope may be given once")
        const unknown = unknownScopes(scope)
        if (unknown.length > 0) {
          return back("invalid_scope", `Unknown scope ${unknown[0]!.slice(0, 60)}; this server knows ${scopesOf("delete").join(" ")}`)
        }
        const pending: Pending = {
          client_id: known.client_id,
          redirect_uri: target,
          code_challenge: challenge,
          ...(state === undefined ? {} : { state }),
          resource: resource(),
          access: accessAsked(scope, serverAccess),
          csrf: randomToken()
        }
        const id = randomToken()
        yield* store.put("pending", id, pendings.encode(pending), PENDING_TTL).pipe(Effect.mapError(storeTrouble))
        return { _tag: "Page", shown: { id, pending, client: known, choices: choicesUpTo(pending.access) } } as const
      })

    const pendingOf = (id: string) =>
      read("pending", id, pendings.decode).pipe(Effect.mapError(storeTrouble))

    const expiredPage = refused(
      "This sign-in has expired",
      "The page was open too long, or was already used. Go back to the app and connect again.",
      400
    )

    /** A grant, and the code that hands it to the client. */
    const issueCode = (pendingId: string, pending: Pending, grant: Grant) =>
      Effect.gen(function*() {
        // One use: the page cannot be posted twice into two grants.
        const taken = yield* store.take("pending", pendingId).pipe(Effect.mapError(storeTrouble))
        if (Option.isNone(taken)) return expiredPage
        const code = randomToken()
        yield* store.put("grant", grant.id, grants.encode(grant), config.refreshTtl).pipe(Effect.mapError(storeTrouble))
        yield* store.put(
          "code",
          hashOf(code),
          codes.encode({
            grant_id: grant.id,
            client_id: pending.client_id,
            redirect_uri: pending.redirect_uri,
            code_challenge: pending.code_challenge,
            resource: pending.resource
          }),
          CODE_TTL
        ).pipe(Effect.mapError(storeTrouble))
        yield* Effect.logInfo("oauth grant issued").pipe(
          Effect.annotateLogs({
            client_id: grant.client_id,
            grant: grant.id.slice(0, 8),
            access: grant.access,
            signed_in_with: grant.signed_in_with
          })
        )
        return { _tag: "Redirect", location: redirectWith(pending.redirect_uri, { code, state: pending.state }) } as const
      })

    const chosenAccess = (given: string | undefined, shown: Shown): Access | undefined =>
      shown.choices.find((choice) => choice === given)

    const showAgain = (id: string, pending: Pending) =>
      Effect.map(
        client(pending.client_id),
        (known): Shown => ({ id, pending, client: known, choices: choicesUpTo(pending.access) })
      )

    /** POST /authorize: the owner's answer, signed with the owner secret. */
    const decide = (decision: Decision): Effect.Effect<Outcome, OAuthFailure> =>
      Effect.gen(function*() {
        const found = yield* pendingOf(decision.pending)
        if (Option.isNone(found)) return expiredPage
        const pending = found.value
        if (!sameText(decision.csrf, pending.csrf)) {
          return refused("Refused", "The form did not come from this server's sign-in page (CSRF check failed).", 403)
        }
        const shown = yield* showAgain(decision.pending, pending)
        if (decision.action === "deny") {
          yield* store.remove("pending", decision.pending).pipe(Effect.mapError(storeTrouble))
          return {
            _tag: "Redirect",
            location: redirectWith(pending.redirect_uri, {
              error: "access_denied",
              error_description: "The owner did not allow the connection",
              state: pending.state
            })
          } as const
        }
        const access = chosenAccess(decision.access, shown)
        if (access === undefined) {
          return { _tag: "Page", shown, problem: "Choose what the app may do.", status: 400 } as const
        }
        const verdict = yield* checkOwnerSecret(decision.secret, decision.address)
        if (verdict === "locked") return lockedOutPage
        if (verdict === "none") {
          return { _tag: "Page", shown, problem: "Sign in with Intervals.icu.", status: 400 } as const
        }
        if (verdict === "wrong") {
          return { _tag: "Page", shown, problem: "That is not the owner secret.", status: 401 } as const
        }
        return yield* issueCode(decision.pending, pending, {
          id: randomToken(),
          client_id: pending.client_id,
          ...(shown.client.client_name === undefined ? {} : { client_name: shown.client.client_name }),
          access,
          resource: pending.resource,
          created_at: Math.floor(Date.now() / 1000),
          signed_in_with: "owner-secret"
        })
      })

    // A lockout is an entry of its own, so that checking it costs no attempt and the secret is never compared while
    // it stands.
    const lockedOut = (address: string) =>
      Effect.map(store.get("lockout", address), Option.isSome).pipe(Effect.mapError(storeTrouble))

    const countFailure = (address: string) =>
      Effect.gen(function*() {
        const failures = yield* store.count(`signin-fail:${address}`, SIGN_IN_WINDOW)
        if (failures >= config.signInFailures) yield* store.put("lockout", address, "1", SIGN_IN_WINDOW)
      }).pipe(Effect.mapError(storeTrouble))

    const lockedOutPage = refused(
      "Too many attempts",
      `${config.signInFailures} wrong secrets from this address in 15 minutes; wait, then try again.`,
      429
    )

    // One check at a time: guesses sent in parallel would otherwise all pass the lockout check before the first
    // failure is counted (with a store of real latency, ten of twenty got through a budget of three).
    const checking = yield* Effect.makeSemaphore(1)

    /**
     * The owner secret, wherever it is presented (the sign-in form, `DELETE /oauth/grants`): refused unseen while the
     * address is locked out, and every wrong one counted against it.
     */
    const checkOwnerSecret = (given: string | undefined, address: string) =>
      checking.withPermits(1)(Effect.gen(function*() {
        if (yield* lockedOut(address)) return "locked" as const
        if (Option.isNone(config.ownerSecret)) return "none" as const
        if (given === undefined || !sameSecret(given.trim(), hashOf(Redacted.value(config.ownerSecret.value)))) {
          yield* countFailure(address)
          yield* Effect.logWarning("oauth owner secret refused").pipe(Effect.annotateLogs({ address }))
          return "wrong" as const
        }
        return "right" as const
      }))

    /** Client authentication at the token and revocation endpoints, by the method the client registered. */
    const authenticateClient = (
      form: URLSearchParams,
      authorization: string | undefined
    ): Effect.Effect<Client, OAuthFailure> =>
      Effect.gen(function*() {
        let clientId = form.get("client_id") ?? undefined
        let secret = form.get("client_secret") ?? undefined
        let method: ClientAuthMethod = secret === undefined ? "none" : "client_secret_post"
        if (/^Basic\b/i.test(authorization ?? "")) {
          const malformed = failure("invalid_client", "Malformed Basic credentials", 401)
          const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization!)
          const decoded = basic === null ? "" : Buffer.from(basic[1]!, "base64").toString("utf8")
          // The id ends at the first colon (RFC 7617); the secret may hold colons of its own.
          const at = decoded.indexOf(":")
          if (at <= 0) return yield* malformed
          // Percent-decoding throws on a stray "%": that is the client's mistake, not the server's crash.
          const id = decodeOrUndefined(decoded.slice(0, at))
          const pass = decodeOrUndefined(decoded.slice(at + 1))
          if (id === undefined || pass === undefined) return yield* malformed
          // One way of authenticating per request (RFC 6749 §2.3): a second one could be meant to confuse.
          if (secret !== undefined || (clientId !== undefined && clientId !== id)) {
            return yield* failure("invalid_request", "Send the client's credentials once: in the Basic header or in the form", 400)
          }
          clientId = id
          secret = pass
          method = "client_secret_basic"
        }
        if (clientId === undefined) return yield* failure("invalid_client", "client_id is required", 401)
        const known = yield* client(clientId)
        if (known.token_endpoint_auth_method === "none") {
          if (method !== "none") return yield* failure("invalid_client", "This client was registered without a secret", 401)
          return known
        }
        if (secret === undefined || known.secret_hash === undefined || !sameSecret(secret, known.secret_hash)) {
          return yield* failure("invalid_client", "Client authentication failed", 401)
        }
        return known
      })

    const mint = (grant: Grant, access: Access, clientId: string) =>
      Effect.gen(function*() {
        const accessToken = randomToken()
        const refreshToken = randomToken()
        const ttl = Duration.toSeconds(config.accessTtl)
        const expiresAt = Math.floor(Date.now() / 1000) + ttl
        yield* store.put(
          "access",
          hashOf(accessToken),
          accessTokens.encode({ grant_id: grant.id, client_id: clientId, resource: grant.resource, access, expires_at: expiresAt }),
          config.accessTtl
        )
        yield* store.put(
          "refresh",
          hashOf(refreshToken),
          refreshTokens.encode({ grant_id: grant.id, client_id: clientId, resource: grant.resource, access }),
          config.refreshTtl
        )
        // The grant lives as long as its newest refresh token.
        yield* store.put("grant", grant.id, grants.encode(grant), config.refreshTtl)
        const tokens: Tokens = {
          access_token: accessToken,
          token_type: "Bearer",
          expires_in: ttl,
          refresh_token: refreshToken,
          scope: scopesOf(access).join(" ")
        }
        return tokens
      }).pipe(Effect.mapError(storeTrouble))

    const revokeGrant = (grantId: string, why: string) =>
      Effect.zipRight(
        store.remove("grant", grantId).pipe(Effect.mapError(storeTrouble)),
        Effect.logWarning("oauth grant revoked").pipe(Effect.annotateLogs({ grant: grantId.slice(0, 8), why }))
      )

    const grantOf = (id: string) => read("grant", id, grants.decode).pipe(Effect.mapError(storeTrouble))

    /**
     * Redeems a one-use secret (a code, a refresh token): the record it stands for, once. Presented again, it revokes
     * the grant it gave, since whoever used it first may have stolen it (OAuth 2.1 §4.1.2, §4.3.1).
     */
    const redeem = <A extends { readonly grant_id: string }>(
      kind: "code" | "refresh",
      secret: string,
      decodeRecord: (raw: string) => Option.Option<A>,
      reuse: string
    ): Effect.Effect<Option.Option<A>, OAuthFailure> =>
      Effect.gen(function*() {
        const hash = hashOf(secret)
        const found = Option.flatMap(yield* store.take(kind, hash).pipe(Effect.mapError(storeTrouble)), decodeRecord)
        if (Option.isNone(found)) {
          const used = yield* store.get(`${kind}-used`, hash).pipe(Effect.mapError(storeTrouble))
          if (Option.isSome(used)) yield* revokeGrant(used.value, reuse)
          return found
        }
        yield* store.put(`${kind}-used`, hash, found.value.grant_id, config.refreshTtl).pipe(Effect.mapError(storeTrouble))
        return found
      })

    /** POST /token. */
    const token = (form: URLSearchParams, authorization: string | undefined): Effect.Effect<Tokens, OAuthFailure> =>
      Effect.gen(function*() {
        for (const name of ["grant_type", "code", "code_verifier", "redirect_uri", "refresh_token", "client_id"]) {
          if (form.getAll(name).length > 1) return yield* failure("invalid_request", `${name} may be given once`)
        }
        const grantType = form.get("grant_type")
        if (grantType !== "authorization_code" && grantType !== "refresh_token") {
          return yield* failure(
            "unsupported_grant_type",
            `grant_type must be authorization_code or refresh_token, got ${JSON.stringify(grantType ?? "").slice(0, 40)}`
          )
        }
        const known = yield* authenticateClient(form, authorization)
        const asked = form.getAll("resource")
        if (asked.length > 1 || (asked.length === 1 && !sameResource(asked[0]!))) {
          return yield* failure("invalid_target", `This server issues tokens only for ${resource()}`)
        }
        if (grantType === "authorization_code") {
          const code = form.get("code") ?? ""
          const verifier = form.get("code_verifier") ?? ""
          if (code === "") return yield* failure("invalid_request", "code is required")
          if (!VERIFIER.test(verifier)) {
            return yield* failure("invalid_request", "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~")
          }
          const found = yield* redeem("code", code, codes.decode, "authorization code used twice")
          if (Option.isNone(found)) return yield* failure("invalid_grant", "The code is invalid, expired or already used")
          const issued = found.value
          if (issued.client_id !== known.client_id) {
            return yield* failure("invalid_grant", "The code was issued to another client")
          }
          if ((form.get("redirect_uri") ?? issued.redirect_uri) !== issued.redirect_uri) {
            return yield* failure("invalid_grant", "redirect_uri is not the one the code was issued for")
          }
          const expected = Buffer.from(issued.code_challenge)
          const computed = Buffer.from(s256(verifier))
          if (expected.length !== computed.length || !timingSafeEqual(expected, computed)) {
            yield* revokeGrant(issued.grant_id, "wrong PKCE verifier")
            return yield* failure("invalid_grant", "code_verifier does not match the code_challenge")
          }
          const grant = yield* grantOf(issued.grant_id)
          if (Option.isNone(grant)) return yield* failure("invalid_grant", "The grant was revoked")
          return yield* mint(grant.value, grant.value.access, known.client_id)
        }
        const refresh = form.get("refresh_token") ?? ""
        if (refresh === "") return yield* failure("invalid_request", "refresh_token is required")
        const found = yield* redeem("refresh", refresh, refreshTokens.decode, "rotated refresh token used again")
        if (Option.isNone(found)) {
          return yield* failure("invalid_grant", "The refresh token is invalid, expired, revoked or already used")
        }
        const record = found.value
        if (record.client_id !== known.client_id) {
          yield* revokeGrant(record.grant_id, "refresh token presented by another client")
          return yield* failure("invalid_grant", "The refresh token was issued to another client")
        }
        const grant = yield* grantOf(record.grant_id)
        if (Option.isNone(grant)) return yield* failure("invalid_grant", "The grant was revoked")
        // A refresh may narrow the scope, never widen it.
        const scope = form.get("scope") ?? undefined
        if (scope !== undefined && unknownScopes(scope).length > 0) {
          return yield* failure("invalid_scope", `scope may list only ${scopesOf(record.access).join(" ")}`)
        }
        return yield* mint(grant.value, scope === undefined ? record.access : accessAsked(scope, record.access), known.client_id)
      })

    /** POST /revoke (RFC 7009): an access or refresh token revokes its whole grant; unknown tokens answer alike. */
    const revoke = (form: URLSearchParams, authorization: string | undefined) =>
      Effect.gen(function*() {
        const known = yield* authenticateClient(form, authorization)
        const value = form.get("token") ?? ""
        if (value === "") return yield* failure("invalid_request", "token is required")
        const hash = hashOf(value)
        const asAccess = Option.flatMap(yield* store.get("access", hash).pipe(Effect.mapError(storeTrouble)), accessTokens.decode)
        const asRefresh = Option.flatMap(yield* store.get("refresh", hash).pipe(Effect.mapError(storeTrouble)), refreshTokens.decode)
        const record = Option.orElse(
          Option.map(asAccess, (r) => ({ grant: r.grant_id, client: r.client_id })),
          () => Option.map(asRefresh, (r) => ({ grant: r.grant_id, client: r.client_id }))
        )
        // A client may revoke only its own tokens (RFC 7009 §2.1); another's is ignored, as an unknown one is.
        if (Option.isSome(record) && record.value.client === known.client_id) {
          yield* store.remove("access", hash).pipe(Effect.mapError(storeTrouble))
          yield* store.remove("refresh", hash).pipe(Effect.mapError(storeTrouble))
          yield* revokeGrant(record.value.grant, "revoked by the client")
        }
      })

    /** Every grant ends: every access and refresh token stops working, on every replica that shares the store. */
    const revokeAll = revokeEverything.pipe(
      Effect.provideService(TokenStore, store),
      Effect.tap((grants) => Effect.logWarning("oauth: every grant revoked").pipe(Effect.annotateLogs({ grants }))),
      Effect.mapError(storeTrouble)
    )

    /** The SDK's token verifier: an access token of this store, whose grant still stands. */
    const verify = (tokenValue: string): Effect.Effect<{ info: AuthInfo; granted: GrantedAccess }, OAuthError> =>
      Effect.gen(function*() {
        const invalid = new OAuthError(OAuthErrorCode.InvalidToken, "The access token is invalid, expired or revoked")
        const record = yield* store.get("access", hashOf(tokenValue)).pipe(
          Effect.map(Option.flatMap(accessTokens.decode)),
          Effect.mapError(() => new OAuthError(OAuthErrorCode.ServerError, "The token store is unavailable"))
        )
        if (Option.isNone(record)) return yield* Effect.fail(invalid)
        const grant = yield* grantOf(record.value.grant_id).pipe(
          Effect.mapError(() => new OAuthError(OAuthErrorCode.ServerError, "The token store is unavailable"))
        )
        if (Option.isNone(grant)) return yield* Effect.fail(invalid)
        const upstream = Option.flatMap(Option.fromNullable(grant.value.upstream), (up: Upstream) =>
          Option.map(sealer.open(up.sealed), (t) => ({ token: Redacted.make(t), athleteId: up.athlete_id })))
        return {
          info: {
            token: tokenValue,
            clientId: record.value.client_id,
            scopes: scopesOf(record.value.access),
            expiresAt: record.value.expires_at,
            resource: new URL(record.value.resource),
            extra: { grant: grant.value.id }
          },
          granted: {
            grantId: grant.value.id,
            clientId: record.value.client_id,
            access: record.value.access,
            upstream
          }
        }
      })


    return {
      metadata,
      resource,
      issuer,
      serverAccess,
      requiredScopes: [SCOPE_READ],
      /** Sets the public origin from the listening address (loopback, without MCP_PUBLIC_URL), and the MCP path. */
      bind: (listening: string, path: string) => {
        origin ??= listening
        resourcePath = path
      },
      register,
      authorize,
      decide,
      token,
      revoke,
      revokeAll,
      checkOwnerSecret,
      verify,
      pendingOf,
      issueCode,
      showAgain,
      chosenAccess,
      /** Seals an Intervals.icu token for keeping with its grant. */
      seal: sealer.seal,
      expiredPage,
      refused
    }
  })
}) {}
