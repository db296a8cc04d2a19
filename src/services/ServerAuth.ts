/**
 * MCP-side authentication of the networked transports: a request must carry `Authorization: Bearer <key>` when
 * `MCP_SERVER_API_KEY` is set. The key is accepted only in that header (never in a query string, where it would end
 * up in logs and browser history) and compared in constant time.
 */
import { Effect, Option, Redacted, Schema } from "effect"
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
