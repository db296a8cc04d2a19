/**
 * The built-in demo athlete: a triathlete's last 16 weeks and next three, generated from a fixed seed around today
 * in the athlete's timezone, so that every default window finds data and two runs on one day give the same answers.
 *
 * Everything is derived, not invented twice: each activity is synthesised second by second from what was planned
 * (the planned workout's text, read by the same reader Intervals.icu's stand-in uses), and its summary, intervals,
 * zone times, load and best efforts are computed from those streams; daily fitness (CTL) and fatigue (ATL) follow
 * from the activities' load; power curves are the best efforts of the activities in a window; planned load comes
 * from the workout estimator. Streams are made again on demand (they are large); the rest is made once.
 */
import { estimateWorkout, stepIntensity, type Thresholds } from "../domain/WorkoutEstimate.js"
import { parseWorkoutText, type TextStep, workoutDocOf } from "../domain/WorkoutText.js"
import {
  addDays,
  bestAverages,
  bestTimes,
  CURVE_METRES,
  CURVE_SECS,
  curveEnvelope,
  familyOf as family,
  paceModel,
  powerModel,
  round,
  weekday
} from "./Analytics.js"
import { DEMO_ATHLETE_ID, DEMO_TIMEZONE } from "./DemoIdentity.js"
import { curveWindow, type Dataset, type Json, type SharedAthlete } from "./InMemoryIntervals.js"

export { addDays, bestAverages, CURVE_SECS }

export { DEMO_ATHLETE_ID, DEMO_TIMEZONE }
const WEEKS = 16
const PLANNED_DAYS = 21

// ---------------------------------------------------------------------------------------------------------------
// The athlete's thresholds

const WEIGHT = 68
const REST_HR = 47
const RIDE = {
  ftp: 255,
  indoorFtp: 248,
  wPrime: 19_800,
  pMax: 960,
  lthr: 166,
  maxHr: 187,
  hrZones: [137, 150, 158, 165, 171, 178, 187],
  powerZones: [55, 75, 90, 105, 120, 150, 999]
}
const RUN = {
  lthr: 172,
  maxHr: 191,
  hrZones: [143, 156, 164, 171, 177, 184, 191],
  /** 4:10 /km. */
  thresholdPace: 4.0,
  paceZones: [77.5, 87.7, 94.3, 100, 103.4, 111.5, 999]
}
const SWIM = {
  lthr: 158,
  maxHr: 176,
  hrZones: [128, 140, 148, 157, 163, 169, 176],
  /** 1:25 /100m. */
  thresholdPace: 1.176,
  paceZones: [77.5, 87.7, 94.3, 100, 103.4, 111.5, 999]
}

const POWER_ZONE_NAMES = ["Active Recovery", "Endurance", "Tempo", "Threshold", "VO2 Max", "Anaerobic", "Neuromuscular"]
const HR_ZONE_NAMES = ["Recovery", "Aerobic", "Tempo", "SubThreshold", "SuperThreshold", "Aerobic Capacity", "Anaerobic"]
const PACE_ZONE_NAMES = ["Zone 1", "Zone 2", "Zone 3", "Zone 4", "Zone 5a", "Zone 5b", "Zone 5c"]

type Sport = "Ride" | "VirtualRide" | "Run" | "Swim" | "WeightTraining"

const thresholdsFor = (sport: Sport): Thresholds =>
  sport === "Ride" || sport === "VirtualRide"
    ? {
      ftp: sport === "VirtualRide" ? RIDE.indoorFtp : RIDE.ftp,
      lthr: RIDE.lthr,
      maxHr: RIDE.maxHr,
      restHr: REST_HR,
      powerZones: RIDE.powerZones,
      hrZones: RIDE.hrZones
    }
    : sport === "Run"
    ? { lthr: RUN.lthr, maxHr: RUN.maxHr, restHr: REST_HR, hrZones: RUN.hrZones, thresholdPace: RUN.thresholdPace, paceZones: RUN.paceZones }
    : sport === "Swim"
    ? { lthr: SWIM.lthr, maxHr: SWIM.maxHr, restHr: REST_HR, hrZones: SWIM.hrZones, thresholdPace: SWIM.thresholdPace, paceZones: SWIM.paceZones }
    : { lthr: RIDE.lthr, maxHr: RIDE.maxHr, restHr: REST_HR, hrZones: RIDE.hrZones }

// ---------------------------------------------------------------------------------------------------------------
// Determinism: a small seeded generator, and dates in the athlete's zone

const generator = (seed: number) => {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    between: (low: number, high: number) => low + (high - low) * next(),
    int: (low: number, high: number) => Math.floor(low + (high - low + 1) * next()),
    /** Roughly normal, mean 0, standard deviation 1. */
    normal: () => (next() + next() + next() + next() - 2) * 1.732,
    chance: (p: number) => next() < p,
    pick: <A>(values: ReadonlyArray<A>): A => values[Math.floor(next() * values.length)]!
  }
}
type Random = ReturnType<typeof generator>

/**
 * Per-second noise for the streams: a table of normal deviates made once from a fixed seed and read from an offset
 * that depends on the activity (hundreds of thousands of samples make a generator call per sample too slow).
 */
let noiseTable: Float64Array | undefined
const noiseFrom = (seed: number) => {
  if (noiseTable === undefined) {
    const random = generator(424_242)
    noiseTable = Float64Array.from({ length: 1 << 16 }, random.normal)
  }
  const table = noiseTable
  let at = Math.imul(seed, 2_654_435_761) >>> 16
  return () => table[(at = (at + 40_503) & 0xffff)]!
}

export const localToday = (timezone: string, now: Date): string =>
  new Intl.DateTimeFormat("en-CA", { timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now)


const formatters = new Map<string, Intl.DateTimeFormat>()

/** The UTC instant (`…Z`) of a local date-time in `timezone`. */
const utcOf = (local: string, timezone: string): string => {
  const guess = Date.parse(`${local}Z`)
  let format = formatters.get(timezone)
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-CA", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit"
    })
    formatters.set(timezone, format)
  }
  const parts = format.formatToParts(new Date(guess))
  const get = (type: string) => parts.find((part) => part.type === type)!.value
  const shown = Date.parse(`${get("year")}-${get("month")}-${get("day")}T${get("hour")}:${get("minute")}:${get("second")}Z`)
  return new Date(guess - (shown - guess)).toISOString().replace(/\.\d{3}Z$/, "Z")
}


const clockText = (seconds: number) => {
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = Math.round(seconds % 60)
  return `${h > 0 ? `${h}h` : ""}${m > 0 ? `${m}m` : ""}${s > 0 || seconds === 0 ? `${s}s` : ""}`
}

/** Whole minutes as workout text (`3h15m`, `45m`). */
const minutes = (total: number) => clockText(Math.round(total) * 60)

// ---------------------------------------------------------------------------------------------------------------
// The plan: what each day holds, written as Intervals.icu workout text

interface PlannedSession {
  readonly sport: Sport
  readonly name: string
  /** Local start time, HH:MM. */
  readonly time: string
  readonly text: string
  readonly outdoor: boolean
  /** Sprints added on the road (not in the plan). */
  readonly sprints?: number
  readonly tags?: ReadonlyArray<string>
}

const BIKE_SESSIONS = [
  {
    name: "Threshold 4×8",
    text: (v: number) =>
      `Warmup\n- 15m ramp 50-75%\n\nMain Set 4x\n- 8m 95-100%\n- 4m 55%\n\n- ${minutes(10 * v)} 65-70%\n\nCooldown\n- 10m 50%`
  },
  {
    name: "VO2max 5×4",
    text: (v: number) =>
      `Warmup\n- 15m ramp 50-75%\n- 3m 85%\n- 3m 55%\n\nMain Set 5x\n- 4m 112-118%\n- 4m 50%\n\n- ${minutes(8 * v)} 65%\n\nCooldown\n- 10m 50%`
  },
  {
    name: "Sweet spot 3×12",
    text: (v: number) =>
      `Warmup\n- 12m ramp 50-75%\n\nMain Set 3x\n- 12m 88-93% 85-95rpm\n- 5m 55%\n\n- ${minutes(10 * v)} 68%\n\nCooldown\n- 8m 50%`
  },
  {
    name: "Over-unders 6×(2+2)",
    text: (v: number) =>
      `Warmup\n- 15m ramp 50-75%\n\nMain Set 6x\n- 2m 106-110%\n- 2m 90-94%\n\n- 8m 55%\n- ${minutes(12 * v)} 68%\n\nCooldown\n- 10m 50%`
  },
  {
    name: "Threshold 2×20",
    text: (v: number) =>
      `Warmup\n- 15m ramp 50-75%\n\nMain Set 2x\n- 20m 96-100%\n- 8m 55%\n\n- ${minutes(6 * v)} 65%\n\nCooldown\n- 10m 50%`
  }
] as const

/** The planned sessions of a day, by weekday, week of the training cycle and volume. */
const plannedFor = (date: string, weekNumber: number, random: Random): Array<PlannedSession> => {
  const phase = ((weekNumber % 4) + 4) % 4
  const recovery = phase === 3
  const volume = (0.9 + 0.1 * ((weekNumber + WEEKS) / WEEKS)) * [1, 1.07, 1.14, 0.7][phase]!
  const sessions: Array<PlannedSession> = []
  switch (weekday(date)) {
    case 1:
      sessions.push({
        sport: "Swim",
        name: "Swim technique",
        time: "12:15",
        outdoor: false,
        text: `Warmup\n- 400mtr 70-78% Pace\n\nDrills 6x\n- 50mtr 70% Pace\n- 15s\n\nMain Set ${recovery ? 5 : 8}x\n` +
          `- 100mtr 88-92% Pace\n- 20s\n\nCooldown\n- 200mtr 65-70% Pace`
      })
      break
    case 2: {
      const session = BIKE_SESSIONS[((weekNumber % BIKE_SESSIONS.length) + BIKE_SESSIONS.length) % BIKE_SESSIONS.length]!
      sessions.push(
        recovery
          ? {
            sport: "VirtualRide",
            name: "Endurance spin",
            time: "18:30",
            outdoor: false,
            text: `Warmup\n- 10m ramp 45-60%\n\n- ${minutes(45 * volume / 0.7)} 62-70% 90-95rpm\n\nCooldown\n- 5m 50%`
          }
          : {
            sport: "VirtualRide",
            name: session.name,
            time: "18:30",
            outdoor: false,
            text: session.text(volume),
            tags: ["intervals", session.name.split(" ")[0]!.toLowerCase()]
          }
      )
      break
    }
    case 3:
      sessions.push({
        sport: "Run",
        name: "Easy run",
        time: "07:00",
        outdoor: true,
        text: `- ${minutes((recovery ? 35 : 45) * Math.min(volume, 1.1))} Z2 HR`
      })
      break
    case 4:
      sessions.push({
        sport: "Swim",
        name: "Swim CSS",
        time: "06:30",
        outdoor: false,
        text: `Warmup\n- 300mtr 70-78% Pace\n\nMain Set ${recovery ? 6 : 10}x\n` +
          `- 100mtr 100-104% Pace\n- 15s\n\nCooldown\n- 200mtr 65-70% Pace`
      }, {
        sport: "WeightTraining",
        name: "Strength — maintenance",
        time: "18:00",
        outdoor: false,
        text: "- Squats and lunges 15m\n- Core circuit 15m\n- Mobility 10m"
      })
      break
    case 6: {
      const hours = (recovery ? 2 : 2.6 + random.between(-0.15, 0.25)) * Math.min(volume, 1.15)
      sessions.push({
        sport: "Ride",
        name: recovery ? "Easy endurance ride" : "Long ride",
        time: "09:00",
        outdoor: true,
        tags: ["endurance"],
        sprints: recovery ? 0 : random.int(3, 6),
        text: recovery
          ? `- ${minutes(hours * 60)} 58-68%`
          : `- ${minutes(hours * 30 - 25)} 60-70%\n\nTempo 2x\n- 20m 82-88%\n- 10m 60-65%\n\n- ${minutes(hours * 30 - 35)} 60-70%`
      })
      break
    }
    case 7:
      sessions.push(
        weekNumber % 2 === 0 && !recovery
          ? {
            sport: "Run",
            name: "Tempo run 3×10",
            time: "09:30",
            outdoor: true,
            tags: ["intervals", "tempo"],
            text: "Warmup\n- 15m 70-78% Pace\n\nMain Set 3x\n- 10m 95-100% Pace\n- 3m 65-70% Pace\n\nCooldown\n- 10m 65-72% Pace"
          }
          : {
            sport: "Run",
            name: "Long run",
            time: "09:30",
            outdoor: true,
            text: `- ${minutes((recovery ? 60 : 80) * Math.min(volume, 1.15))} 72-80% Pace`
          }
      )
      break
  }
  return sessions
}

// ---------------------------------------------------------------------------------------------------------------
// Synthesis: an activity, second by second, from the plan

interface Segment {
  readonly seconds?: number
  readonly metres?: number
  /** Fraction of threshold, start and end (a ramp changes between them). */
  readonly from: number
  readonly to: number
  readonly work: boolean
  readonly label?: string
  readonly cadence?: number
}

/** The steps of a workout as segments, repeats unrolled; a step with no target is rest (in water) or easy. */
const segmentsOf = (steps: ReadonlyArray<TextStep>, sport: Sport): Array<Segment> =>
  steps.flatMap((step): Array<Segment> => {
    if (step.steps !== undefined) {
      const inner = segmentsOf(step.steps, sport)
      return Array.from({ length: step.reps ?? 1 }, () => inner).flat()
    }
    const { kind, range } = stepIntensity(step, thresholdsFor(sport))
    const rest = kind === undefined
    const [low, high] = sport === "Swim" && rest ? [0, 0] : range
    const middle = (low + high) / 2
    return [{
      ...(step.duration !== undefined ? { seconds: step.duration } : {}),
      ...(step.distance !== undefined ? { metres: step.distance } : {}),
      from: step.ramp ? low : middle,
      to: step.ramp ? high : middle,
      // Efforts, and steady blocks of 20 minutes or more, are work; the easy stretches between them are recovery.
      work: !rest && (middle >= (sport === "Swim" ? 0.85 : 0.8) || (!step.ramp && (step.duration ?? 0) >= 1200 && middle >= 0.55)),
      ...(step.text !== undefined ? { label: step.text } : {}),
      ...(step.cadence?.start !== undefined ? { cadence: (step.cadence.start + (step.cadence.end ?? step.cadence.start)) / 2 } : {})
    }]
  })

interface Streams {
  readonly time: Array<number>
  readonly watts?: Array<number>
  readonly heartrate: Array<number>
  readonly cadence?: Array<number>
  readonly velocity: Array<number>
  readonly distance: Array<number>
  readonly altitude?: Array<number>
  /** Index of the first sample of each segment. */
  readonly marks: Array<number>
  /** Seconds stopped (elapsed − moving). */
  readonly stopped: number
}

/** The inverse of the heart-rate intensity the estimator uses: (HR − rest) / (LTHR − rest). */
const heartRateFor = (fraction: number, lthr: number, maxHr: number) =>
  Math.min(maxHr - 2, REST_HR + (lthr - REST_HR) * fraction)

const terrain = (x: number) => 38 * Math.sin(x / 3100) + 22 * Math.sin(x / 1150 + 1) + 9 * Math.sin(x / 430 + 2)

/**
 * Speed on a bike from power and gradient (rider and bike 76 kg, CdA 0.32 m², Crr 0.004), by Newton's method from the
 * previous second's speed, which is always close.
 */
const bikeSpeed = (watts: number, gradient: number, previous: number) => {
  const mass = 76
  const resist = mass * 9.81 * (0.004 + gradient)
  let v = previous
  for (let i = 0; i < 3; i++) {
    const f = 0.5 * 1.2 * 0.32 * v ** 3 + resist * v - watts
    const df = 1.5 * 1.2 * 0.32 * v ** 2 + resist
    v = Math.min(20, Math.max(1.5, v - f / df))
  }
  return v
}

const synthesise = (session: PlannedSession, seed: number, execution: number): Streams => {
  const random = generator(seed)
  const noise = noiseFrom(seed)
  const sport = session.sport
  const settings = thresholdsFor(sport)
  const segments = segmentsOf(parseWorkoutText(session.text).steps, sport)
  const isBike = sport === "Ride" || sport === "VirtualRide"
  const threshold = isBike ? settings.ftp! : settings.thresholdPace ?? 1
  const time: Array<number> = []
  const heartrate: Array<number> = []
  const velocity: Array<number> = []
  const distance: Array<number> = []
  const watts: Array<number> = []
  const cadence: Array<number> = []
  const altitude: Array<number> = []
  const marks: Array<number> = []
  let hr = REST_HR + 25
  let x = 0
  let clock = 0
  let stopped = 0
  let slow = 0
  let lastSpeed = 8
  // Sprints on the road: short maximal efforts at random points of a long ride.
  const total = segments.reduce((n, s) => n + (s.seconds ?? 0), 0)
  const sprinting = new Uint8Array(total + 1)
  for (let i = 0; i < (session.sprints ?? 0); i++) {
    const at = Math.floor(random.between(0.15, 0.9) * total)
    sprinting.fill(1, at, Math.min(total, at + 12))
  }
  const stopAt = session.outdoor && isBike && total > 7200 ? Math.floor(total * 0.55) : -1
  let elapsedWork = 0
  for (const [index, segment] of segments.entries()) {
    marks.push(time.length)
    const rep = 1 + random.normal() * 0.015
    const planned = segment.seconds ?? Infinity
    const metres = segment.metres
    let covered = 0
    for (let s = 0; s < planned; s++) {
      if (metres !== undefined && covered >= metres) break
      if (elapsedWork === stopAt) {
        // A café stop: the clock runs, nothing is recorded.
        const pause = random.int(480, 900)
        clock += pause
        stopped += pause
      }
      const progress = planned === Infinity ? Math.min(1, covered / (metres ?? 1)) : s / planned
      slow += (noise() * 0.02 - slow) * 0.05
      const fade = segment.work ? -0.02 * (index / segments.length) : 0
      let fraction = (segment.from + (segment.to - segment.from) * progress) * execution * rep + slow + fade
      if (fraction < 0.02) fraction = 0
      const gradient = session.outdoor ? (terrain(x + 5) - terrain(x)) / 5 : 0
      let v: number
      if (isBike) {
        let p = fraction * threshold * (1 + noise() * 0.05) * (1 + Math.max(-0.6, Math.min(0.6, gradient * 6)))
        const sprint = sprinting[elapsedWork] === 1
        if (sprint) p = RIDE.pMax * (0.86 + noise() * 0.04)
        if (session.outdoor && gradient < -0.035 && noise() > -0.5) p = 0
        p = Math.max(0, Math.round(p))
        watts.push(p)
        cadence.push(p === 0 ? 0 : Math.round((segment.cadence ?? 88) + noise() * 3 + (sprint ? 18 : 0)))
        v = bikeSpeed(p, session.outdoor ? gradient : 0, lastSpeed)
      } else if (sport === "Run") {
        v = fraction * threshold * (1 + noise() * 0.025) * (1 - gradient * 4)
        cadence.push(Math.round(164 + 18 * fraction + noise() * 2))
      } else if (sport === "Swim") {
        v = fraction * threshold * (1 + noise() * 0.03)
      } else {
        v = 0
      }
      v = Math.max(0, v)
      lastSpeed = Math.max(1.5, v)
      // Heart rate follows the effort with a lag, and drifts up over a long effort.
      const effort = sport === "WeightTraining" ? 0.45 + 0.25 * Math.abs(Math.sin(s / 40)) : fraction
      const target = heartRateFor(effort, settings.lthr!, settings.maxHr!) + elapsedWork / 600 * 0.6
      hr += (target - hr) / (target > hr ? 22 : 38)
      heartrate.push(Math.round(hr + noise()))
      x += v
      covered += v
      velocity.push(round(v, 3))
      distance.push(round(x, 1))
      if (session.outdoor) altitude.push(round(12 + 60 + terrain(x), 1))
      time.push(clock)
      clock++
      elapsedWork++
    }
  }
  return {
    time,
    heartrate,
    velocity,
    distance,
    marks,
    stopped,
    ...(isBike ? { watts, cadence } : {}),
    ...(sport === "Run" ? { cadence } : {}),
    ...(session.outdoor ? { altitude } : {})
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Figures from streams

const mean = (values: ArrayLike<number>, from = 0, to = values.length) => {
  let sum = 0
  for (let i = from; i < to; i++) sum += values[i]!
  return to > from ? sum / (to - from) : 0
}

const maxOf = (values: ArrayLike<number>, from = 0, to = values.length) => {
  let best = -Infinity
  for (let i = from; i < to; i++) if (values[i]! > best) best = values[i]!
  return best
}

/** Normalized power: the 4th root of the mean 4th power of the 30 s rolling average. */
const normalized = (watts: ArrayLike<number>, from = 0, to = watts.length) => {
  if (to - from < 30) return mean(watts, from, to)
  let window = 0
  let sum = 0
  let count = 0
  for (let i = from; i < to; i++) {
    window += watts[i]!
    if (i - from >= 30) window -= watts[i - 30]!
    if (i - from >= 29) {
      sum += (window / 30) ** 4
      count++
    }
  }
  return (sum / count) ** 0.25
}

/** Seconds in each zone, for upper bounds (the last zone takes the rest). */
const zoneTimes = (values: ArrayLike<number>, bounds: ReadonlyArray<number>) => {
  const secs = bounds.map(() => 0)
  const last = bounds.length - 1
  for (let i = 0; i < values.length; i++) {
    let zone = 0
    while (zone < last && values[i]! > bounds[zone]!) zone++
    secs[zone]!++
  }
  return secs
}

const SWIM_METRES = [50, 100, 200, 400, 800, 1500]

// ---------------------------------------------------------------------------------------------------------------
// The data set

interface Made {
  readonly activity: Json
  readonly session: PlannedSession
  readonly seed: number
  readonly execution: number
  readonly best: { readonly watts?: Array<number | null>; readonly hr: Array<number | null>; readonly pace?: Array<number | null> }
}

const STRAVA_NOTE = "STRAVA activities are not available via the API"

const GEAR = {
  bike: { id: "b1001", name: "Canyon Endurace CF 7", base: 8_412_000 },
  trainer: { id: "b1002", name: "Indoor trainer bike", base: 1_950_000 },
  shoes: { id: "g1003", name: "Pegasus 41", base: 212_000 },
  chain: { id: "g1004", name: "Chain (Ultegra)", base: 1_830_000 },
  oldShoes: { id: "g1005", name: "Ghost 15 (retired)", base: 804_000 }
}


/** Who a generated athlete is: the demo athlete (the key's owner), or the teammate who shares with them. */
interface Variant {
  readonly number: number
  readonly id: string
  readonly name: string
  readonly firstname: string
  readonly sex: string
}

const OWNER: Variant = { number: 0, id: DEMO_ATHLETE_ID, name: "Demo Athlete", firstname: "Demo", sex: "F" }
const TEAMMATE: Variant = { number: 1, id: "i424243", name: "Demo Teammate", firstname: "Demo", sex: "M" }

export const makeDemoDataset = (now: Date = new Date(), variant: Variant = OWNER): Dataset => {
  const DEMO_ATHLETE_ID = variant.id
  const today = localToday(DEMO_TIMEZONE, now)
  const random = generator(20_260_101 + variant.number * 7919)
  const mondayToday = addDays(today, 1 - weekday(today))
  const weekNumberOf = (date: string) =>
    Math.floor((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${mondayToday}T00:00:00Z`)) / (7 * 86_400_000))

  const made: Array<Made> = []
  const events: Array<Json> = []
  const intervals = new Map<string, Json>()
  let activityNumber = 0
  let eventNumber = 0
  const stubs = new Set([-12, -40, -75])

  const eventOf = (date: string, session: PlannedSession, id: number): Json => {
    const doc = workoutDocOf(session.text)
    const estimate = estimateWorkout(doc.steps, thresholdsFor(session.sport))
    return {
      id,
      start_date_local: `${date}T00:00:00`,
      end_date_local: `${addDays(date, 1)}T00:00:00`,
      category: "WORKOUT",
      type: session.sport,
      name: session.name,
      description: session.text,
      indoor: !session.outdoor,
      color: null,
      moving_time: estimate.duration,
      distance: estimate.distance > 0 ? estimate.distance : null,
      icu_training_load: estimate.load,
      icu_intensity: estimate.intensity,
      joules: session.sport === "Ride" || session.sport === "VirtualRide"
        ? Math.round(estimate.intensity / 100 * thresholdsFor(session.sport).ftp! * estimate.duration * 0.95)
        : null,
      athlete_id: DEMO_ATHLETE_ID,
      tags: session.tags ?? null,
      workout_doc: {
        ...doc,
        zoneTimes: estimate.zoneSeconds.map((secs, i) => ({ id: `Z${i + 1}`, secs })),
        duration: estimate.duration
      },
      paired_activity_id: null,
      external_id: null,
      calendar_id: 1,
      uid: `demo-${id}`,
      updated: `${addDays(date, -7)}T20:00:00`
    }
  }

  const makeActivity = (date: string, session: PlannedSession, dayOffset: number): Made => {
    const seed = 1_000 + dayOffset * 7 + activityNumber + variant.number * 100_000
    const execution = 1 + random.normal() * 0.02
    const streams = synthesise(session, seed, execution)
    activityNumber++
    const id = `i${170_000_000 + variant.number * 10_000_000 + (dayOffset + 200) * 10 + (activityNumber % 10)}`
    const sport = session.sport
    const settings = thresholdsFor(sport)
    // In the pool, the rests between repeats are not moving time.
    const moving = sport === "Swim" ? streams.velocity.filter((v) => v > 0).length : streams.time.length
    const elapsed = streams.time.length + streams.stopped
    const hours = moving / 3600
    const local = `${date}T${session.time}:${String(random.int(0, 59)).padStart(2, "0")}`
    const avgHr = mean(streams.heartrate)
    const dist = streams.distance.at(-1) ?? 0
    const isBike = streams.watts !== undefined
    const np = isBike ? normalized(streams.watts!) : undefined
    const avgWatts = isBike ? mean(streams.watts!) : undefined
    const ifactor = isBike ? np! / settings.ftp! : Math.sqrt(mean(streams.velocity.map((v) => (v / (settings.thresholdPace ?? 1)) ** 2)))
    const hrLoad = round(hours * ((avgHr - REST_HR) / (settings.lthr! - REST_HR)) ** 2 * 100)
    const powerLoad = isBike ? round(hours * ifactor ** 2 * 100) : undefined
    const paceLoad = sport === "Run" ? round(hours * ifactor ** 2 * 100) : sport === "Swim" ? round(hours * ifactor ** 3 * 100) : undefined
    const load = powerLoad ?? paceLoad ?? hrLoad
    let gain = 0
    let loss = 0
    if (streams.altitude) {
      for (let i = 1; i < streams.altitude.length; i++) {
        const d = streams.altitude[i]! - streams.altitude[i - 1]!
        if (d > 0) gain += d
        else loss -= d
      }
    }
    const half = Math.floor(moving / 2)
    const efficiency = (from: number, to: number) =>
      (isBike ? normalized(streams.watts!, from, to) : mean(streams.velocity, from, to)) / mean(streams.heartrate, from, to)
    const decoupling = moving > 1800 && sport !== "Swim" && sport !== "WeightTraining"
      ? round((1 - efficiency(half, moving) / efficiency(0, half)) * 100, 1)
      : null
    const hrZoneTimes = zoneTimes(streams.heartrate, settings.hrZones!)
    const three = [hrZoneTimes[0]! + hrZoneTimes[1]!, hrZoneTimes[2]! + hrZoneTimes[3]!, hrZoneTimes.slice(4).reduce((a, b) => a + b, 0)]
    const polarization = three[0]! > 0 && three[1]! > 0 && three[2]! > 0
      ? round(Math.log10((three[0]! / moving) / (three[1]! / moving) * (three[2]! / moving) * 100), 2)
      : null
    const joules = isBike ? Math.round(avgWatts! * moving) : null
    const gear = sport === "Ride" ? GEAR.bike : sport === "VirtualRide" ? GEAR.trainer : sport === "Run" ? GEAR.shoes : undefined

    // Intervals: one per segment, except that easy stretches between work intervals are recoveries.
    const marks = [...streams.marks, moving]
    const segments = segmentsOf(parseWorkoutText(session.text).steps, sport)
    const list: Array<Json> = []
    for (let i = 0; i < streams.marks.length; i++) {
      const from = marks[i]!
      const to = marks[i + 1]!
      if (to - from < 5) continue
      const segment = segments[i]!
      const watts = isBike ? streams.watts! : undefined
      const avgW = watts ? Math.round(mean(watts, from, to)) : null
      const npW = watts ? Math.round(normalized(watts, from, to)) : null
      const cadence = streams.cadence ? Math.round(mean(streams.cadence, from, to)) : null
      const duration = to - from
      const speed = mean(streams.velocity, from, to)
      list.push({
        id: list.length + 1,
        type: segment.work ? "WORK" : "RECOVERY",
        label: segment.label ?? null,
        group_id: segment.work
          ? (isBike ? `${duration}s@${avgW}w${cadence}rpm` : `${duration}s@${round(speed, 1)}mps`)
          : null,
        start_index: from,
        end_index: to - 1,
        start_time: streams.time[from]!,
        end_time: streams.time[to - 1]! + 1,
        moving_time: duration,
        elapsed_time: streams.time[to - 1]! + 1 - streams.time[from]!,
        distance: round(streams.distance[to - 1]! - (from > 0 ? streams.distance[from - 1]! : 0), 1),
        average_watts: avgW,
        weighted_average_watts: npW,
        max_watts: watts ? maxOf(watts, from, to) : null,
        average_watts_kg: avgW !== null ? round(avgW / WEIGHT, 2) : null,
        intensity: npW !== null ? Math.round((npW / settings.ftp!) * 100) : Math.round(speed / (settings.thresholdPace ?? 1) * 100),
        zone: npW !== null
          ? 1 + Math.max(0, RIDE.powerZones.findIndex((bound) => (npW / settings.ftp!) * 100 <= bound))
          : 1 + Math.max(0, settings.hrZones!.findIndex((bound) => mean(streams.heartrate, from, to) <= bound)),
        training_load: round(duration / 3600 * (npW !== null ? (npW / settings.ftp!) ** 2 : (speed / (settings.thresholdPace ?? 1)) ** 2) * 100, 1),
        joules: watts ? Math.round(mean(watts, from, to) * duration) : null,
        average_heartrate: Math.round(mean(streams.heartrate, from, to)),
        max_heartrate: maxOf(streams.heartrate, from, to),
        average_cadence: cadence,
        average_speed: round(speed, 3),
        max_speed: round(maxOf(streams.velocity, from, to), 3),
        total_elevation_gain: null,
        average_gradient: null,
        decoupling: null
      })
    }
    const work = list.filter((interval) => interval.type === "WORK")
    const groups = new Map<string, Array<Json>>()
    for (const interval of work) {
      const key = `${Math.round(interval.moving_time / 10) * 10}`
      groups.set(key, [...(groups.get(key) ?? []), interval])
    }
    const icuGroups = [...groups.values()].map((members) => {
      const avg = (key: string) => {
        const values = members.map((m) => m[key]).filter((v): v is number => typeof v === "number")
        return values.length === 0 ? null : Math.round(mean(values))
      }
      return {
        id: members[0]!.group_id,
        count: members.length,
        moving_time: avg("moving_time"),
        elapsed_time: avg("elapsed_time"),
        distance: avg("distance"),
        average_watts: avg("average_watts"),
        weighted_average_watts: avg("weighted_average_watts"),
        average_heartrate: avg("average_heartrate"),
        average_speed: members.length === 0 ? null : round(mean(members.map((m) => m.average_speed)), 3),
        intensity: avg("intensity")
      }
    })
    intervals.set(id, { id, analyzed: `${date}T${session.time}:00`, icu_intervals: list, icu_groups: icuGroups })

    const summary = icuGroups.map((g) =>
      `${g.count}x ${clockText(g.moving_time ?? 0)} ${g.average_watts !== null ? `${g.average_watts}w` : `${g.average_heartrate}bpm`}`
    )
    const activity: Json = {
      id,
      icu_athlete_id: DEMO_ATHLETE_ID,
      start_date_local: local,
      start_date: utcOf(local, DEMO_TIMEZONE),
      timezone: DEMO_TIMEZONE,
      type: sport,
      name: session.name,
      description: null,
      source: sport === "VirtualRide" ? "OAUTH_CLIENT" : "GARMIN_CONNECT",
      oauth_client_name: sport === "VirtualRide" ? "Zwift" : null,
      device_name: sport === "VirtualRide" ? "Zwift" : sport === "Ride" ? "Garmin Edge 840" : "Garmin Forerunner 965",
      file_type: "fit",
      external_id: null,
      distance: sport === "WeightTraining" ? null : round(dist, 1),
      icu_distance: sport === "WeightTraining" ? null : round(dist, 1),
      moving_time: moving,
      elapsed_time: elapsed,
      icu_recording_time: moving,
      total_elevation_gain: streams.altitude ? Math.round(gain) : null,
      total_elevation_loss: streams.altitude ? Math.round(loss) : null,
      average_speed: sport === "WeightTraining" ? null : round(dist / moving, 3),
      max_speed: sport === "WeightTraining" ? null : round(maxOf(streams.velocity), 3),
      pace: sport === "WeightTraining" ? null : round(dist / moving, 3),
      has_heartrate: true,
      average_heartrate: Math.round(avgHr),
      max_heartrate: maxOf(streams.heartrate),
      athlete_max_hr: settings.maxHr,
      lthr: settings.lthr,
      icu_resting_hr: REST_HR,
      icu_hr_zones: settings.hrZones,
      icu_hr_zone_times: hrZoneTimes,
      average_cadence: streams.cadence ? Math.round(mean(streams.cadence.filter((c) => c > 0))) : null,
      icu_average_watts: avgWatts !== undefined ? Math.round(avgWatts) : null,
      icu_weighted_avg_watts: np !== undefined ? Math.round(np) : null,
      device_watts: isBike ? true : null,
      power_meter: sport === "Ride" ? "Favero Assioma Duo" : sport === "VirtualRide" ? "Wahoo KICKR" : null,
      avg_lr_balance: sport === "Ride" ? round(49.2 + random.normal() * 0.6, 1) : null,
      icu_ftp: isBike ? settings.ftp : null,
      icu_w_prime: isBike ? RIDE.wPrime : null,
      p_max: isBike ? RIDE.pMax : null,
      icu_power_zones: isBike ? RIDE.powerZones : null,
      icu_zone_times: isBike
        ? [
          ...zoneTimes(streams.watts!, RIDE.powerZones.map((b) => (b / 100) * settings.ftp!)).map((secs, i) => ({ id: `Z${i + 1}`, secs })),
          { id: "SS", secs: streams.watts!.filter((w) => w >= 0.84 * settings.ftp! && w <= 0.97 * settings.ftp!).length }
        ]
        : null,
      threshold_pace: settings.thresholdPace ?? null,
      pace_zones: sport === "Run" || sport === "Swim" ? settings.paceZones : null,
      pace_zone_times: sport === "Run" || sport === "Swim"
        ? zoneTimes(streams.velocity.map((v) => (v / settings.thresholdPace!) * 100), settings.paceZones!)
        : null,
      icu_intensity: round(ifactor * 100, 2),
      icu_variability_index: isBike ? round(np! / avgWatts!, 2) : null,
      icu_efficiency_factor: isBike ? round(np! / avgHr, 2) : null,
      icu_power_hr: isBike ? round(avgWatts! / avgHr, 2) : null,
      decoupling,
      polarization_index: polarization,
      icu_training_load: load,
      power_load: powerLoad ?? null,
      hr_load: hrLoad,
      hr_load_type: "HRSS",
      pace_load: paceLoad ?? null,
      pace_load_type: sport === "Run" ? "RUN" : sport === "Swim" ? "SWIM" : null,
      icu_joules: joules,
      icu_joules_above_ftp: isBike ? Math.round(streams.watts!.reduce((sum, w) => sum + Math.max(0, w - settings.ftp!), 0)) : null,
      calories: Math.round(joules !== null ? joules / 1000 * 1.05 : sport === "WeightTraining" ? moving / 60 * 6 : dist / 1000 * WEIGHT * (sport === "Swim" ? 2.5 : 1.0)),
      trimp: round(hours * 60 * ((avgHr - REST_HR) / (settings.maxHr! - REST_HR)) * 0.64 * Math.exp(1.92 * ((avgHr - REST_HR) / (settings.maxHr! - REST_HR))), 1),
      icu_rpe: Math.min(10, Math.max(2, Math.round(ifactor * 8 + random.normal() * 0.6))),
      feel: random.pick([1, 2, 2, 2, 3, 3]),
      trainer: !session.outdoor && sport !== "Swim" && sport !== "WeightTraining",
      commute: false,
      race: false,
      icu_weight: WEIGHT,
      interval_summary: summary.length > 0 ? summary : [`1x ${clockText(moving)} ${Math.round(avgHr)}bpm`],
      stream_types: ["time", "heartrate", "distance", "velocity_smooth", ...(isBike ? ["watts", "cadence"] : []), ...(sport === "Run" ? ["cadence"] : []), ...(streams.altitude ? ["altitude"] : [])],
      average_stride: sport === "Run" && streams.cadence ? round((dist / moving) * 60 / mean(streams.cadence), 2) : null,
      pool_length: sport === "Swim" ? 25 : null,
      lengths: sport === "Swim" ? Math.round(dist / 25) : null,
      average_temp: session.outdoor ? round(14 + random.normal() * 3, 1) : sport === "Swim" ? 27.5 : 21,
      min_temp: session.outdoor ? 9 : null,
      max_temp: session.outdoor ? 21 : null,
      average_weather_temp: session.outdoor ? round(13 + random.normal() * 3, 1) : null,
      average_wind_speed: session.outdoor ? round(3 + random.next() * 4, 1) : null,
      prevailing_wind_deg: session.outdoor ? random.int(180, 290) : null,
      average_clouds: session.outdoor ? random.int(20, 90) : null,
      max_rain: session.outdoor ? round(random.chance(0.3) ? random.between(0.2, 3) : 0, 1) : null,
      weather_description: session.outdoor ? random.pick(["Partly cloudy", "Overcast", "Sunny spells", "Light showers"]) : null,
      gear: gear === undefined ? null : { id: gear.id, name: gear.name, distance: null, primary: true },
      tags: session.tags ?? null,
      paired_event_id: null,
      compliance: null,
      icu_ctl: null,
      icu_atl: null,
      icu_lap_count: list.length,
      analyzed: `${date}T${session.time}:00`
    }
    const best = {
      hr: bestAverages(streams.heartrate, CURVE_SECS).map((v) => (v === null ? null : Math.round(v))),
      ...(isBike ? { watts: bestAverages(streams.watts!, CURVE_SECS).map((v) => (v === null ? null : Math.round(v))) } : {}),
      ...(sport === "Run" ? { pace: bestTimes(streams.distance, CURVE_METRES) } : {}),
      ...(sport === "Swim" ? { pace: bestTimes(streams.distance, SWIM_METRES) } : {})
    }
    return { activity, session, seed, execution, best }
  }

  // Past weeks: what was planned, and what was done (most of it).
  for (let offset = -(WEEKS * 7 - 1); offset < PLANNED_DAYS; offset++) {
    const date = addDays(today, offset)
    const weekNumber = weekNumberOf(date)
    const sessions = plannedFor(date, weekNumber, random)
    if (weekday(date) === 5 && offset < 0 && random.chance(0.3)) {
      // An unplanned easy spin on a Friday.
      const spin = {
        sport: "VirtualRide" as const,
        name: "Easy spin",
        time: "17:45",
        outdoor: false,
        text: `- ${minutes(random.int(40, 60))} 55-65%`
      }
      made.push(makeActivity(date, spin, offset))
    }
    if (stubs.has(offset)) {
      made.push({
        activity: {
          id: String(16_358_453_283 + offset),
          source: "STRAVA",
          _note: STRAVA_NOTE,
          start_date_local: `${date}T17:20:${String(random.int(10, 59))}`
        },
        session: { sport: "Ride", name: "", time: "17:20", text: "", outdoor: true },
        seed: 0,
        execution: 1,
        best: { hr: [] }
      })
    }
    for (const session of sessions) {
      const event = eventOf(date, session, 80_001 + eventNumber++)
      events.push(event)
      if (offset >= 0) continue
      // About one planned session in fourteen is missed (never in the last ten days, which a demo shows first).
      if (random.chance(0.07) && offset < -10) continue
      const done = makeActivity(date, session, offset)
      done.activity.paired_event_id = event.id
      done.activity.compliance = round(Math.min(120, (done.activity.icu_training_load / Math.max(1, event.icu_training_load)) * 100), 1)
      event.paired_activity_id = done.activity.id
      made.push(done)
    }
  }
  const activities = made.map((m) => m.activity).sort((a, b) => a.start_date_local.localeCompare(b.start_date_local))

  // Daily fitness and fatigue from the activities' load (Intervals.icu's 42- and 7-day exponential averages).
  const loadByDay = new Map<string, number>()
  for (const a of activities) {
    if (a.icu_training_load == null) continue
    const day = a.start_date_local.slice(0, 10)
    loadByDay.set(day, (loadByDay.get(day) ?? 0) + a.icu_training_load)
  }
  const wellness: Array<Json> = []
  let ctl = 41
  let atl = 38
  const ctlByDay = new Map<string, number>()
  const wellnessRandom = generator(7_7_2026)
  let weight = WEIGHT + 0.8
  for (let offset = -(WEEKS * 7 - 1); offset <= 0; offset++) {
    const date = addDays(today, offset)
    const load = loadByDay.get(date) ?? 0
    ctl = ctl + (load - ctl) * (1 - Math.exp(-1 / 42))
    atl = atl + (load - atl) * (1 - Math.exp(-1 / 7))
    ctlByDay.set(date, ctl)
    const form = ctl - atl
    weight += (WEIGHT - weight) * 0.02 + wellnessRandom.normal() * 0.15
    const tired = Math.max(0, -form) / 20
    const entered = wellnessRandom.chance(0.75)
    const scale = (base: number) => Math.max(1, Math.min(4, Math.round(base + wellnessRandom.normal() * 0.5)))
    wellness.push({
      id: date,
      ctl: round(ctl, 4),
      atl: round(atl, 4),
      rampRate: round(ctl - (ctlByDay.get(addDays(date, -7)) ?? ctl), 4),
      ctlLoad: load,
      atlLoad: load,
      sportInfo: [{ type: "Ride", eftp: round(RIDE.ftp * (0.95 + 0.05 * (offset + 111) / 111), 1), wPrime: RIDE.wPrime, pMax: RIDE.pMax }],
      updated: `${date}T07:12:00`,
      weight: wellnessRandom.chance(0.6) ? round(weight, 1) : null,
      restingHR: Math.round(REST_HR + tired * 4 + wellnessRandom.normal() * 1.5),
      hrv: round(68 - tired * 12 + wellnessRandom.normal() * 5, 1),
      hrvSDNN: null,
      menstrualPhase: null,
      menstrualPhasePredicted: null,
      kcalConsumed: null,
      sleepSecs: Math.round((7.4 + wellnessRandom.normal() * 0.6) * 3600 / 60) * 60,
      sleepScore: Math.round(82 - tired * 8 + wellnessRandom.normal() * 5),
      sleepQuality: entered ? scale(1.8 + tired) : null,
      avgSleepingHR: Math.round(REST_HR + 4 + tired * 3 + wellnessRandom.normal()),
      soreness: entered ? scale(1.4 + tired * 1.5) : null,
      fatigue: entered ? scale(1.5 + tired * 1.8) : null,
      stress: entered ? scale(1.7) : null,
      mood: entered ? scale(1.6 + tired * 0.6) : null,
      motivation: entered ? scale(1.5 + tired * 0.8) : null,
      injury: entered ? (offset > -30 && offset < -24 ? 2 : 1) : null,
      spO2: round(97 + wellnessRandom.normal() * 0.7, 0),
      systolic: null,
      diastolic: null,
      hydration: null,
      hydrationVolume: null,
      readiness: Math.round(70 - tired * 25 + wellnessRandom.normal() * 6),
      baevskySI: null,
      bloodGlucose: null,
      lactate: null,
      bodyFat: null,
      abdomen: null,
      vo2max: 56,
      comments: offset > -30 && offset < -24 ? "Left calf a bit tight" : offset === -3 ? "Slept badly, noisy hotel" : null,
      steps: Math.round(9_000 + wellnessRandom.normal() * 2_500),
      respiration: round(14.5 + wellnessRandom.normal() * 0.6, 1),
      carbohydrates: null,
      protein: null,
      fatTotal: null,
      locked: null,
      tempWeight: false,
      tempRestingHR: false
    })
  }
  const wellnessByDay = new Map(wellness.map((w) => [w.id as string, w]))
  for (const a of activities) {
    const w = wellnessByDay.get(a.start_date_local.slice(0, 10))
    if (w !== undefined && a.source !== "STRAVA") {
      a.icu_ctl = round(w.ctl, 4)
      a.icu_atl = round(w.atl, 4)
    }
  }

  // Notes and races around the plan.
  const saturdayIn = (days: number) => {
    const date = addDays(today, days)
    return addDays(date, 6 - weekday(date))
  }
  const calendarItem = (id: number, date: string, fields: Json): Json => ({
    id,
    start_date_local: `${date}T00:00:00`,
    end_date_local: `${addDays(date, 1)}T00:00:00`,
    athlete_id: DEMO_ATHLETE_ID,
    color: null,
    tags: null,
    indoor: false,
    moving_time: null,
    distance: null,
    icu_training_load: null,
    icu_intensity: null,
    joules: null,
    workout_doc: null,
    paired_activity_id: null,
    external_id: null,
    calendar_id: 1,
    uid: `demo-${id}`,
    updated: `${addDays(today, -20)}T20:00:00`,
    ...fields
  })
  const raceDay = saturdayIn(35)
  events.push(
    calendarItem(89_001, raceDay, {
      category: "RACE_A",
      type: "Ride",
      name: "Gran Fondo Limburg",
      description: "A race of the season: 162 km, 1,850 m of climbing. Goal: under 5h30.",
      distance: 162_000,
      moving_time: 19_800,
      icu_training_load: 285
    }),
    calendarItem(89_002, addDays(saturdayIn(14), 1), {
      category: "RACE_C",
      type: "Run",
      name: "Utrecht 10K",
      description: "Tune-up race, run by feel.",
      distance: 10_000,
      moving_time: 2_520,
      icu_training_load: 62
    }),
    calendarItem(89_003, addDays(today, 9), {
      category: "NOTE",
      type: null,
      name: "Travel to Girona",
      description: "Flight at 14:05; bike in the box the night before.",
      color: "#ff8800"
    }),
    calendarItem(89_004, addDays(today, -18), {
      category: "NOTE",
      type: null,
      name: "Bike service",
      description: "New chain and cassette, bar tape."
    }),
    calendarItem(89_005, addDays(raceDay, -6), {
      category: "NOTE",
      type: null,
      name: "Race week",
      description: "Taper: keep the intensity, halve the volume."
    })
  )
  events.sort((a, b) => a.start_date_local.localeCompare(b.start_date_local) || a.id - b.id)

  // Gear: lifetime totals from a starting mileage plus the activities that used it.
  const used = (gearId: string, key: "distance" | "moving_time") =>
    activities.filter((a) => a.gear?.id === gearId).reduce((sum, a) => sum + (a[key] ?? 0), 0)
  const count = (gearId: string) => activities.filter((a) => a.gear?.id === gearId).length
  const bikeDistance = GEAR.bike.base + used(GEAR.bike.id, "distance")
  const chainDistance = used(GEAR.bike.id, "distance") + 1_200_000
  const gear: Array<Json> = [
    {
      id: GEAR.bike.id,
      athlete_id: DEMO_ATHLETE_ID,
      type: "Bike",
      name: GEAR.bike.name,
      purchased: "2023-03-18",
      notes: "Size 54, 34/50 × 11-34",
      distance: round(bikeDistance, 1),
      time: 1_042_000 + used(GEAR.bike.id, "moving_time"),
      activities: 412 + count(GEAR.bike.id),
      use_elapsed_time: false,
      retired: null,
      component_ids: [GEAR.chain.id],
      reminders: [{
        id: 31,
        name: "Replace chain",
        distance: 3_000_000,
        time: null,
        days: null,
        percent_used: round((chainDistance / 3_000_000) * 100, 1),
        snoozed: false
      }],
      activity_filters: null,
      component: false
    },
    {
      id: GEAR.trainer.id,
      athlete_id: DEMO_ATHLETE_ID,
      type: "Bike",
      name: GEAR.trainer.name,
      purchased: "2021-11-02",
      notes: null,
      distance: round(GEAR.trainer.base + used(GEAR.trainer.id, "distance"), 1),
      time: 240_000 + used(GEAR.trainer.id, "moving_time"),
      activities: 96 + count(GEAR.trainer.id),
      use_elapsed_time: false,
      retired: null,
      component_ids: [],
      reminders: [],
      activity_filters: null,
      component: false
    },
    {
      id: GEAR.shoes.id,
      athlete_id: DEMO_ATHLETE_ID,
      type: "Shoes",
      name: GEAR.shoes.name,
      purchased: addDays(today, -160),
      notes: null,
      distance: round(GEAR.shoes.base + used(GEAR.shoes.id, "distance"), 1),
      time: 62_000 + used(GEAR.shoes.id, "moving_time"),
      activities: 18 + count(GEAR.shoes.id),
      use_elapsed_time: false,
      retired: null,
      component_ids: [],
      reminders: [{
        id: 32,
        name: "Replace shoes",
        distance: 800_000,
        time: null,
        days: null,
        percent_used: round(((GEAR.shoes.base + used(GEAR.shoes.id, "distance")) / 800_000) * 100, 1),
        snoozed: false
      }],
      activity_filters: null,
      component: false
    },
    {
      id: GEAR.chain.id,
      athlete_id: DEMO_ATHLETE_ID,
      type: "Chain",
      name: GEAR.chain.name,
      purchased: addDays(today, -18),
      notes: null,
      distance: round(chainDistance, 1),
      time: null,
      activities: count(GEAR.bike.id),
      use_elapsed_time: false,
      retired: null,
      component_ids: [],
      reminders: [],
      activity_filters: null,
      component: true
    },
    {
      id: GEAR.oldShoes.id,
      athlete_id: DEMO_ATHLETE_ID,
      type: "Shoes",
      name: GEAR.oldShoes.name,
      purchased: "2024-09-01",
      notes: "Worn out",
      distance: GEAR.oldShoes.base,
      time: 241_000,
      activities: 94,
      use_elapsed_time: false,
      retired: addDays(today, -161),
      component_ids: [],
      reminders: [],
      activity_filters: null,
      component: false
    }
  ]
  for (const a of activities) if (a.gear) a.gear.distance = gear.find((g) => g.id === a.gear.id)?.distance ?? null

  const bySeed = new Map(made.filter((m) => m.seed > 0).map((m) => [m.activity.id as string, m]))

  const windowOf = (id: string) => curveWindow(id, today)

  const trainerFilter = (filters: string | undefined): boolean | undefined => {
    if (!filters) return undefined
    try {
      const parsed = JSON.parse(filters) as Array<{ field_id?: string; value?: Array<unknown> }>
      const trainer = parsed.find((f) => f.field_id === "trainer")
      return typeof trainer?.value?.[0] === "boolean" ? trainer.value[0] : undefined
    } catch {
      return undefined
    }
  }

  const powerCurves = (query: Readonly<Record<string, string>>): Json => {
    const type = family(query["type"] ?? "Ride")
    const trainer = trainerFilter(query["filters"])
    const used = new Map<string, Json>()
    const list = (query["curves"] ?? "90d").split(",").flatMap((curveId) => {
      const window = windowOf(curveId)
      if (window === undefined) return []
      const inWindow = [...bySeed.values()].filter((m) => {
        const day = m.activity.start_date_local.slice(0, 10)
        return family(m.activity.type) === type && day >= window.start && day <= window.end && m.best.watts !== undefined &&
          (trainer === undefined || m.activity.trainer === trainer)
      })
      const values = CURVE_SECS.map(() => null as number | null)
      const ids = CURVE_SECS.map(() => null as string | null)
      for (const m of inWindow) {
        m.best.watts!.forEach((watts, i) => {
          if (watts !== null && (values[i] === null || watts > values[i]!)) {
            values[i] = watts
            ids[i] = m.activity.id
          }
        })
      }
      for (const id of ids) {
        const a = id === null ? undefined : bySeed.get(id)?.activity
        if (a !== undefined) {
          used.set(a.id, { id: a.id, name: a.name, start_date_local: a.start_date_local, type: a.type, race: false, icu_weight: WEIGHT })
        }
      }
      return [{
        ...curveEnvelope(curveId, window, inWindow.map((m) => m.activity)),
        weight: WEIGHT,
        secs: CURVE_SECS,
        values,
        watts_per_kg: values.map((w) => (w === null ? null : round(w / WEIGHT, 2))),
        activity_id: ids,
        after_kj: 0,
        powerModels: [powerModel(CURVE_SECS, values)].filter((model) => model !== undefined)
      }]
    })
    return { list, activities: Object.fromEntries(used) }
  }

  /** Heart-rate (best average bpm per duration) or pace (best time per distance) curves from the same bests. */
  const otherCurves = (kind: "hr" | "pace") => (query: Readonly<Record<string, string>>): Json => {
    const type = family(query["type"] ?? (kind === "pace" ? "Run" : "Ride"))
    const axis = kind === "hr" ? CURVE_SECS : CURVE_METRES
    const used = new Map<string, Json>()
    const list = (query["curves"] ?? "90d").split(",").flatMap((curveId) => {
      const window = windowOf(curveId)
      if (window === undefined) return []
      const inWindow = [...bySeed.values()].filter((m) => {
        const day = m.activity.start_date_local.slice(0, 10)
        return family(m.activity.type) === type && day >= window.start && day <= window.end &&
          (kind === "hr" || m.best.pace !== undefined)
      })
      const values: Array<number | null> = axis.map(() => null)
      const ids: Array<string | null> = axis.map(() => null)
      for (const m of inWindow) {
        const bests = kind === "hr" ? m.best.hr : m.best.pace!
        bests.forEach((value, i) => {
          if (value === null || i >= axis.length) return
          if (values[i] === null || (kind === "hr" ? value > values[i]! : value < values[i]!)) {
            values[i] = value
            ids[i] = m.activity.id
            used.set(m.activity.id, { id: m.activity.id, name: m.activity.name, start_date_local: m.activity.start_date_local, type: m.activity.type })
          }
        })
      }
      return [{
        ...curveEnvelope(curveId, window, inWindow.map((m) => m.activity)),
        weight: WEIGHT,
        ...(kind === "hr" ? { secs: CURVE_SECS } : { distance: CURVE_METRES, type: "PACE" }),
        values,
        activity_id: ids,
        ...(kind === "pace" ? { paceModels: [paceModel(CURVE_METRES, values)].filter((model) => model !== undefined) } : {})
      }]
    })
    return { list, activities: Object.fromEntries(used) }
  }

  // The forecast for the athlete's two configured places, the next seven days (OpenWeather-style daily rows).
  const weatherRandom = generator(31_337 + variant.number)
  const daily = (base: number) =>
    Array.from({ length: 7 }, (_, i) => {
      const date = addDays(today, i)
      const rain = weatherRandom.chance(0.35) ? round(weatherRandom.between(0.5, 9), 1) : 0
      const max = round(base + weatherRandom.normal() * 2.5, 1)
      const wind = round(2 + weatherRandom.next() * 8, 1)
      const clouds = rain > 0 ? weatherRandom.int(60, 100) : weatherRandom.int(5, 90)
      const sky = clouds < 25 ? "clear sky" : clouds < 60 ? "scattered clouds" : "overcast clouds"
      return {
        dt: Math.floor(Date.parse(`${date}T12:00:00Z`) / 1000),
        date,
        temp: { min: round(max - 6 - weatherRandom.next() * 3, 1), max, day: round(max - 1, 1) },
        feels_like: { day: round(max - 1 - wind / 3, 1) },
        wind_speed: wind,
        wind_gust: round(wind * (1.4 + weatherRandom.next() * 0.6), 1),
        wind_deg: weatherRandom.int(150, 300),
        pop: rain > 0 ? round(0.4 + weatherRandom.next() * 0.5, 2) : round(weatherRandom.next() * 0.2, 2),
        rain,
        clouds,
        weather: [{
          main: rain > 0 ? "Rain" : clouds < 25 ? "Clear" : "Clouds",
          description: rain > 2 ? "moderate rain" : rain > 0 ? "light rain" : sky
        }]
      }
    })
  const weather = {
    forecasts: [
      { id: 1, provider: "OPEN_WEATHER", location: "Utrecht, NL", label: "Home", lat: 52.09, lon: 5.12, enabled: true, daily: daily(8) },
      { id: 2, provider: "OPEN_WEATHER", location: "Girona, ES", label: "Training camp", lat: 41.98, lon: 2.82, enabled: true, daily: daily(15) }
    ]
  }

  const streams = (activityId: string): ReadonlyArray<Json> => {
    const m = bySeed.get(activityId)
    if (m === undefined) return []
    const s = synthesise(m.session, m.seed, m.execution)
    const stream = (type: string, data: ReadonlyArray<number>) => ({
      type,
      name: null,
      data,
      valueType: Number.isInteger(data[0] ?? 0) && type !== "velocity_smooth" && type !== "distance" && type !== "altitude" ? "java.lang.Integer" : "java.lang.Float",
      valueTypeIsArray: false,
      anomalies: null,
      custom: false,
      allNull: false
    })
    return [
      stream("time", s.time),
      stream("heartrate", s.heartrate),
      stream("distance", s.distance),
      stream("velocity_smooth", s.velocity),
      ...(s.watts ? [stream("watts", s.watts)] : []),
      ...(s.cadence ? [stream("cadence", s.cadence)] : []),
      ...(s.altitude ? [stream("altitude", s.altitude)] : [])
    ]
  }

  const longRide = [...activities].reverse().find((a) => a.name === "Long ride")
  const lastIntervals = [...activities].reverse().find((a) => a.type === "VirtualRide" && a.paired_event_id && a.name !== "Endurance spin")
  const messages = new Map<string, Array<Json>>()
  if (lastIntervals) {
    messages.set(lastIntervals.id, [{
      id: 901,
      athlete_id: "i424200",
      name: "Coach Lena",
      created: `${lastIntervals.start_date_local.slice(0, 10)}T21:04:00Z`,
      type: "TEXT",
      content: "Good control on the reps. Keep the recoveries really easy so the last one stays on target.",
      deleted: null
    }])
  }
  if (longRide) {
    messages.set(longRide.id, [{
      id: 902,
      athlete_id: DEMO_ATHLETE_ID,
      name: "Demo Athlete",
      created: `${longRide.start_date_local.slice(0, 10)}T15:30:00Z`,
      type: "TEXT",
      content: "Windy on the dyke; legs fine after the café stop.",
      deleted: null
    }])
  }

  const sportSettings = [
    {
      id: 501,
      athlete_id: DEMO_ATHLETE_ID,
      types: ["Ride", "VirtualRide", "GravelRide", "MountainBikeRide"],
      warmup_time: 1200,
      cooldown_time: 600,
      ftp: RIDE.ftp,
      indoor_ftp: RIDE.indoorFtp,
      w_prime: RIDE.wPrime,
      p_max: RIDE.pMax,
      power_zones: RIDE.powerZones,
      power_zone_names: POWER_ZONE_NAMES,
      sweet_spot_min: 84,
      sweet_spot_max: 97,
      lthr: RIDE.lthr,
      max_hr: RIDE.maxHr,
      hr_zones: RIDE.hrZones,
      hr_zone_names: HR_ZONE_NAMES,
      hr_load_type: "HRSS",
      threshold_pace: null,
      pace_units: null,
      pace_zones: null,
      pace_zone_names: null,
      load_order: "POWER_HR_PACE",
      eFTPSupported: true,
      other: false
    },
    {
      id: 502,
      athlete_id: DEMO_ATHLETE_ID,
      types: ["Run", "VirtualRun", "TrailRun"],
      warmup_time: 600,
      cooldown_time: 300,
      ftp: null,
      indoor_ftp: null,
      w_prime: null,
      p_max: null,
      power_zones: null,
      power_zone_names: null,
      lthr: RUN.lthr,
      max_hr: RUN.maxHr,
      hr_zones: RUN.hrZones,
      hr_zone_names: HR_ZONE_NAMES,
      hr_load_type: "HRSS",
      threshold_pace: RUN.thresholdPace,
      pace_units: "MINS_KM",
      pace_zones: RUN.paceZones,
      pace_zone_names: PACE_ZONE_NAMES,
      pace_load_type: "RUN",
      best_effort_distances: [400, 800, 1500, 1609.34, 3000, 5000, 10000, 21097.5, 42195],
      load_order: "PACE_HR_POWER",
      eFTPSupported: false,
      other: false
    },
    {
      id: 503,
      athlete_id: DEMO_ATHLETE_ID,
      types: ["Swim", "OpenWaterSwim"],
      warmup_time: 300,
      cooldown_time: 300,
      ftp: null,
      indoor_ftp: null,
      w_prime: null,
      p_max: null,
      power_zones: null,
      power_zone_names: null,
      lthr: SWIM.lthr,
      max_hr: SWIM.maxHr,
      hr_zones: SWIM.hrZones,
      hr_zone_names: HR_ZONE_NAMES,
      hr_load_type: "HRSS",
      threshold_pace: SWIM.thresholdPace,
      pace_units: "SECS_100M",
      pace_zones: SWIM.paceZones,
      pace_zone_names: PACE_ZONE_NAMES,
      pace_load_type: "SWIM",
      best_effort_distances: [50, 100, 200, 400, 800, 1500, 3800],
      load_order: "PACE_HR_POWER",
      eFTPSupported: false,
      other: false
    },
    {
      id: 504,
      athlete_id: DEMO_ATHLETE_ID,
      types: ["WeightTraining", "Other"],
      warmup_time: 0,
      cooldown_time: 0,
      ftp: null,
      indoor_ftp: null,
      w_prime: null,
      p_max: null,
      power_zones: null,
      lthr: RIDE.lthr,
      max_hr: RIDE.maxHr,
      hr_zones: RIDE.hrZones,
      hr_zone_names: HR_ZONE_NAMES,
      hr_load_type: "HRSS",
      threshold_pace: null,
      pace_units: null,
      pace_zones: null,
      load_order: "HR_POWER_PACE",
      eFTPSupported: false,
      other: true
    }
  ]

  const athlete = {
    id: DEMO_ATHLETE_ID,
    name: variant.name,
    firstname: variant.firstname,
    lastname: variant.name.split(" ").at(-1),
    sex: variant.sex,
    city: "Utrecht",
    state: "Utrecht",
    country: "Netherlands",
    timezone: DEMO_TIMEZONE,
    locale: "en",
    measurement_preference: "meters",
    fahrenheit: false,
    weight: WEIGHT,
    icu_weight: WEIGHT,
    icu_resting_hr: REST_HR,
    icu_date_of_birth: "1991-04-12",
    bio: "Built-in demo athlete of intervals-mcp: generated data, not a real person.",
    email: null,
    visibility: "PRIVATE",
    plan: "premium",
    icu_activated: "2023-01-09T10:00:00",
    sportSettings
  }

  const customItems: Array<Json> = [
    {
      id: 9201,
      athlete_id: DEMO_ATHLETE_ID,
      type: "ACTIVITY_FIELD",
      visibility: "PRIVATE",
      name: "Watts per heartbeat",
      description: "Average power over average heart rate",
      content: { code: "icu_average_watts / average_heartrate", units: "W/bpm" },
      usage_count: 0,
      index: 0,
      updated: `${addDays(today, -40)}T10:00:00`
    },
    {
      id: 9202,
      athlete_id: DEMO_ATHLETE_ID,
      type: "FITNESS_CHART",
      visibility: "PRIVATE",
      name: "Ramp rate",
      description: null,
      content: { series: [{ field: "rampRate" }] },
      usage_count: 2,
      index: 1,
      updated: `${addDays(today, -60)}T10:00:00`
    }
  ]

  // The workout library: the key bike sessions and two runs in a folder, and an empty plan.
  let libraryId = 880_001
  const libraryWorkout = (folder: number, type: Sport, name: string, text: string, tags: Array<string>) => {
    const doc = workoutDocOf(text)
    const estimate = estimateWorkout(parseWorkoutText(text).steps, thresholdsFor(type))
    return {
      id: libraryId++,
      athlete_id: DEMO_ATHLETE_ID,
      folder_id: folder,
      name,
      description: text,
      type,
      indoor: type === "VirtualRide",
      moving_time: estimate.duration,
      icu_training_load: estimate.load,
      icu_intensity: estimate.intensity,
      workout_doc: doc,
      tags,
      updated: `${addDays(today, -30)}T10:00:00`
    }
  }
  const folders: Array<Json> = [
    {
      id: 77_001,
      athlete_id: DEMO_ATHLETE_ID,
      type: "FOLDER",
      name: "Key sessions",
      description: "The workouts this athlete repeats through the season",
      visibility: "PRIVATE",
      children: [
        ...BIKE_SESSIONS.map((s) => libraryWorkout(77_001, "VirtualRide", s.name, s.text(1), ["intervals"])),
        libraryWorkout(77_001, "Run", "Tempo run 3×10", "Warmup\n- 15m 70-78% Pace\n\nMain Set 3x\n- 10m 95-100% Pace\n- 3m 65-70% Pace\n\nCooldown\n- 10m 65-72% Pace", ["tempo"]),
        libraryWorkout(77_001, "Run", "Easy run 45", "- 45m Z2 HR", ["easy"])
      ]
    },
    {
      id: 77_002,
      athlete_id: DEMO_ATHLETE_ID,
      type: "PLAN",
      name: "Olympic distance build",
      description: "An empty plan to fill",
      visibility: "PRIVATE",
      duration_weeks: 8,
      children: []
    }
  ]
  for (const folder of folders) folder.num_workouts = folder.children.length

  return {
    today,
    athlete,
    activities,
    intervals,
    streams,
    wellness,
    events,
    messages,
    customItems,
    powerCurves,
    hrCurves: otherCurves("hr"),
    paceCurves: otherCurves("pace"),
    gear,
    weather,
    folders
  }
}

/** The teammate who shares their data with the demo athlete, made only when first asked for. */
export const demoTeammate = (now: Date = new Date()): SharedAthlete => ({
  id: TEAMMATE.id,
  name: TEAMMATE.name,
  timezone: DEMO_TIMEZONE,
  permission: "WRITE",
  dataset: () => makeDemoDataset(now, TEAMMATE)
})
