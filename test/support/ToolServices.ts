/**
 * The real services a tool runs on (the Intervals.icu client, the athlete's calendar, a configuration, a journal)
 * over a mock HTTP client that answers by path, for unit tests of the tools.
 */
import * as Layer from "effect/Layer"
import { AthleteId } from "../../src/domain/Ids.js"
import { AppConfig } from "../../src/services/AppConfig.js"
import { AthleteCalendar } from "../../src/services/AthleteCalendar.js"
import { IntervalsClient } from "../../src/services/IntervalsClient.js"
import { WriteJournal } from "../../src/services/WriteJournal.js"
import { mockHttp, queryOf } from "./MockHttp.js"

export const servicesOver = (routes: (path: string, query: URLSearchParams) => Response) => {
  const http = mockHttp((request) => routes(new URL(request.url).pathname.replace("/api/v1", ""), queryOf(request)))
  const layer = AthleteCalendar.Default.pipe(
    Layer.provideMerge(IntervalsClient.Default),
    Layer.provide(http.layer),
    Layer.provideMerge(AppConfig.Test({ baseUrl: "https://intervals.test/api/v1", athleteId: AthleteId.make("i123456") })),
    Layer.merge(WriteJournal.fresh)
  )
  return { http, layer }
}
