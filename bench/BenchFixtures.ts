/**
 * The fixed data set the answer-size figures are measured on, the one the old server's figures were taken on: 30
 * activities, 30 wellness days, one activity with 12 intervals and 14 events (one a day from tomorrow), all made from
 * the real samples (re-dated and re-numbered, values unchanged).
 */
import { addDays, type Fixtures, makeFixtures, POWER_RIDE_ID } from "../test/fake/Fixtures.js"

export const benchFixtures = (now: Date = new Date()): Fixtures => {
  const base = makeFixtures(now)
  const real = base.activities.filter((a) => a.source !== "STRAVA" && a.name)
  const activities = Array.from({ length: 30 }, (_, i) => {
    const a = real[i % real.length]
    const day = addDays(base.today, -i)
    return {
      ...a,
      id: i === 0 ? POWER_RIDE_ID : `i8100${String(i).padStart(4, "0")}`,
      start_date_local: `${day}${String(a.start_date_local).slice(10)}`
    }
  })
  const ride = base.intervals.get(POWER_RIDE_ID)
  const intervals = new Map(base.intervals)
  intervals.set(POWER_RIDE_ID, {
    ...ride,
    icu_intervals: Array.from({ length: 12 }, (_, i) => ({
      ...ride.icu_intervals[i % ride.icu_intervals.length],
      id: i + 1,
      start_time: i * 300,
      end_time: i * 300 + 290
    }))
  })
  const wellness = base.wellness.filter((w) => w.id > addDays(base.today, -30)).slice(-30)
  const events = Array.from({ length: 14 }, (_, i) => {
    const e = base.events[i % base.events.length]
    return {
      ...e,
      id: 60_000 + i,
      start_date_local: `${addDays(base.today, 1 + i)}T00:00:00`,
      end_date_local: `${addDays(base.today, 2 + i)}T00:00:00`
    }
  })
  return { ...base, activities, intervals, wellness, events }
}
