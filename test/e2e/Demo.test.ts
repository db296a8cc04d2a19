/**
 * The built server on the built-in demo athlete, driven over stdio by the MCP SDK's Client as a desktop client would:
 * no account, every tool answers, each answer says first that it is demo data, and writes last for the process only.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DEMO_ATHLETE_ID, DEMO_NOTICE } from "../../src/demo/DemoIdentity.js"
import { allTools } from "../../src/tools/Registry.js"
import { type Connected, connectStdio, textOf } from "../support/StdioServer.js"

let server: Connected

const call = async (name: string, args: Record<string, unknown> = {}) => {
  const result = (await server.client.callTool({ name, arguments: args })) as CallToolResult
  expect(result.isError, `${name}: ${textOf(result)}`).toBeFalsy()
  expect(textOf(result).split("\n")[0]).toBe(DEMO_NOTICE)
  return result
}

beforeAll(async () => {
  // A real ATHLETE_ID in the environment must not matter: the demo serves its own athlete.
  server = await connectStdio({ ATHLETE_ID: "i12345", LOG_LEVEL: "Warning" }, ["--demo"])
})
afterAll(async () => {
  await server?.close()
})

describe("the server on the demo athlete", () => {
  it("says in its instructions that the data is a sample athlete's", () => {
    expect(server.client.getInstructions()).toMatch(/^DEMO MODE/)
  })

  it("answers every read tool without an account", async () => {
    const { tools } = await server.client.listTools()
    expect(tools).toHaveLength(allTools.length)

    const list = await call("get_activities", { limit: 50 })
    const activities = (list.structuredContent as { athlete_id: string; activities: Array<{ id: string; type?: string; strava_stub?: boolean }> })
    expect(activities.athlete_id).toBe(DEMO_ATHLETE_ID)
    expect(activities.activities.length).toBeGreaterThan(20)
    const ride = activities.activities.find((a) => a.type === "Ride")!

    const details = await call("get_activity_details", { activity_id: ride.id })
    expect(details.structuredContent).toMatchObject({ id: ride.id, type: "Ride", ftp_watts: 255 })
    const intervals = await call("get_activity_intervals", { activity_id: ride.id })
    expect((intervals.structuredContent as { intervals: Array<unknown> }).intervals.length).toBeGreaterThan(0)
    const streams = await call("get_activity_streams", { activity_id: ride.id, stream_types: "watts,heartrate" })
    expect((streams.structuredContent as { streams: Array<{ type: string; count: number }> }).streams.map((s) => s.type))
      .toEqual(["heartrate", "watts"])
    await call("get_activity_messages", { activity_id: ride.id })

    const wellness = await call("get_wellness_data")
    expect((wellness.structuredContent as { days: Array<{ fitness_ctl?: number; hrv_rmssd_ms?: number }> }).days.length).toBe(31)
    const events = await call("get_events")
    const planned = (events.structuredContent as { events: Array<{ id: number; category?: string }> }).events
    expect(planned.some((e) => e.category === "WORKOUT")).toBe(true)
    expect(planned.some((e) => e.category === "NOTE")).toBe(true)
    const season = await call("get_events", { end_date: "2099-12-31" })
    expect((season.structuredContent as { events: Array<{ category?: string }> }).events.filter((e) => e.category === "RACE_A"))
      .toHaveLength(1)
    const workout = await call("get_event_by_id", { event_id: planned.find((e) => e.category === "WORKOUT")!.id })
    expect((workout.structuredContent as { workout_steps?: Array<string> }).workout_steps?.length).toBeGreaterThan(0)

    const items = await call("get_custom_items")
    const item = (items.structuredContent as { items: Array<{ id: number }> }).items[0]!
    await call("get_custom_item_by_id", { item_id: item.id })
    const curves = await call("get_athlete_power_curves")
    expect((curves.structuredContent as { curves: Array<{ points: Array<unknown> }> }).curves[0]!.points.length).toBe(10)
    const gear = await call("get_gear_list")
    expect((gear.structuredContent as { gear: Array<unknown> }).gear.length).toBeGreaterThan(3)
  })

  it("keeps writes for the life of the process", async () => {
    const created = await call("add_or_update_event", {
      workout_type: "Ride",
      name: "Demo test workout",
      start_date: "2099-01-01",
      workout_doc: { steps: [{ duration: 600, power: { units: "%ftp", value: 60 } }] }
    })
    const id = (created.structuredContent as { event: { id: number } }).event.id
    const listed = await call("get_events", { start_date: "2099-01-01", end_date: "2099-01-01" })
    expect((listed.structuredContent as { events: Array<{ id: number }> }).events.map((e) => e.id)).toEqual([id])
    await call("delete_event", { event_id: id })
    const after = await call("get_events", { start_date: "2099-01-01", end_date: "2099-01-01" })
    expect((after.structuredContent as { events: Array<unknown> }).events).toEqual([])
  })

  it("starts again from the same data in a new process", async () => {
    const other = await connectStdio({ INTERVALS_DEMO: "true", LOG_LEVEL: "Warning" })
    try {
      const first = (await server.client.callTool({ name: "get_activities", arguments: { limit: 3 } })) as CallToolResult
      const second = (await other.client.callTool({ name: "get_activities", arguments: { limit: 3 } })) as CallToolResult
      expect(second.structuredContent).toEqual(first.structuredContent)
    } finally {
      await other.close()
    }
  })
})
