/**
 * The built server on the built-in demo athlete, driven over stdio by the MCP SDK's Client as a desktop client would:
 * no account, every tool answers, each answer says first that it is demo data, and writes last for the process only.
 */
import type { CallToolResult } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DEMO_ATHLETE_ID, DEMO_NOTICE, DEMO_TIMEZONE } from "../../src/demo/DemoIdentity.js"
import { addDays, localToday } from "../fake/Fixtures.js"
import { toolsFor } from "../../src/tools/Registry.js"
import { TOOLSETS } from "../../src/tools/Toolsets.js"
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
    expect(tools).toHaveLength(toolsFor("safe", TOOLSETS).length)

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

  it("gives a consistent training picture: zones from FTP, fitness from load, a race to project to", async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const out = async (name: string, args: Record<string, unknown> = {}): Promise<any> =>
      (await call(name, args)).structuredContent

    const profile = await out("get_athlete_profile")
    const ride = profile.sports.find((s: { types: Array<string> }) => s.types.includes("Ride"))
    expect(ride.ftp_watts).toBe(255)
    // Z4 of a 255 W FTP tops out at 105%: 268 W.
    expect(ride.power_zones.find((z: { zone: string }) => z.zone === "Z4").to_watts).toBe(Math.round(255 * 1.05))
    expect(profile.athlete.id).toBe(DEMO_ATHLETE_ID)

    const athletes = await out("list_athletes")
    expect(athletes.athletes).toHaveLength(2)
    const teammate = athletes.athletes.find((a: { key_owner: boolean }) => !a.key_owner)
    const theirs = await call("get_activities", { athlete_id: teammate.id, limit: 3 })
    expect(textOf(theirs).split("\n")[1]).toBe(`Athlete: ${teammate.name} (${teammate.id})`)

    for (const project_to of ["2099-01-01", "2020-01-01"]) {
      const refused = (await server.client.callTool({ name: "get_fitness", arguments: { project_to } })) as CallToolResult
      expect(textOf(refused)).toMatch(/project_to: expected a date after today \(\d{4}-\d{2}-\d{2}\) and at most a year ahead/)
    }
    const toRace = await out("get_fitness")
    expect(toRace.projection.race.category).toMatch(/^RACE_/)
    const seasonRace = await out("get_fitness", { end_date: toRace.today, project_to: toRace.projection.to_date })
    expect(seasonRace.projection.at_end.date).toBe(toRace.projection.to_date)

    const summary = await out("get_training_summary")
    expect(summary.periods.length).toBeGreaterThanOrEqual(4)
    expect(summary.totals.sessions).toBeGreaterThan(10)

    const hr = await out("get_athlete_curves", { kind: "hr" })
    expect(hr.curves[0].points.length).toBeGreaterThan(3)
    const pace = await out("get_athlete_curves", { kind: "pace", activity_type: "Run" })
    expect(pace.curves[0].model.critical_pace).toMatch(/\/km$/)

    const vo2 = await out("search_activities", { interval_seconds: 240, interval_intensity: 110, min_reps: 4 })
    expect(vo2.matches.length).toBeGreaterThan(0)
    const analysis = await out("get_activity_analysis", { activity_id: vo2.matches[0].id })
    expect(analysis.best_efforts.available).toBe(true)
    expect(analysis.intervals.work_intervals).toBeGreaterThanOrEqual(4)

    const weather = await out("get_weather_forecast")
    expect(weather.places.map((p: { place: string }) => p.place)).toEqual(["Home", "Training camp"])
    for (const day of weather.places[0].days) expect(day.gusts_kmh).toBeGreaterThan(day.wind_kmh)
  })

  it("plans three weeks: previewed, written, written again without doubling, and undone", async () => {
    const day = (n: number) => addDays(localToday(DEMO_TIMEZONE), n)
    const events: Array<Record<string, unknown>> = []
    for (let week = 0; week < 3; week++) {
      events.push(
        {
          date: day(22 + week * 7),
          name: `Endurance ${week + 1}`,
          workout_type: "Ride",
          workout_doc: {
            steps: [
              { duration: 600, warmup: true, ramp: true, power: { units: "%ftp", start: 50, end: 70 } },
              { duration: 3600 + week * 600, power: { units: "%ftp", start: 65, end: 72 } },
              { duration: 600, cooldown: true, power: { units: "%ftp", value: 50 } }
            ]
          }
        },
        {
          date: day(24 + week * 7),
          name: `Threshold ${week + 1}`,
          workout_type: "VirtualRide",
          text: `Warmup\n- 15m ramp 50-75%\n\nMain Set ${3 + week}x\n- 10m 95-100%\n- 5m 55%\n\nCooldown\n- 10m 50%`
        },
        { date: day(26 + week * 7), name: `Long run ${week + 1}`, workout_type: "Run", text: `- ${60 + week * 10}m Z2 HR` }
      )
    }
    events.push({ date: day(35), name: "Recovery week", category: "NOTE", text: "Half the volume, keep one opener" })
    const sizes: Array<string> = []
    const step = async (label: string, name: string, args: Record<string, unknown>) => {
      const result = await call(name, args)
      sizes.push(`${label} ${textOf(result).length}`)
      return result.structuredContent as { token?: string; events: Array<{ action: string }>; written?: number; undone?: boolean }
    }
    const calendar = async () =>
      ((await call("get_events", { start_date: day(20), end_date: day(40) })).structuredContent as { events: Array<unknown> }).events.length
    const before = await calendar()
    const preview = await step("preview", "add_events_bulk", { events })
    expect(await calendar()).toBe(before)
    const written = await step("write", "add_events_bulk", { events, dry_run: false, token: preview.token })
    expect(written.written).toBe(10)
    expect(await calendar()).toBe(before + 10)
    const again = await step("preview again", "add_events_bulk", { events })
    expect(again.events.filter((e) => e.action === "update")).toHaveLength(9)
    await step("write again", "add_events_bulk", { events, dry_run: false, token: again.token })
    expect(await calendar()).toBe(before + 10)
    expect((await step("undo the rewrite", "undo_last_write", {})).undone).toBe(true)
    expect((await step("undo the write", "undo_last_write", {})).undone).toBe(true)
    expect(await calendar()).toBe(before)
    console.log(`three-week plan on the demo athlete, characters of each answer: ${sizes.join(", ")}`)
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
