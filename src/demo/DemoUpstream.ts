/**
 * The demo upstream: an `HttpClient` that answers from the in-memory Intervals.icu over the built-in demo athlete,
 * in place of the network. Everything above it (the client's authentication, decoding, cache, limiter and error
 * mapping) runs exactly as against the real API; only the bytes come from memory. The data set is made on the
 * first request (a few hundred milliseconds), and writes change it for the life of the process.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { demoTeammate, makeDemoDataset } from "./DemoAthlete.js"
import { type ApiResponse, type InMemoryIntervals, makeInMemoryIntervals } from "./InMemoryIntervals.js"

const decoder = new TextDecoder()

const bodyOf = (body: { readonly _tag: string; readonly body?: unknown }): unknown => {
  if (body._tag !== "Uint8Array" || !(body.body instanceof Uint8Array)) return undefined
  const text = decoder.decode(body.body)
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const toWeb = (answer: ApiResponse): Response =>
  new Response(
    answer.contentType === undefined ? JSON.stringify(answer.body) : answer.body as string | Uint8Array,
    {
      status: answer.status,
      headers: { "content-type": answer.contentType ?? "application/json;charset=UTF-8", ...answer.headers }
    }
  )

export const makeDemoHttpClient = (
  make: () => InMemoryIntervals = () => {
    const now = new Date()
    return makeInMemoryIntervals(makeDemoDataset(now), { coached: [demoTeammate(now)] })
  }
) => {
  let api: InMemoryIntervals | undefined
  return HttpClient.make((request, url) =>
    Effect.sync(() => {
      api ??= make()
      const answer = api.handle({
        method: request.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: bodyOf(request.body)
      })
      return HttpClientResponse.fromWeb(request, toWeb(answer))
    })
  )
}

/** `HttpClient` answered by the demo athlete's in-memory Intervals.icu. */
export const DemoUpstreamLive: Layer.Layer<HttpClient.HttpClient> = Layer.sync(HttpClient.HttpClient, () =>
  makeDemoHttpClient())
