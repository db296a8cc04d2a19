/**
 * The bridge's side of a confirmation: an answer counts only for the question it was given to, sealed by this
 * process; a changed question, a made-up state or no state at all is asked again. A client that cannot ask gets
 * "unavailable", and progress goes out only for a progressToken.
 */
import type { ServerContext } from "@modelcontextprotocol/server"
import { CLIENT_CAPABILITIES_META_KEY, PROTOCOL_VERSION_META_KEY } from "@modelcontextprotocol/server"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { describe, expect, it } from "vitest"
import { callInteraction } from "../src/mcp/CallInteraction.js"

const context = (mcpReq: Record<string, unknown>, notified: Array<unknown> = []) =>
  ({
    mcpReq: {
      id: 1,
      method: "tools/call",
      signal: new AbortController().signal,
      requestState: () => undefined,
      notify: async (notification: unknown) => void notified.push(notification),
      ...mcpReq
    }
  }) as unknown as ServerContext

const setting = {
  name: "delete_events_by_date_range",
  args: { start_date: "2026-12-08", end_date: "2026-12-09" },
  key: new Uint8Array(32).fill(7),
  signal: new AbortController().signal
}

const modern = { [PROTOCOL_VERSION_META_KEY]: "2026-07-28", [CLIENT_CAPABILITIES_META_KEY]: { elicitation: {} } }
const question = { message: "Delete 2 events?", items: ["Tue 2026-12-08 WORKOUT \"A\"", "Wed 2026-12-09 WORKOUT \"B\""] }

/** Asks once, and answers with the person's `answer` under the state the first round gave. */
const roundTrip = async (
  answer: unknown,
  tamper: (state: string) => string = (s) => s,
  asked = question,
  again: typeof setting = setting
) => {
  const first = callInteraction(context({ envelope: modern }), setting)
  const exit = await Effect.runPromiseExit(first.interaction.confirm(question))
  expect(Exit.isInterrupted(exit)).toBe(true)
  const pending = first.pending()!
  expect(pending.resultType).toBe("input_required")
  const state = tamper(pending.requestState!)
  const second = callInteraction(
    context({ envelope: modern, inputResponses: { confirm: answer }, requestState: () => state }),
    again
  )
  const verdict = await Effect.runPromiseExit(second.interaction.confirm(asked))
  return { verdict, again: second.pending() }
}

describe("confirmation by elicitation", () => {
  it("shows the question with its items, and takes an explicit yes to it", async () => {
    const first = callInteraction(context({ envelope: modern }), setting)
    await Effect.runPromiseExit(first.interaction.confirm(question))
    const request = first.pending()!.inputRequests!["confirm"] as { params: { message: string } }
    expect(request.params.message).toBe("Delete 2 events?\n• Tue 2026-12-08 WORKOUT \"A\"\n• Wed 2026-12-09 WORKOUT \"B\"")
    const { again, verdict } = await roundTrip({ action: "accept", content: { confirm: true } })
    expect(verdict).toEqual(Exit.succeed("accepted"))
    expect(again).toBeUndefined()
  })

  it("takes anything but an explicit yes as a no", async () => {
    for (const answer of [{ action: "decline" }, { action: "cancel" }, { action: "accept", content: {} }, { action: "accept", content: { confirm: "yes" } }, "junk"]) {
      expect((await roundTrip(answer)).verdict).toEqual(Exit.succeed("declined"))
    }
  })

  it("asks again when the state was made up or the question changed since", async () => {
    const yes = { action: "accept", content: { confirm: true } }
    for (const tamper of [(s: string) => `${s}x`, (s: string) => s.replace(/^./, (c) => (c === "A" ? "B" : "A")), () => ""]) {
      const { again, verdict } = await roundTrip(yes, tamper)
      expect(Exit.isInterrupted(verdict)).toBe(true)
      expect(again?.resultType).toBe("input_required")
    }
    const changed = await roundTrip(yes, (s) => s, { ...question, items: [...question.items, "Thu 2026-12-10 WORKOUT \"C\""] })
    expect(Exit.isInterrupted(changed.verdict)).toBe(true)
    // The same question for other arguments, another tool, or under another server's key.
    for (const other of [
      { ...setting, args: { start_date: "2026-12-08", end_date: "2026-12-10" } },
      { ...setting, name: "delete_event" },
      { ...setting, key: new Uint8Array(32).fill(8) }
    ]) {
      expect(Exit.isInterrupted((await roundTrip(yes, (s) => s, question, other)).verdict)).toBe(true)
    }
    // An expired state, re-sealed by someone without the key, is no better.
    expect(Exit.isInterrupted((await roundTrip(yes, (s) => `${(Date.now() - 1).toString(36)}.${s.split(".")[1]}`)).verdict))
      .toBe(true)
  })

  it("asks a 2025-era client while the call waits: its yes, anything else, or no answer at all", async () => {
    const ask = (answer: () => Promise<unknown>) =>
      callInteraction(context({}), { ...setting, ask: answer as never }).interaction.confirm(question)
    expect(await Effect.runPromise(ask(async () => ({ action: "accept", content: { confirm: true } })))).toBe("accepted")
    expect(await Effect.runPromise(ask(async () => ({ action: "decline" })))).toBe("declined")
    expect(await Effect.runPromise(ask(() => Promise.reject(new Error("the form crashed"))))).toBe("declined")
    const stopped = new AbortController()
    stopped.abort()
    const cut = callInteraction(context({}), {
      ...setting,
      signal: stopped.signal,
      ask: () => Promise.reject(new Error("aborted"))
    })
    expect(Exit.isInterrupted(await Effect.runPromiseExit(cut.interaction.confirm(question)))).toBe(true)
  })

  it("does not ask a client that can show only URL elicitations", async () => {
    const urlOnly = { [PROTOCOL_VERSION_META_KEY]: "2026-07-28", [CLIENT_CAPABILITIES_META_KEY]: { elicitation: { url: {} } } }
    const asking = callInteraction(context({ envelope: urlOnly }), setting)
    expect(await Effect.runPromise(asking.interaction.confirm(question))).toBe("unavailable")
  })

  it("is unavailable to a client that did not declare elicitation, on either era", async () => {
    const legacy = callInteraction(context({}), { ...setting, ask: undefined })
    expect(await Effect.runPromise(legacy.interaction.confirm(question))).toBe("unavailable")
    const bare = callInteraction(context({ envelope: { [PROTOCOL_VERSION_META_KEY]: "2026-07-28" } }), setting)
    expect(await Effect.runPromise(bare.interaction.confirm(question))).toBe("unavailable")
    expect(legacy.pending()).toBeUndefined()
  })
})

describe("progress", () => {
  it("goes out for a progressToken only", async () => {
    const notified: Array<unknown> = []
    const withToken = callInteraction(context({ _meta: { progressToken: "t1" } }, notified), setting)
    await Effect.runPromise(withToken.interaction.progress(1, 4, "reading week 2"))
    expect(notified).toEqual([{
      method: "notifications/progress",
      params: { progressToken: "t1", progress: 1, total: 4, message: "reading week 2" }
    }])
    const without = callInteraction(context({}, notified), setting)
    await Effect.runPromise(without.interaction.progress(2, 4, "reading week 3"))
    expect(notified).toHaveLength(1)
  })
})
