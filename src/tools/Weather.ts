/**
 * The weather ahead, as Intervals.icu forecasts it for the athlete's configured places: "is Saturday good for the
 * long ride?". Each day in the athlete's local dates with its weekday, temperatures in °C, rain in mm with its
 * chance, wind in km/h with the compass point it blows from.
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { ForecastDay } from "../domain/Intervals.js"
import { boundedText } from "../domain/Limits.js"
import { addDays, AthleteCalendar } from "../services/AthleteCalendar.js"
import { IntervalsClient } from "../services/IntervalsClient.js"
import * as Format from "./Format.js"
import { athleteIdParam, AthleteRef, boundedInt, resolveAthlete } from "./Params.js"
import { compact, make, Num, optional, Str } from "./Tool.js"

const DayView = Schema.Struct({
  date: Schema.String,
  weekday: Schema.String,
  summary: Str,
  temp_min_c: Num,
  temp_max_c: Num,
  feels_like_c: Num,
  rain_mm: Num,
  snow_mm: Num,
  rain_chance_percent: Num,
  wind_kmh: Num,
  gusts_kmh: Num,
  wind_from: optional(Schema.String.annotations({ description: "Compass point the wind blows from" })),
  clouds_percent: Num
})
type DayView = typeof DayView.Type

const PlaceView = Schema.Struct({
  place: Schema.String,
  location: Str,
  days: Schema.Array(DayView)
})

const WeatherOutput = Schema.Struct({
  athlete: AthleteRef,
  today: Schema.String,
  places: Schema.Array(PlaceView),
  note: Str
})

/** m/s to km/h, one decimal. */
const kmh = (mps: number | null | undefined) => (mps == null ? undefined : Format.round(mps * 3.6, 1))

export const dayView = (day: ForecastDay, timezone: string): DayView | undefined => {
  const date = day.date?.slice(0, 10) ??
    (day.dt == null
      ? undefined
      : DateTime.formatIsoDate(DateTime.unsafeSetZoneNamed(DateTime.unsafeMake(day.dt * 1000), timezone)))
  if (date === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined
  return {
    date,
    weekday: Format.weekdayOf(date),
    ...compact({
      summary: day.weather?.[0]?.description ?? day.weather?.[0]?.main,
      temp_min_c: Format.roundOrUndefined(day.temp?.min, 1),
      temp_max_c: Format.roundOrUndefined(day.temp?.max, 1),
      feels_like_c: Format.roundOrUndefined(day.feels_like?.day, 1),
      rain_mm: Format.roundOrUndefined(day.rain ?? (day.pop != null ? 0 : undefined), 1),
      snow_mm: day.snow != null && day.snow > 0 ? Format.round(day.snow, 1) : undefined,
      rain_chance_percent: day.pop == null ? undefined : Math.round(day.pop * 100),
      wind_kmh: kmh(day.wind_speed),
      gusts_kmh: kmh(day.wind_gust),
      wind_from: day.wind_deg == null ? undefined : Format.compass(day.wind_deg),
      clouds_percent: Format.roundOrUndefined(day.clouds)
    })
  }
}

const dayLine = (d: DayView) =>
  Format.join([
    Format.dayLabel(d.date),
    d.summary,
    d.temp_min_c !== undefined && d.temp_max_c !== undefined
      ? `${d.temp_min_c}–${d.temp_max_c} °C`
      : Format.unit(d.temp_max_c, " °C", 1),
    d.feels_like_c !== undefined && `feels ${d.feels_like_c} °C`,
    d.rain_chance_percent !== undefined &&
    `rain ${d.rain_chance_percent}%${d.rain_mm !== undefined && d.rain_mm > 0 ? ` ${d.rain_mm} mm` : ""}`,
    d.snow_mm !== undefined && `snow ${d.snow_mm} mm`,
    d.wind_kmh !== undefined &&
    `wind ${d.wind_kmh} km/h${d.wind_from ? ` from ${d.wind_from}` : ""}${d.gusts_kmh ? `, gusts ${d.gusts_kmh}` : ""}`,
    d.clouds_percent !== undefined && `${d.clouds_percent}% cloud`
  ])

export const getWeatherForecast = make({
  name: "get_weather_forecast",
  title: "Weather forecast",
  description: "The weather forecast Intervals.icu holds for the athlete's configured places (set in its settings), " +
    "for planning outdoor sessions: per place and day (athlete's local dates with weekdays), the summary, min–max " +
    "and feels-like °C, chance and mm of rain, snow, wind km/h with the compass point it blows from, gusts, cloud. " +
    "place narrows to places whose name contains it; days limits how far ahead (default 7).",
  annotations: { title: "Weather forecast", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: Schema.Struct({
    athlete_id: athleteIdParam,
    place: optional(boundedText(60, 1).annotations({ description: "Only places whose label or location contains this" })),
    days: optional(boundedInt(1, 16, "Days ahead, from today, default 7"))
  }),
  output: WeatherOutput,
  namesAthlete: true,
  run: Effect.fn("get_weather_forecast")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const calendar = yield* AthleteCalendar
    const client = yield* IntervalsClient
    const [zone, today, weather] = yield* Effect.all(
      [calendar.zone(athleteId), calendar.today(athleteId), client.weatherForecast(athleteId)],
      { concurrency: "unbounded" }
    )
    const athlete = { id: zone.athleteId, ...(zone.name ? { name: zone.name } : {}) }
    const last = addDays(today, (input.days ?? 7) - 1)
    const needle = input.place?.toLowerCase()
    const configured = (weather.forecasts ?? []).filter((f) => f.enabled !== false)
    const places = configured
      .filter((f) => needle === undefined || `${f.label ?? ""} ${f.location ?? ""}`.toLowerCase().includes(needle))
      .map((f) => ({
        place: f.label ?? f.location ?? `${f.lat}, ${f.lon}`,
        ...compact({ location: f.label && f.location && f.location !== f.label ? f.location : undefined }),
        days: (f.daily ?? [])
          .flatMap((day) => dayView(day, zone.timezone) ?? [])
          .filter((d) => d.date >= today && d.date <= last)
      }))
    const note = configured.length === 0
      ? "No forecast places are set up: add one under Settings → Weather in Intervals.icu."
      : places.length === 0
      ? `No place matches "${input.place}"; places: ${configured.map((f) => f.label ?? f.location).join(", ")}.`
      : places.every((p) => p.days.length === 0)
      ? "Intervals.icu returned the places but no daily forecast for these dates."
      : undefined
    return { athlete, today, places, ...compact({ note }) }
  }),
  render: (out) =>
    [
      `Weather forecast for ${Format.athleteLabel(out.athlete)}'s places, from ${Format.dayLabel(out.today)}`,
      ...out.places.flatMap((p) => [
        `${p.place}${p.location ? ` (${p.location})` : ""}:`,
        ...p.days.map((d) => `- ${dayLine(d)}`)
      ]),
      out.note
    ].filter((l): l is string => typeof l === "string").join("\n")
})
