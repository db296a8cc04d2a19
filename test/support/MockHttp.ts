/**
 * An in-memory `HttpClient` for unit tests: a handler answers each request with a web `Response`, a transport
 * failure, or never; every request is recorded.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

export type Answer = Response | "network-error" | "never" | { readonly after: Duration.DurationInput; readonly response: Response }

export interface MockHttp {
  readonly layer: Layer.Layer<HttpClient.HttpClient>
  readonly requests: Array<HttpClientRequest.HttpClientRequest>
}

export const mockHttp = (handler: (request: HttpClientRequest.HttpClientRequest, attempt: number) => Answer): MockHttp => {
  const requests: Array<HttpClientRequest.HttpClientRequest> = []
  const client = HttpClient.make((request) =>
    Effect.suspend(() => {
      requests.push(request)
      const answer = handler(request, requests.length)
      if (answer === "never") return Effect.never
      if (answer === "network-error") {
        return Effect.fail(
          new HttpClientError.RequestError({ request, reason: "Transport", cause: new Error("ECONNRESET") })
        )
      }
      if ("after" in answer) {
        return Effect.as(Effect.sleep(answer.after), HttpClientResponse.fromWeb(request, answer.response))
      }
      return Effect.succeed(HttpClientResponse.fromWeb(request, answer))
    })
  )
  return { layer: Layer.succeed(HttpClient.HttpClient, client), requests }
}

export const jsonResponse = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })

/** The query string a request carries. */
export const queryOf = (request: HttpClientRequest.HttpClientRequest): URLSearchParams =>
  new URLSearchParams(request.urlParams.map(([key, value]): [string, string] => [key, value]))
