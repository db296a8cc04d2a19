/**
 * Ending every OAuth connection at once: every grant goes, and with it every access and refresh token (a token is
 * honoured only while its grant stands, so the tokens are removed for tidiness, not for safety). Shared by
 * `DELETE /oauth/grants` and `intervals-mcp revoke-all`, which works on the store directly (Redis while the
 * replicas run; the SQLite file while its server is stopped).
 */
import * as Effect from "effect/Effect"
import { TokenStore } from "../store/TokenStore.js"

export const revokeEverything = Effect.gen(function*() {
  const store = yield* TokenStore
  const grants = yield* store.removeAll("grant")
  yield* store.removeAll("access")
  yield* store.removeAll("refresh")
  return grants
})
