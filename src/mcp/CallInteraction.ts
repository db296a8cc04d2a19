/**
 * A `tools/call`'s interaction with the person at the client, as the SDK carries it: a confirmation is an
 * elicitation (an `input_required` result the 2026-07-28 client fulfils and sends back with the call; toward a
 * 2025-era connection the SDK's shim sends `elicitation/create` itself and calls the handler again with the
 * answer), and progress is `notifications/progress` for the call's `progressToken`.
 *
 * The call is made again from the start with the answer, so the tool works out its question again; the answer counts
 * only for the question it was given to. `requestState` carries a seal of the question (an HMAC under a key of this
 * process): an answer with a seal that does not match the question as it now stands (the calendar changed between the
 * two rounds, or the state was made up by the client) is not taken, and the question is asked again.
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  type InputRequiredResult,
  inputRequired,
  PROTOCOL_VERSION_META_KEY,
  type ServerContext
} from "@modelcontextprotocol/server"
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import { Effect } from "effect"
import { type InteractionShape, type Question, questionText, type Verdict } from "../services/Interaction.js"

/** The key of the one input a call asks for. */
const CONFIRM = "confirm"

const key = randomBytes(32)
const seal = (text: string) => createHmac("sha256", key).update(text).digest("base64url")
const sealed = (state: unknown, text: string) => {
  if (typeof state !== "string") return false
  const expected = Buffer.from(seal(text))
  const given = Buffer.from(state)
  return given.length === expected.length && timingSafeEqual(given, expected)
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

export interface Capabilities {
  /** The connection's client declared elicitation at `initialize` (2025 era), and the SDK can send it a request. */
  readonly legacyElicitation: boolean
}

/** Whether the request is of the 2026-07-28 revision, which carries its envelope. */
const modern = (ctx: ServerContext) =>
  (ctx.mcpReq.envelope as Readonly<Record<string, unknown>> | undefined)?.[PROTOCOL_VERSION_META_KEY] !== undefined

const canElicit = (ctx: ServerContext, capabilities: Capabilities): boolean => {
  if (!modern(ctx)) return capabilities.legacyElicitation
  const declared = (ctx.mcpReq.envelope as Readonly<Record<string, unknown>>)[CLIENT_CAPABILITIES_META_KEY] as
    | { readonly elicitation?: unknown }
    | undefined
  return declared?.elicitation !== undefined
}

const verdictOf = (answer: unknown): Verdict => {
  const { action, content } = (answer ?? {}) as { action?: unknown; content?: { confirm?: unknown } }
  return action === "accept" && content?.confirm === true ? "accepted" : "declined"
}

export const callInteraction = (ctx: ServerContext, capabilities: Capabilities): CallInteraction => {
  const ask = canElicit(ctx, capabilities)
  const token = ctx.mcpReq._meta?.progressToken
  let asked: string | undefined
  const confirm = (question: Question): Effect.Effect<Verdict> =>
    Effect.suspend(() => {
      if (!ask) return Effect.succeed("unavailable" as const)
      const text = questionText(question)
      const answer = ctx.mcpReq.inputResponses?.[CONFIRM]
      if (answer !== undefined && sealed(ctx.mcpReq.requestState(), text)) return Effect.succeed(verdictOf(answer))
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
        requestState: seal(asked)
      })
  }
}
