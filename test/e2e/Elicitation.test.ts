/**
 * Confirmation by elicitation and progress, on the built server over stdio, with the SDK's `Client` of both eras: a
 * client that declares elicitation is asked before a delete or a bulk write ("Delete 3 events, …? [list]") and the
 * write happens only on an explicit yes; a no (or a dismissed form) answers "not done" with nothing sent. A client
 * without elicitation keeps the tools' own rules. A call of several requests reports progress for a progressToken.
 */
import type { CallToolResult, ElicitRequest, ElicitResult } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type FakeIntervals, startFakeIntervals } from "../fake/FakeIntervals.js"
import { addDays, API_KEY, ATHLETE_ID, localToday, POWER_RIDE_ID, TIMEZONE } from "../fake/Fixtures.js"
import { type Connected, connectStdio, type Era, textOf } from "../support/StdioServer.js"

let fake: FakeIntervals
beforeAll(async () => {
  fake = await startFakeIntervals()
})
afterAll(async () => {
  await fake?.close()
})

const env = () => ({ API_KEY, ATHLETE_ID, INTERVALS_API_BASE_URL: fake.baseUrl, INTERVALS_CACHE: "off" })

/** What the person at the client answers next, and every question they were asked. */
interface Person {
  answer: ElicitResult
  readonly asked: Array<ElicitRequest["params"]>
}

const withPerson = async (era: Era): Promise<{ server: Connected; person: Person }> => {
  const server = await connectStdio(env(), [], era, { elicitation: { form: {} } })
  const person: Person = { answer: { action: "accept", content: { confirm: true } }, asked: [] }
  server.client.setRequestHandler("elicitation/create", (request) => {
    person.asked.push(request.params)
    return person.answer
  })
  return { server, person }
}

const call = async (server: Connected, name: string, args: Record<string, unknown>) =>
  (await server.client.callTool({ name, arguments: args })) as CallToolResult

const deletes = () => fake.requests.filter((r) => r.method === "DELETE" || r.path.endsWith("/bulk-delete")).length

const plan = async (server: Connected, name: string, days: number) => {
  const result = await call(server, "add_or_update_event", {
    name,
    workout_type: "Ride",
    start_date: addDays(localToday(TIMEZONE), days),
    description: "- 45m 65%"
  })
  expect(result.isError, textOf(result)).toBeFalsy()
  return (result.structuredContent as { event: { id: number } }).event.id
}

for (const era of ["2025", "2026-07-28"] as const) {
  describe(`confirmation by elicitation (${era} client)`, () => {
    let server: Connected
    let person: Person
    beforeAll(async () => {
      ;({ person, server } = await withPerson(era))
    })
    afterAll(async () => {
      await server?.close()
    })

    it("asks before deleting an event, naming it, and deletes it on a yes", async () => {
      const id = await plan(server, `Endurance to delete ${era}`, 2)
      person.asked.length = 0
      person.answer = { action: "accept", content: { confirm: true } }
      const before = deletes()
      const result = await call(server, "delete_event", { event_id: id })
      expect(result.isError, textOf(result)).toBeFalsy()
      expect(person.asked).toHaveLength(1)
      expect(person.asked[0]!.message).toMatch(new RegExp(`Delete this event from the calendar\\? \\w{3} \\d{4}-\\d{2}-\\d{2} WORKOUT "Endurance to delete ${era}"`))
      expect(deletes()).toBe(before + 1)
    })

    it("does nothing on a no or a dismissed form, and says so with the declined code", async () => {
      for (const answer of [{ action: "decline" }, { action: "cancel" }, { action: "accept", content: { confirm: false } }] as const) {
        const id = await plan(server, `Keep me ${era} ${answer.action}`, 3)
        person.answer = answer as ElicitResult
        const before = deletes()
        const result = await call(server, "delete_event", { event_id: id })
        expect(result.isError).toBe(true)
        expect(textOf(result)).toMatch(/^Not done: asked "Delete this event.*the user did not confirm. Nothing was sent/)
        expect(result.structuredContent).toMatchObject({ error: { code: "declined", retryable: false } })
        expect(deletes()).toBe(before)
        const still = await call(server, "get_event_by_id", { event_id: id })
        expect(still.isError).toBeFalsy()
      }
    })

    it("asks once for a range delete, listing the events, and a yes stands in for confirm: true", async () => {
      const start = addDays(localToday(TIMEZONE), 20)
      for (const [i, name] of ["Range A", "Range B", "Range C"].entries()) await plan(server, `${name} ${era}`, 20 + i)
      person.asked.length = 0
      person.answer = { action: "accept", content: { confirm: true } }
      const result = await call(server, "delete_events_by_date_range", {
        start_date: start,
        end_date: addDays(start, 2),
        category: ["WORKOUT"]
      })
      expect(result.isError, textOf(result)).toBeFalsy()
      expect(person.asked).toHaveLength(1)
      const message = person.asked[0]!.message
      expect(message).toMatch(/^Delete 3 events from \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}\?/)
      for (const name of ["Range A", "Range B", "Range C"]) expect(message).toContain(`"${name} ${era}"`)
      expect((result.structuredContent as { preview: boolean; deleted_count: number })).toMatchObject({
        preview: false,
        deleted_count: 3
      })
    })

    it("asks before a bulk write, and a yes writes it without a preview token; a no writes nothing", async () => {
      const date = addDays(localToday(TIMEZONE), 40)
      const events = [
        { date, name: `Bulk one ${era}`, workout_type: "Ride", text: "- 1h 65%" },
        { date: addDays(date, 1), name: `Bulk two ${era}`, workout_type: "Ride", text: "- 1h 70%" }
      ]
      person.answer = { action: "decline" }
      const posts = () => fake.requests.filter((r) => r.method === "POST" && r.path.endsWith("/events/bulk")).length
      const before = posts()
      const refused = await call(server, "add_events_bulk", { events, dry_run: false })
      expect(refused.structuredContent).toMatchObject({ error: { code: "declined" } })
      expect(posts()).toBe(before)
      person.asked.length = 0
      person.answer = { action: "accept", content: { confirm: true } }
      const written = await call(server, "add_events_bulk", { events, dry_run: false })
      expect(written.isError, textOf(written)).toBeFalsy()
      expect(person.asked[0]!.message).toMatch(/^Write 2 events to the calendar/)
      expect(person.asked[0]!.message).toContain(`WORKOUT "Bulk two ${era}"`)
      expect((written.structuredContent as { written: number }).written).toBe(2)
      expect(posts()).toBe(before + 1)
    })
  })
}

describe("a client without elicitation", () => {
  let server: Connected
  beforeAll(async () => {
    server = await connectStdio(env(), [], "2025")
  })
  afterAll(async () => {
    await server?.close()
  })

  it("keeps the tools' own rules: a delete of a future event goes ahead, a range delete is a preview", async () => {
    const id = await plan(server, "Plain delete", 5)
    const before = deletes()
    expect((await call(server, "delete_event", { event_id: id })).isError).toBeFalsy()
    expect(deletes()).toBe(before + 1)
    const start = addDays(localToday(TIMEZONE), 30)
    await plan(server, "Plain range", 30)
    const preview = await call(server, "delete_events_by_date_range", { start_date: start, end_date: start, category: ["WORKOUT"] })
    expect((preview.structuredContent as { preview: boolean }).preview).toBe(true)
    const bulk = await call(server, "add_events_bulk", {
      events: [{ date: addDays(start, 1), name: "No token", workout_type: "Ride", text: "- 1h 65%" }],
      dry_run: false
    })
    expect(textOf(bulk)).toMatch(/token: dry_run: false needs the token/)
  })
})

for (const era of ["2025", "2026-07-28"] as const) {
  describe(`progress (${era} client)`, () => {
    let server: Connected
    beforeAll(async () => {
      server = await connectStdio(env(), [], era)
    })
    afterAll(async () => {
      await server?.close()
    })

    it("reports a call of several requests event by event when asked for it, and nothing when not", async () => {
      // Each era's own days: the fake's calendar is shared by the suite.
      const offset = era === "2025" ? 70 : 90
      const start = addDays(localToday(TIMEZONE), offset)
      for (const [i, name] of ["Move A", "Move B", "Move C"].entries()) await plan(server, `${name} ${era}`, offset + i)
      const args = { start_date: start, end_date: addDays(start, 2), days: 7 }
      const preview = await call(server, "move_events", args)
      const token = (preview.structuredContent as { token: string }).token
      const seen: Array<{ progress: number; total?: number | undefined; message?: string | undefined }> = []
      const result = (await server.client.callTool(
        { name: "move_events", arguments: { ...args, dry_run: false, token } },
        { onprogress: (progress) => seen.push(progress) }
      )) as CallToolResult
      expect(result.isError, textOf(result)).toBeFalsy()
      const ours = seen.filter((p) => p.message?.startsWith("moving") === true)
      expect(ours.map((p) => [p.progress, p.total, p.message])).toEqual([
        [0, 3, "moving event 1 of 3"],
        [1, 3, "moving event 2 of 3"],
        [2, 3, "moving event 3 of 3"]
      ])
      // Moved back without a progressToken: the same answer, and no notifications to anyone.
      const back = { start_date: addDays(start, 7), end_date: addDays(start, 9), days: -7 }
      const again = await call(server, "move_events", back)
      const moved = await call(server, "move_events", {
        ...back,
        dry_run: false,
        token: (again.structuredContent as { token: string }).token
      })
      expect((moved.structuredContent as { done: number }).done).toBe(3)
    })

    it("reports the parts of an analysis as they come in", async () => {
      const seen: Array<{ progress: number; total?: number | undefined; message?: string | undefined }> = []
      const result = (await server.client.callTool(
        { name: "get_activity_analysis", arguments: { activity_id: POWER_RIDE_ID } },
        { onprogress: (progress) => seen.push(progress) }
      )) as CallToolResult
      expect(result.isError, textOf(result)).toBeFalsy()
      const parts = seen.filter((p) => / of 7 parts: /.test(p.message ?? ""))
      // The last may reach the client's callback after the answer (and so not at all); the others come before it.
      expect(parts.length).toBeGreaterThanOrEqual(6)
      expect(parts.map((p) => p.progress)).toEqual(parts.map((_, i) => i + 1))
      expect(parts.every((p) => p.total === 7)).toBe(true)
    })
  })
}
