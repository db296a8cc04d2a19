/**
 * What the authorization server keeps in the token store, as schemas: a record is JSON in the store and is decoded
 * on the way out, so a damaged or foreign entry is refused rather than trusted. Tokens, codes and client secrets are
 * never kept, only their SHA-256 (`hashOf`): a copy of the store lets no one in.
 */
import * as Schema from "effect/Schema"
import { createHash, randomBytes } from "node:crypto"
import { Access } from "./Access.js"

export const ClientAuthMethod = Schema.Literal("none", "client_secret_post", "client_secret_basic")
export type ClientAuthMethod = typeof ClientAuthMethod.Type

export const Client = Schema.Struct({
  client_id: Schema.String,
  client_name: Schema.optional(Schema.String),
  client_uri: Schema.optional(Schema.String),
  redirect_uris: Schema.Array(Schema.String),
  token_endpoint_auth_method: ClientAuthMethod,
  /** SHA-256 of the client secret, for confidential clients. */
  secret_hash: Schema.optional(Schema.String),
  /** Registered here (RFC 7591), or described by the document at its client_id URL. */
  source: Schema.Literal("registered", "metadata-document"),
  issued_at: Schema.Number
})
export type Client = typeof Client.Type

/** An authorization request waiting for the owner to sign in and consent. */
export const Pending = Schema.Struct({
  client_id: Schema.String,
  redirect_uri: Schema.String,
  code_challenge: Schema.String,
  state: Schema.optional(Schema.String),
  resource: Schema.String,
  /** The most the client asked for (capped by the server's write mode). */
  access: Access,
  csrf: Schema.String
})
export type Pending = typeof Pending.Type

/** Intervals.icu's own token for a grant signed in with Intervals.icu, sealed under the server's key. */
export const Upstream = Schema.Struct({
  sealed: Schema.String,
  athlete_id: Schema.String,
  athlete_name: Schema.optional(Schema.String),
  scope: Schema.String
})
export type Upstream = typeof Upstream.Type

export const Grant = Schema.Struct({
  id: Schema.String,
  client_id: Schema.String,
  client_name: Schema.optional(Schema.String),
  access: Access,
  resource: Schema.String,
  created_at: Schema.Number,
  /** How the owner signed in: the owner secret (the server's own Intervals.icu key is used), or Intervals.icu. */
  signed_in_with: Schema.Literal("owner-secret", "intervals"),
  upstream: Schema.optional(Upstream)
})
export type Grant = typeof Grant.Type

export const Code = Schema.Struct({
  grant_id: Schema.String,
  client_id: Schema.String,
  redirect_uri: Schema.String,
  code_challenge: Schema.String,
  resource: Schema.String
})
export type Code = typeof Code.Type

/** What an access or refresh token stands for: its grant, its client, its resource and its access. */
const TokenFields = {
  grant_id: Schema.String,
  client_id: Schema.String,
  resource: Schema.String,
  access: Access
}

export const AccessToken = Schema.Struct({
  ...TokenFields,
  /** Seconds since the epoch. */
  expires_at: Schema.Number
})
export type AccessToken = typeof AccessToken.Type

export const RefreshToken = Schema.Struct(TokenFields)
export type RefreshToken = typeof RefreshToken.Type

/** An Intervals.icu sign-in under way: which authorization request it finishes, and with what access. */
export const UpstreamState = Schema.Struct({ pending: Schema.String, access: Access })
export type UpstreamState = typeof UpstreamState.Type

export const hashOf = (secret: string): string => createHash("sha256").update(secret, "utf8").digest("base64url")

/** 256 random bits, URL-safe: every token, code, secret and id this server hands out. */
export const randomToken = (): string => randomBytes(32).toString("base64url")

export const encode = <A, I>(schema: Schema.Schema<A, I>) => Schema.encodeSync(Schema.parseJson(schema))
export const decode = <A, I>(schema: Schema.Schema<A, I>) => Schema.decodeUnknownOption(Schema.parseJson(schema))
