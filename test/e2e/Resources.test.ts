/**
 * Resources on the built server over stdio against the fake: the two guides, the profile and the activity and event
 * templates, read through the tools; refusals for what does not exist; and links to activities and events in the
 * answers of the tools that mention them.
 */
import type { CallToolResult } from "@modelcontextprotocol/client"
import { describe, expect, it } from "vitest"
import { Category } from "../../src/tools/CalendarWrites.js"
import { addDays, ATHLETE_ID, POWER_RIDE_ID } from "../fake/Fixtures.js"
import { againstFake } from "../support/StdioServer.js"

const suite = againstFake()

const read = async (uri: string) => {
  const { contents } = await suite.server.client.readResource({ uri })
  expect(contents).toHaveLength(1)
  return contents[0] as { uri: string; mimeType: string; text: string }
}

const refusal = (uri: string) => suite.server.client.readResource({ uri }).then(() => undefined, (e: Error & { code?: number }) => e)

describe("resources", () => {
  it("lists the guides and the profile, and the activity and event templates", async () => {
    const { resources } = await suite.server.client.listResources()
    expect(resources.map((r) => r.uri)).toEqual([
      "intervals://docs/workout-syntax",
      "intervals://docs/event-categories",
      "intervals://athlete/profile"
    ])
    const { resourceTemplates } = await suite.server.client.listResourceTemplates()
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(["intervals://activity/{id}", "intervals://event/{id}"])
  })

  it("reads the syntax guide validate_workout enforces, and every event category's meaning", async () => {
    const syntax = await read("intervals://docs/workout-syntax")
    expect(syntax.mimeType).toBe("text/markdown")
    expect(syntax.text).toMatch(/bare `m` is MINUTES/)
    // The guide's example is a workout validate_workout finds nothing wrong with.
    const example = /```\n([\s\S]+?)```/.exec(syntax.text)![1]!
    const checked = (await suite.server.client.callTool({
      name: "validate_workout",
      arguments: { text: example, workout_type: "Ride" }
    })) as CallToolResult
    expect((checked.structuredContent as { report: { problems: Array<unknown> } }).report.problems).toEqual([])
    const categories = (await read("intervals://docs/event-categories")).text
    for (const category of Category.literals) expect(categories).toContain(category)
  })

  it("reads the profile, an activity and an event as JSON, through the tools", async () => {
    expect(JSON.parse((await read("intervals://athlete/profile")).text).athlete.id).toBe(ATHLETE_ID)
    const activity = await read(`intervals://activity/${POWER_RIDE_ID}`)
    expect(activity.mimeType).toBe("application/json")
    expect(JSON.parse(activity.text).id).toBe(POWER_RIDE_ID)
    const event = suite.fake.fixtures.events.find((e) => String(e.start_date_local).slice(0, 10) >= suite.fake.fixtures.today)!
    expect(JSON.parse((await read(`intervals://event/${event.id}`)).text).id).toBe(event.id)
  })

  it("refuses what does not exist, saying what does", async () => {
    const unknown = await refusal("intervals://nothing")
    // The SDK answers a missing resource with the code of the client's revision (-32602 since 2025-11-25).
    expect(unknown?.code).toBe(-32602)
    expect(unknown?.message).toMatch(/No resource "intervals:\/\/nothing": this server has intervals:\/\/docs\/workout-syntax/)
    const missing = await refusal("intervals://activity/i99999999")
    expect(missing?.code).toBe(-32602)
    expect(missing?.message).toMatch(/intervals:\/\/activity\/i99999999: .*404/)
  })

  it("links the activities and events an answer mentions, at most 20", async () => {
    const today = suite.fake.fixtures.today
    const listed = (await suite.server.client.callTool({
      name: "get_activities",
      arguments: { start_date: addDays(today, -60), end_date: today, limit: 50 }
    })) as CallToolResult
    const links = listed.content.filter((part) => part.type === "resource_link") as Array<{ uri: string; name: string }>
    const activities = (listed.structuredContent as { activities: Array<{ id: string }> }).activities
    expect(links.length).toBe(Math.min(20, activities.length))
    expect(links[0]!.uri).toBe(`intervals://activity/${activities[0]!.id}`)
    const opened = (await suite.server.client.callTool({
      name: "get_activity_details",
      arguments: { activity_id: POWER_RIDE_ID }
    })) as CallToolResult
    expect(opened.content.filter((part) => part.type === "resource_link")).toEqual([
      expect.objectContaining({ uri: `intervals://activity/${POWER_RIDE_ID}`, mimeType: "application/json" })
    ])
  })
})
