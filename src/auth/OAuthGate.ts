/**
 * The gate of `MCP_AUTH=oauth`: the authorization server's routes, and bearer verification of every MCP request by
 * the SDK's `verifyBearerToken` (the token must be this store's, unexpired, for this server's resource, with the
 * read scope at least). `MCP_SERVER_API_KEY` keeps working beside it, for scripts and Claude Code. A refusal is the
 * SDK's own challenge: 401 with `WWW-Authenticate: Bearer resource_metadata="…", scope="…"`, from which a client
 * discovers where to sign in.
 */
import {
  bearerAuthChallengeResponse,
  getOAuthProtectedResourceMetadataUrl,
  OAuthError,
  OAuthErrorCode,
  verifyBearerToken
} from "@modelcontextprotocol/server"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import { type GateRefusal, OAuthGate, type Principal, ServerAuth } from "../services/ServerAuth.js"
import { TokenStore } from "../store/TokenStore.js"
import { scopesOf } from "./Access.js"
import { AuthorizationServer, type GrantedAccess } from "./AuthorizationServer.js"
import { ClientMetadataFetcherLive } from "./ClientMetadataDocument.js"
import { OAuthConfig } from "./OAuthConfig.js"
import { makeOAuthRoutes } from "./OAuthRoutes.js"

const refusal = async (response: Response, presented: boolean): Promise<GateRefusal> => ({
  status: response.status,
  headers: Object.fromEntries(response.headers.entries()),
  body: await response.text(),
  presented
})

export const OAuthGateLive = Layer.effect(
  OAuthGate,
  Effect.gen(function*() {
    const as = yield* AuthorizationServer
    const key = yield* ServerAuth
    const store = yield* TokenStore
    const routes = yield* makeOAuthRoutes
    const runtime = yield* Effect.runtime<never>()
    // A verifier per request, so that what it found (the grant behind the token) stays with that request.
    const verifierFor = (found: { granted?: GrantedAccess }) => ({
      verifyAccessToken: async (token: string) => {
        const result = await Runtime.runPromise(runtime)(Effect.either(as.verify(token)))
        if (Either.isLeft(result)) throw result.left
        found.granted = result.right.granted
        return result.right.info
      }
    })
    const metadataUrl = () => getOAuthProtectedResourceMetadataUrl(new URL(as.resource()))
    // What a client should ask for: every scope the server's write mode allows.
    const advertised = scopesOf(as.serverAccess)

    const authenticate = async (authorization: string | undefined): Promise<Principal | GateRefusal> => {
      if (key.required && Either.isRight(Runtime.runSync(runtime)(Effect.either(key.check(authorization))))) {
        return { kind: "key" }
      }
      try {
        const found: { granted?: GrantedAccess } = {}
        // The SDK takes the word after "Bearer" and ignores the rest: a header with more in it is malformed, and is
        // refused as the key check refuses it.
        if ((authorization ?? "").trim() !== "" && !/^Bearer\s+\S+\s*$/i.test(authorization!)) {
          throw new OAuthError(OAuthErrorCode.InvalidToken, "The Authorization header must be Bearer <token>")
        }
        await verifyBearerToken(authorization, {
          verifier: verifierFor(found),
          requiredScopes: as.requiredScopes,
          resourceMetadataUrl: metadataUrl(),
          expectedResource: new URL(as.resource())
        })
        if (found.granted === undefined) throw new OAuthError(OAuthErrorCode.InvalidToken, "Invalid token")
        return { kind: "grant", ...found.granted }
      } catch (error) {
        const presented = /^\s*\S+\s+\S+/.test(authorization ?? "")
        // A missing or malformed header is an invitation to sign in: the challenge names every scope there is.
        const answer = bearerAuthChallengeResponse(
          error instanceof OAuthError ? error : new OAuthError(OAuthErrorCode.InvalidToken, "Invalid token"),
          { resourceMetadataUrl: metadataUrl(), requiredScopes: advertised }
        )
        return refusal(answer, presented)
      }
    }

    return {
      routes: routes.handle,
      authenticate,
      bind: (origin, path) => as.bind(origin, path),
      describe: () =>
        `OAuth 2.1 (issuer ${as.issuer()}, token store ${store.backend})` +
        (key.required ? ", and the bearer key" : "")
    }
  })
).pipe(
  Layer.provide(AuthorizationServer.Default),
  Layer.provide(ClientMetadataFetcherLive),
  Layer.provide(OAuthConfig.Default)
)

