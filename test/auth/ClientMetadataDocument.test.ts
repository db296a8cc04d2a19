/**
 * Clients described by a Client ID Metadata Document (their client_id is the https URL of a JSON document naming them
 * and their redirect URIs), through the authorization server with a stubbed fetcher: the fetch itself is fenced
 * against request forgery, checked here address by address.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { AuthorizationServer } from "../../src/auth/AuthorizationServer.js"
import {
  ClientMetadataFetcher,
  documentUrlProblem,
  isPublicAddress,
  MetadataDocumentError
} from "../../src/auth/ClientMetadataDocument.js"
import { OAuthConfig } from "../../src/auth/OAuthConfig.js"
import { AppConfig } from "../../src/services/AppConfig.js"
import { MemoryStoreLive } from "../../src/store/TokenStore.js"

const DOC_URL = "https://app.example/oauth/client.json"
const REDIRECT = "https://app.example/callback"

const layerWith = (documents: Record<string, unknown>) => {
  const fetched: Array<string> = []
  const layer = AuthorizationServer.Default.pipe(
    Layer.provide(MemoryStoreLive),
    Layer.provide(Layer.succeed(ClientMetadataFetcher, {
      fetch: (url) => {
        fetched.push(url.toString())
        return url.toString() in documents
          ? Effect.succeed(documents[url.toString()])
          : Effect.fail(new MetadataDocumentError({ detail: "answered 404 (redirects are not followed)" }))
      }
    })),
    Layer.provide(Layer.succeed(OAuthConfig, OAuthConfig.make({
      publicUrl: Option.some("https://mcp.example"),
      ownerSecret: Option.some(Redacted.make("owner-secret-0123456789-0123456789")),
      accessTtl: Duration.hours(1),
      refreshTtl: Duration.days(30),
      registrationsPerHour: 20,
      signInFailures: 5,
      signInPagesPer10Min: 100,
      intervals: Option.none()
    }))),
    Layer.provide(AppConfig.Test({ writeMode: "safe" }))
  )
  return { layer, fetched }
}

const params = (clientId: string, extra: Record<string, string> = {}) =>
  new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT,
    code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    code_challenge_method: "S256",
    ...extra
  })

describe("Client ID Metadata Documents", () => {
  it.effect("shows the page for a client its document describes, fetching the document once", () => {
    const { fetched, layer } = layerWith({
      [DOC_URL]: { client_id: DOC_URL, client_name: "Example App", redirect_uris: [REDIRECT], token_endpoint_auth_method: "none" }
    })
    return Effect.gen(function*() {
      const as = yield* AuthorizationServer
      const outcome = yield* as.authorize(params(DOC_URL), "192.0.2.1")
      expect(outcome._tag).toBe("Page")
      if (outcome._tag === "Page") {
        expect(outcome.shown.client.client_name).toBe("Example App")
        expect(outcome.shown.client.source).toBe("metadata-document")
        // The server runs safe: the choices stop at write.
        expect(outcome.shown.choices).toEqual(["read", "write"])
      }
      yield* as.authorize(params(DOC_URL), "192.0.2.1")
      expect(fetched).toEqual([DOC_URL])
    }).pipe(Effect.provide(layer))
  })

  it.effect("refuses a document whose client_id is not its own URL, or which names no redirect URIs", () => {
    const other = "https://app.example/other.json"
    const { layer } = layerWith({
      [DOC_URL]: { client_id: "https://evil.example/client.json", redirect_uris: [REDIRECT] },
      [other]: { client_id: other, redirect_uris: [] }
    })
    return Effect.gen(function*() {
      const as = yield* AuthorizationServer
      const mismatch = yield* as.authorize(params(DOC_URL), "192.0.2.1")
      expect(mismatch).toMatchObject({ _tag: "Refused", title: "Unknown client" })
      if (mismatch._tag === "Refused") expect(mismatch.detail).toContain("not the URL it was fetched from")
      const empty = yield* as.authorize(params(other), "192.0.2.1")
      expect(empty._tag).toBe("Refused")
      if (empty._tag === "Refused") expect(empty.detail).toContain("redirect_uris")
    }).pipe(Effect.provide(layer))
  })

  it.effect("never redirects to a URI the document does not list", () => {
    const { layer } = layerWith({ [DOC_URL]: { client_id: DOC_URL, redirect_uris: [REDIRECT] } })
    return Effect.gen(function*() {
      const as = yield* AuthorizationServer
      const outcome = yield* as.authorize(params(DOC_URL, { redirect_uri: "https://app.example/callback/" }), "192.0.2.1")
      expect(outcome).toMatchObject({ _tag: "Refused", title: "Wrong redirect URI" })
    }).pipe(Effect.provide(layer))
  })

  it.effect("refuses an unreachable document, and client_id URLs that are not https, have no path or name a private address", () => {
    const { fetched, layer } = layerWith({})
    return Effect.gen(function*() {
      const as = yield* AuthorizationServer
      const missing = yield* as.authorize(params(DOC_URL), "192.0.2.1")
      expect(missing._tag).toBe("Refused")
      if (missing._tag === "Refused") expect(missing.detail).toContain("answered 404")
      for (const bad of ["https://10.0.0.1/client.json", "https://[::1]/c.json", "https://app.example:8443/c.json", "https://app.example/"]) {
        const outcome = yield* as.authorize(params(bad), "192.0.2.1")
        expect(outcome._tag).toBe("Refused")
      }
      expect(fetched).toEqual([DOC_URL])
    }).pipe(Effect.provide(layer))
  })
})

describe("the fetch's fence", () => {
  it("judges addresses: public ones pass, loopback, private, link-local, mapped and unique-local do not", () => {
    for (const ok of ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"]) expect(isPublicAddress(ok)).toBe(true)
    for (const no of [
      "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "::",
      "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "224.0.0.1", "not-an-ip"
    ]) expect(isPublicAddress(no)).toBe(false)
  })

  it("judges document URLs as the specification asks", () => {
    expect(documentUrlProblem(new URL("https://app.example/c.json"))).toBeUndefined()
    expect(documentUrlProblem(new URL("http://app.example/c.json"))).toContain("https")
    expect(documentUrlProblem(new URL("https://app.example"))).toContain("path")
    expect(documentUrlProblem(new URL("https://u:p@app.example/c.json"))).toContain("credentials")
    expect(documentUrlProblem(new URL("https://169.254.169.254/latest"))).toContain("private")
  })
})
