/**
 * What a tool call may ask of the person at the client, beside its answer: to confirm a destructive or bulk write
 * (elicitation), and to be told how far a long call has got (progress). Each call has its own, made by the MCP bridge
 * from what the client declared; the command line and clients without these capabilities get `Interaction.none`,
 * under which a confirmation is "unavailable" (the tools' own rules apply: safe mode, previews, `confirm`) and
 * progress goes nowhere.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"

/** The person's answer, or why there is none: the client cannot ask. */
export type Verdict = "accepted" | "declined" | "unavailable"

/** A question for the person: one line, and what it is about, one item a line (shown as the form's text). */
export interface Question {
  readonly message: string
  readonly items?: ReadonlyArray<string>
}

export interface InteractionShape {
  /**
   * Asks the person to confirm. When the client can ask and has not answered yet, the call ends here (the bridge
   * answers with the question instead of a result) and is made again with the answer, so a tool asks before it
   * writes anything and works out the same question again on re-entry.
   */
  readonly confirm: (question: Question) => Effect.Effect<Verdict>
  /** Reports how far the call is: `done` of `total` steps, and what it is doing. */
  readonly progress: (done: number, total: number | undefined, message: string) => Effect.Effect<void>
}

export class Interaction extends Context.Tag("Interaction")<Interaction, InteractionShape>() {
  /** No one to ask and no one to tell. */
  static readonly none: InteractionShape = {
    confirm: () => Effect.succeed("unavailable"),
    progress: () => Effect.void
  }
}

/** The most lines of items a question shows; the rest are counted. */
export const MAX_ITEMS = 20

/** A question as the form's text: the message, then its items. */
export const questionText = (question: Question): string => {
  const items = question.items ?? []
  const shown = items.slice(0, MAX_ITEMS).map((item) => `• ${item}`)
  const more = items.length > MAX_ITEMS ? [`… and ${items.length - MAX_ITEMS} more`] : []
  return [question.message, ...shown, ...more].join("\n")
}
