/**
 * Whose Intervals.icu account a call uses: none set means the server's own (`API_KEY`, `ATHLETE_ID`); a connection
 * whose owner signed in with Intervals.icu runs its calls with that athlete's token and id instead. A fiber-local
 * value, set by the MCP bridge around a connection's calls, so that no tool knows which account it serves and the
 * client's cache never answers one account with another's data.
 */
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"

export interface Account {
  readonly token: Redacted.Redacted<string>
  readonly athleteId: string
}

export const UpstreamAccount: FiberRef.FiberRef<Option.Option<Account>> = FiberRef.unsafeMake<Option.Option<Account>>(
  Option.none()
)
