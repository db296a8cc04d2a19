/**
 * A `tools/call`'s interaction with the person at the client, as the SDK carries it: a confirmation is an
 * elicitation, and progress is `notifications/progress` for the call's `progressToken`.
 *
 * A 2025-era client is asked with a server-to-client `elicitation/create` while the call waits, inside the call (so
 * a cancel, a dropped connection or a shutdown stops the wait like any other, and a client's bad or missing answer
 * is a no). A 2026-07-28 client gets an `input_required` result and makes the call again with the answer; the call
 * works out its question again, and the answer counts only for the question it was given to: `requestState` carries
 * a seal (an HMAC under a key derived from the server's Intervals.icu key, so that replicas agree) of the tool, its
 * arguments, the question and an expiry. An answer whose seal does not match the call and its question as they now
 * stand (the calendar changed between the rounds, another call's answer replayed, a state made up) is not taken,
 * and the question is asked again.
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  type ElicitRequestFormParams,
  type ElicitResult,
  type InputRequiredResult,
  inputRequired,
  PROTOCOL_VERSION_META_KEY,
  type ServerContext
} from "@modelcontextprotocol/server"
import { createHmac, timingSafeEqual } from "node:crypto"
import * as Effect from "effect/Effect"
import { type InteractionShape, type Question, questionText, type Verdict } from "../services/Interaction.js"

/** The key of the one input a call asks for. */
const CONFIRM = "confirm"

/** How long a 2026-07-28 client's answer may come after its question. */
const ANSWER_WITHIN_MS = 15 * 60_000

const mac = (key: Uint8Array, material: string) => createHmac("sha256", key).update(material).digest("base64url")

/** The state a question is sent with: its expiry, and the seal of the call, the question and that expiry. */
const seal = (key: Uint8Array, material: string, expires: number) =>
  `${expires.toString(36)}.${mac(key, `${expires}\n${material}`)}`

const sealed = (key: Uint8Array, state: unknown, material: string) => {
  if (typeof state !== "string") return false
  const [stamp = "", given = ""] = state.split(".")
  const expires = parseInt(stamp, 36)
  if (!Number.isSafeInteger(expires) || expires < Date.now()) return false
  const expected = Buffer.from(mac(key, `${expires}\n${material}`))
  const actual = Buffer.from(given)
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/** The form a confirmation shows: one yes/no, so that only an explicit yes is taken as one. */
const requestedSchema = {
  type: "object" as const,
  properties: {
    confirm: { type: "boolean" as const, title: "Go ahead", description: "Yes to make this change", default: false }
  },
  required: ["confirm"]
}

export interface CallInteraction {
  readonly interaction: InteractionShape
  /** The question the call stopped at, as the result to answer instead of the call's own; undefined if none. */
  readonly pending: () => InputRequiredResult | undefined
}

export interface CallSetting {
  /** The tool and its arguments, which an answer is sealed to. */
  readonly name: string
  readonly args: unknown
  /** The key of the seals. */
  readonly key: Uint8Array
  /**
   * How to ask a 2025-era client that can show a form and be asked back (not a stateless request), or undefined;
   * rejects when there is no answer, or when the call is stopped.
   */
  readonly ask?: ((params: ElicitRequestFormParams) => Promise<ElicitResult>) | undefined
  /** The call's own signal: aborted when it is cancelled, abandoned or stopped at shutdown. */
  readonly signal: AbortSignal
}

/** Whether the request is of the 2026-07-28 revision, which carries its envelope. */
export const isModern = (ctx: ServerContext) =>
  (ctx.mcpReq.envelope as Readonly<Record<string, unknown>> | undefined)?.[PROTOCOL_VERSION_META_KEY] !== undefined

/**
 * Whether declared elicitation includes forms: `{}` (the revisions before URL mode) or `{ form }`; a client that
 * declared only `{ url }` cannot show one, and keeps the tools' own rules.
 */
export const canShowForms = (elicitation: unknown): boolean => {
  if (elicitation === null || typeof elicitation !== "object") return false
  const modes = Object.keys(elicitation)
  return modes.length === 0 || modes.includes("form")
}

const verdictOf = (answer: unknown): Verdict => {
  const { action, content } = (answer ?? {}) as { action?: unknown; content?: { confirm?: unknown } }
  return action === "accept" && content?.confirm === true ? "accepted" : "declined"
}

export const callInteraction = (ctx: ServerContext, setting: CallSetting): CallInteraction => {
  const modern = isModern(ctx)
  const declared = modern
    ? ((ctx.mcpReq.envelope as Readonly<Record<string, unknown>>)[CLIENT_CAPABILITIES_META_KEY] as
      | { readonly elicitation?: unknown }
      | undefined)?.elicitation
    : undefined
  const token = ctx.mcpReq._meta?.progressToken
  const material = (text: string) => `${setting.name}\n${JSON.stringify(setting.args ?? {})}\n${text}`
  let asked: string | undefined

  const askNow = (ask: NonNullable<CallSetting["ask"]>, text: string): Effect.Effect<Verdict> =>
    Effect.async<Verdict>((resume) => {
      ask({ mode: "form", message: text, requestedSchema }).then(
        (answer) => resume(Effect.succeed(verdictOf(answer))),
        // No answer (an error, a result of the wrong shape, the wait's end) is a no; a call stopped is stopped.
        () => resume(setting.signal.aborted ? Effect.interrupt : Effect.succeed("declined"))
      )
    })

  const confirm = (question: Question): Effect.Effect<Verdict> =>
    Effect.suspend(() => {
      const text = questionText(question)
      if (!modern) return setting.ask === undefined ? Effect.succeed("unavailable" as const) : askNow(setting.ask, text)
      if (!canShowForms(declared)) return Effect.succeed("unavailable" as const)
      const answer = ctx.mcpReq.inputResponses?.[CONFIRM]
      if (answer !== undefined && sealed(setting.key, ctx.mcpReq.requestState(), material(text))) {
        return Effect.succeed(verdictOf(answer))
      }
      // Nothing is done past this point: the call stops, and is made again with the person's answer.
      asked = text
      return Effect.interrupt
    })

  const progress = (done: number, total: number | undefined, message: string): Effect.Effect<void> =>
    token === undefined
      ? Effect.void
      : Effect.promise(() =>
        ctx.mcpReq.notify({
          method: "notifications/progress",
          params: { progressToken: token, progress: done, ...(total === undefined ? {} : { total }), message }
        }).catch(() => undefined)
      )

  return {
    interaction: { confirm, progress },
    pending: () =>
      asked === undefined ? undefined : inputRequired({
        inputRequests: { [CONFIRM]: inputRequired.elicit({ message: asked, requestedSchema }) },
        requestState: seal(setting.key, material(asked), Date.now() + ANSWER_WITHIN_MS)
      })
  }
}
