/**
 * What a connector does to sign in to the server, for the end-to-end tests: the SDK's own OAuth client (discovery
 * from the 401, registration, PKCE, token exchange, refresh) through an `OAuthClientProvider` that keeps everything in
 * memory, and a person at the sign-in page, played by plain HTTP: open the page, read its form, post it.
 */
import type {
  OAuthDiscoveryState,
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthTokens
} from "@modelcontextprotocol/client"

export const REDIRECT_URI = "http://127.0.0.1:9/oauth/callback"

export class MemoryOAuthProvider implements OAuthClientProvider {
  client: OAuthClientInformationMixed | undefined
  saved: OAuthTokens | undefined
  verifier = ""
  authorizationUrl: URL | undefined
  discovered: OAuthDiscoveryState | undefined
  constructor(
    readonly name = "Test connector",
    readonly scope: string | undefined = undefined,
    readonly redirect = REDIRECT_URI
  ) {}
  get redirectUrl() {
    return this.redirect
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.name,
      redirect_uris: [this.redirect],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
      ...(this.scope === undefined ? {} : { scope: this.scope })
    }
  }
  clientInformation() {
    return this.client
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info
  }
  tokens() {
    return this.saved
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier
  }
  codeVerifier() {
    return this.verifier
  }
  // Kept, so that the SDK checks the callback's `iss` against the authorization server it discovered (SEP-2352).
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.discovered = state
  }
  discoveryState() {
    return this.discovered
  }
}

export interface SignInPage {
  readonly status: number
  readonly html: string
  readonly cookie: string
  readonly request: string
  readonly csrf: string
  readonly headers: Headers
}

/** Opens the sign-in page as a browser would (no redirects followed), and reads its form. */
export const openSignIn = async (url: URL | string): Promise<SignInPage> => {
  const response = await fetch(url, { redirect: "manual" })
  const html = await response.text()
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? ""
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? ""
  return { status: response.status, html, cookie, request: field("request"), csrf: field("csrf"), headers: response.headers }
}

export interface Posted {
  readonly status: number
  readonly location: string | undefined
  readonly html: string
  /** The cookie the answer set (name=value), as a browser would keep it: "Continue with Intervals.icu" sets one. */
  readonly cookie: string
}

/** Posts the page's form, from the page's own origin and with its cookie unless told otherwise. */
export const postSignIn = async (
  origin: string,
  page: SignInPage,
  fields: Record<string, string>,
  options: { readonly cookie?: string; readonly origin?: string; readonly path?: string } = {}
): Promise<Posted> => {
  const response = await fetch(`${origin}${options.path ?? "/authorize"}`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: options.origin ?? origin,
      cookie: options.cookie ?? page.cookie
    },
    body: new URLSearchParams({ request: page.request, csrf: page.csrf, ...fields })
  })
  return {
    status: response.status,
    location: response.headers.get("location") ?? undefined,
    html: await response.text(),
    cookie: (response.headers.get("set-cookie") ?? "").split(";")[0] ?? ""
  }
}

/** The code (and the rest) of the redirect to the client. */
export const redirectParams = (location: string | undefined): URLSearchParams => {
  if (location === undefined) throw new Error("no redirect")
  return new URL(location).searchParams
}

export const tokenRequest = async (origin: string, fields: Record<string, string>, headers: Record<string, string> = {}) => {
  const response = await fetch(`${origin}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields)
  })
  return { status: response.status, body: await response.json() as Record<string, unknown> }
}

/** A PKCE verifier and its S256 challenge, for flows driven by hand. */
export const VERIFIER = "v".repeat(43) + "erifier-for-the-tests"
export const challengeOf = async (verifier: string) =>
  Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))).toString("base64url")

/** Registers a public client (no secret) with one redirect URI; answers its client_id. */
export const registerClient = async (origin: string, name = "Manual"): Promise<string> => {
  const response = await fetch(`${origin}/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_name: name, redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none" })
  })
  if (response.status !== 201) throw new Error(`registration answered ${response.status}`)
  return (await response.json() as { client_id: string }).client_id
}

/** The authorization request a client sends the browser to, with PKCE over `VERIFIER`. */
export const authorizeUrl = async (origin: string, clientId: string, extra: Record<string, string> = {}) =>
  `${origin}/authorize?${new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    code_challenge: await challengeOf(VERIFIER),
    code_challenge_method: "S256",
    ...extra
  })}`

/** A raw 2025-era initialize with a bearer token: 200 when the token is accepted. */
export const initializeWith = (origin: string, token: string) =>
  fetch(`${origin}/mcp`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } }
    })
  })
