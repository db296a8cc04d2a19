/**
 * Data for the fake Intervals.icu, made from the real (anonymized) samples copied into `test/fixtures/samples`,
 * re-dated around "today" in the athlete's timezone so that default windows find something. Additions the samples lack
 * are marked: a Strava stub, non-ASCII names, an unnamed activity, a power ride with intervals.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import type { Dataset } from "../../src/demo/InMemoryIntervals.js"

export const SAMPLES = join(import.meta.dirname, "../fixtures/samples")

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any

const sample = (name: string): Json => JSON.parse(readFileSync(join(SAMPLES, name), "utf8"))

export const ATHLETE_ID = "i123456"
export const API_KEY = "fake-intervals-key-7f3a9c"
/** UTC+14 all year: the athlete's date differs from the server's UTC date for most of the day. */
export const TIMEZONE = "Pacific/Kiritimati"

export const STRAVA_ID = "16358453283"
export const POWER_RIDE_ID = "i170317118"
export const UNNAMED_ID = "i90000099"

export const localToday = (timezone: string, now: Date = new Date()): string =>
  new Intl.DateTimeFormat("en-CA", { timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit" })
    .format(now)

export const addDays = (date: string, days: number): string => {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

const dayDiff = (a: string, b: string) =>
  Math.round((Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / 86_400_000)

/** Moves a local date-time string by a number of days, keeping the time of day. */
const shift = (value: string | null | undefined, days: number): string | null | undefined =>
  typeof value === "string" && /^\d{4}-\d{2}-\d{2}/.test(value) ? addDays(value.slice(0, 10), days) + value.slice(10) : value

export type Fixtures = Dataset

export const makeFixtures = (now: Date = new Date()): Fixtures => {
  const today = localToday(TIMEZONE, now)

  const athlete = { ...sample("athlete.json"), id: ATHLETE_ID, timezone: TIMEZONE }

  // 21 real activities, the newest moved to yesterday; ids made unique Intervals-style ids.
  const list: Array<Json> = sample("activities-list.json")
  const newest = list.map((a) => a.start_date_local.slice(0, 10)).sort().at(-1)!
  const activityShift = dayDiff(addDays(today, -1), newest)
  const activities: Array<Json> = list.map((a, index) => ({
    ...a,
    id: `i9000${String(index + 1).padStart(4, "0")}`,
    icu_athlete_id: ATHLETE_ID,
    start_date_local: shift(a.start_date_local, activityShift),
    start_date: shift(a.start_date, activityShift)
  }))
  // Non-ASCII names, as real athletes write them.
  activities[0] = { ...activities[0], name: "Sortie vélo — Col de la Croix-de-Fer ⛰️", description: "Jambes lourdes; 🥵" }
  activities[1] = { ...activities[1], name: "Утренний бег" }
  // An activity nobody named.
  activities.push({ ...activities[5], id: UNNAMED_ID, name: null, start_date_local: `${addDays(today, -3)}T12:00:00` })

  // A real power ride with its intervals (trimmed sample), today early in the morning.
  const pair = sample("activity-event-pair-power.json")
  const { icu_intervals: powerIntervals, ...powerRide } = pair.activity
  activities.push({
    ...powerRide,
    start_date_local: `${today}T06:23:10`,
    start_date: `${addDays(today, -1)}T16:23:10Z`,
    source: "GARMIN_CONNECT",
    distance: 36210.5,
    icu_average_watts: 201,
    icu_weighted_avg_watts: 228,
    icu_joules: 828_321,
    icu_intensity: 78.6,
    average_heartrate: 133,
    max_heartrate: 162,
    average_speed: 8.787,
    device_name: null,
    calories: null,
    paired_event_id: 123780516
  })

  // An activity imported from Strava: the API returns only this stub.
  activities.push({ ...sample("activity-strava-stub.json"), start_date_local: `${addDays(today, -2)}T19:21:15` })

  const intervalsSample = sample("activity-intervals.json")
  const intervals = new Map<string, Json>(
    activities.filter((a) => a.source !== "STRAVA").map((a) => [a.id, { ...intervalsSample, id: a.id }])
  )
  intervals.set(POWER_RIDE_ID, {
    id: POWER_RIDE_ID,
    analyzed: "2026-07-29T08:01:02",
    icu_intervals: powerIntervals.map((i: Json, index: number) => ({
      id: index + 1,
      ...i,
      end_time: i.start_time + i.elapsed_time,
      type: i.average_watts >= 240 ? "WORK" : "RECOVERY",
      weighted_average_watts: i.average_watts + 6,
      distance: Math.round(i.moving_time * 8.5),
      intensity: Math.round((i.average_watts / 290) * 100),
      zone: i.average_watts >= 240 ? 3 : 1
    })),
    icu_groups: [{ id: "721s@259w86rpm", count: 3, moving_time: 721, average_watts: 259, average_heartrate: 145 }]
  })

  // 32 real wellness days, the newest moved to today.
  const wellnessList: Array<Json> = sample("wellness-list.json")
  const newestDay = wellnessList.map((w) => w.id).sort().at(-1)!
  const wellnessShift = dayDiff(today, newestDay)
  const wellness = wellnessList.map((w) => ({ ...w, id: addDays(w.id, wellnessShift) }))

  // Events: two real workouts, a race, a note, and the planned workout the power ride completed.
  const workouts: Array<Json> = sample("events-workouts.json")
  const firstWorkoutDay = workouts.map((e) => e.start_date_local.slice(0, 10)).sort()[0]!
  const eventShift = dayDiff(addDays(today, 2), firstWorkoutDay)
  const note = sample("event-note-create-response.json")[0]
  const events: Array<Json> = [
    ...workouts.map((e, index) => ({
      ...e,
      id: 50001 + index,
      athlete_id: ATHLETE_ID,
      name: index === 0 ? "Récupération active — Zone 2" : e.name,
      start_date_local: shift(e.start_date_local, eventShift),
      end_date_local: shift(e.end_date_local, eventShift)
    })),
    {
      ...sample("event-race.json"),
      id: 50010,
      start_date_local: `${addDays(today, 20)}T00:00:00`,
      end_date_local: `${addDays(today, 21)}T00:00:00`
    },
    {
      ...note,
      id: 50020,
      athlete_id: ATHLETE_ID,
      name: "Travel — no bike",
      description: "Flight to Lyon",
      start_date_local: `${addDays(today, 5)}T00:00:00`,
      end_date_local: `${addDays(today, 6)}T00:00:00`
    },
    {
      ...pair.event,
      start_date_local: `${today}T00:00:00`,
      end_date_local: `${addDays(today, 1)}T00:00:00`,
      description: "- Warm-up 12m 160w-205w\n\n3x\n- SST — hold cadence 85 plus 12m 255w-275w\n- Recovery 4m 160w\n\n" +
        "- Cooldown 10m 145w",
      paired_activity_id: POWER_RIDE_ID
    }
  ]

  const streamSamples: Array<Json> = sample("activity-streams.json")
  const streams = () => streamSamples
  const messages = new Map<string, Array<Json>>([[POWER_RIDE_ID, [{
    id: 801,
    athlete_id: "i42",
    name: "Coach Sam",
    created: `${today}T08:15:00Z`,
    type: "TEXT",
    content: "Solid reps — rep 2 a bit hot, keep the first one honest next time.",
    deleted: null
  }]]])
  const customItems: Array<Json> = [
    {
      id: 9101,
      athlete_id: ATHLETE_ID,
      type: "ACTIVITY_FIELD",
      visibility: "PRIVATE",
      name: "Efficiency (W/bpm)",
      description: "Average power over average heart rate",
      content: { code: "icu_average_watts / average_heartrate", units: "W/bpm" },
      usage_count: 0,
      index: 0,
      updated: "2026-10-01T10:00:00"
    },
    {
      id: 9102,
      athlete_id: ATHLETE_ID,
      type: "FITNESS_CHART",
      visibility: "PUBLIC",
      name: "Ramp rate",
      description: null,
      content: { series: [{ field: "rampRate" }] },
      usage_count: 3,
      index: 1,
      updated: "2026-09-12T10:00:00"
    }
  ]
  // Two real-shaped power curve sets: a date range, and a 42-day window with fitted models; the window is answered
  // when asked for, the range otherwise.
  const powerCurveSample = sample("power-curves.json")
  const modelSample = sample("power-curves-models.json")
  const powerCurves = (query: Readonly<Record<string, string>>) =>
    (query["curves"] ?? "").split(",").includes("42d") ? modelSample : powerCurveSample
  const paceCurveSample = sample("pace-curves.json")
  const paceCurves = () => paceCurveSample
  // COMPOSED: the spec documents only the forecast's places (`Forecast {id, provider, location, label, lat, lon,
  // enabled}`); the daily rows follow the OpenWeather "daily" shape its provider field names. Values invented.
  const weather = {
    forecasts: [{
      id: 1,
      provider: "OPEN_WEATHER",
      location: "Annecy, FR",
      label: "Home",
      lat: 45.9,
      lon: 6.12,
      enabled: true,
      daily: Array.from({ length: 7 }, (_, i) => ({
        // Noon of the local day, as OpenWeather's daily rows put it (the fake's athlete lives at UTC+14).
        dt: Math.floor(Date.parse(`${addDays(today, i)}T12:00:00+14:00`) / 1000),
        temp: { min: 3 + i, max: 11 + i, day: 9 + i },
        feels_like: { day: 7 + i },
        wind_speed: 2.5 + i,
        wind_gust: 7 + i,
        wind_deg: 200 + i * 10,
        pop: i % 3 === 0 ? 0.8 : 0.1,
        rain: i % 3 === 0 ? 4.2 : 0,
        clouds: 40 + i * 5,
        weather: [{ main: i % 3 === 0 ? "Rain" : "Clouds", description: i % 3 === 0 ? "moderate rain" : "broken clouds" }]
      }))
    }]
  }
  const gear: Array<Json> = sample("gear-list.json")
  const folders: Array<Json> = sample("folders.json").map((folder: Json) => ({
    ...folder,
    athlete_id: ATHLETE_ID,
    children: (folder.children ?? []).map((w: Json) => ({ ...w, athlete_id: ATHLETE_ID, folder_id: folder.id }))
  }))

  return {
    today,
    athlete,
    activities,
    intervals,
    wellness,
    events,
    streams,
    messages,
    customItems,
    powerCurves,
    paceCurves,
    gear,
    weather,
    folders
  }
}

export const COACHED_ID = "i654321"

/**
 * An athlete who shares their data with the fake key's owner: the same real samples under another athlete id, with
 * activity ids of their own (so that an activity belongs to exactly one athlete).
 */
export const makeCoachedFixtures = (now: Date = new Date()): Fixtures => {
  const base = makeFixtures(now)
  const remap = (id: string) => id.replace(/^i9/, "i8")
  const activities = base.activities.map((a) => ({ ...a, id: remap(a.id), icu_athlete_id: COACHED_ID }))
  return {
    ...base,
    athlete: { ...base.athlete, id: COACHED_ID, name: "Coached Rider", firstname: "Coached", lastname: "Rider" },
    activities,
    intervals: new Map([...base.intervals].map(([id, dto]) => [remap(id), { ...dto, id: remap(id) }])),
    events: base.events.map((e) => ({ ...e, id: Number(e.id) + 1_000_000, athlete_id: COACHED_ID })),
    messages: new Map()
  }
}
