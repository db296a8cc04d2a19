/**
 * Intervals.icu tokens kept for "Continue with Intervals.icu" grants are sealed at rest with AES-256-GCM (Node's
 * crypto) under a key derived by HKDF from the server's own Intervals.icu key, which only the owner holds: a copy of
 * the token store alone gives no one the athletes' tokens. Every replica that serves the account derives the same
 * key, so a grant made on one is usable on all.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto"
import * as Option from "effect/Option"

export interface Sealer {
  readonly seal: (plain: string) => string
  readonly open: (sealed: string) => Option.Option<string>
}

export const makeSealer = (secret: string): Sealer => {
  const key = Buffer.from(hkdfSync("sha256", secret, "intervals-mcp", "upstream token seal", 32))
  return {
    seal: (plain) => {
      const iv = randomBytes(12)
      const cipher = createCipheriv("aes-256-gcm", key, iv)
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")
    },
    open: (sealed) => {
      try {
        const raw = Buffer.from(sealed, "base64url")
        const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12))
        decipher.setAuthTag(raw.subarray(12, 28))
        return Option.some(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8"))
      } catch {
        return Option.none()
      }
    }
  }
}
