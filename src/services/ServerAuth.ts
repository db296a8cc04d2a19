/**
 * MCP-side authentication of the networked transports: a request must carry `Authorization: Bearer <key>` when
 * `MCP_SERVER_API_KEY` is set. The key is accepted only in that header (never in a query string, where it would end
 * up in logs and browser history) and compared in constant time.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { createHash, timingSafeEqual } from "node:crypto"
import { HttpConfig } from "./HttpConfig.js"

export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {
  reason: Schema.Literal("missing", "invalid")
}) {
  override get message() {
    return this.reason === "missing"
      ? "This server requires Authorization: Bearer <MCP_SERVER_API_KEY>."
      : "The bearer token is not this server's key."
  }
}

// Digests have equal lengths whatever the inputs, as timingSafeEqual requires, and reveal nothing of the key's length.
const digest = (value: string) => createHash("sha256").update(value, "utf8").digest()

export class ServerAuth extends Effect.Service<ServerAuth>()("ServerAuth", {
  effect: Effect.map(HttpConfig, (config) => {
    const expected = Option.map(config.serverKey, (key) => digest(Redacted.value(key)))
    return {
      required: Option.isSome(expected),
      /** Checks the `Authorization` header of a request. */
      check: (authorization: string | undefined): Effect.Effect<void, Unauthorized> => {
        if (Option.isNone(expected)) return Effect.void
        const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")
        if (match === null) return Effect.fail(new Unauthorized({ reason: "missing" }))
        return timingSafeEqual(digest(match[1]!), expected.value)
          ? Effect.void
          : Effect.fail(new Unauthorized({ reason: "invalid" }))
      }
    }
  })
}) {}

/** Who a request comes from, once authenticated: what its connection may do, and with whose Intervals.icu account. */
export type Principal =
  | { readonly kind: "open" }
  | { readonly kind: "key" }
  | {
    readonly kind: "grant"
    readonly grantId: string
    readonly clientId: string
    /** The grant's access: read, write or delete. */
    readonly access: "read" | "write" | "delete"
    /** An Intervals.icu token of the athlete who signed in with Intervals.icu, used instead of the server's key. */
    readonly upstream: Option.Option<{ readonly token: Redacted.Redacted<string>; readonly athleteId: string }>
  }

/**
 * Who owns a session: the key, nobody (an open server), or one OAuth grant at one access (whatever token of it is
 * presented: a token narrowed at refresh opens a session of its own, since the session's tools were listed for the
 * access it was opened with).
 */
export const principalKey = (principal: Principal): string =>
  principal.kind === "grant" ? `grant:${principal.grantId}:${principal.access}` : principal.kind

/** An HTTP answer the gate wants sent instead of serving the request. */
export interface GateRefusal {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** Whether credentials were presented and were wrong (counted against the address's budget of failures). */
  readonly presented: boolean
}

/**
 * The OAuth side of the HTTP host (`MCP_AUTH=oauth`): its own routes (discovery, sign-in, tokens), and bearer
 * verification of requests to MCP, beside the server key. Absent when the server runs with the key alone.
 */
export class OAuthGate extends Context.Tag("OAuthGate")<OAuthGate, {
  /** Answers an OAuth route; false for any other path. */
  readonly routes: (
    req: import("node:http").IncomingMessage,
    res: import("node:http").ServerResponse,
    url: URL,
    address: string
  ) => Promise<boolean>
  readonly authenticate: (authorization: string | undefined) => Promise<Principal | GateRefusal>
  /** Tells the gate where the server listens and which path is MCP, once it does. */
  readonly bind: (origin: string, path: string) => void
  readonly describe: () => string
}>() {}
