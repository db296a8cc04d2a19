/**
 * Client ID Metadata Documents: a client whose `client_id` is an https URL describes itself in the JSON document at
 * that URL (its name and redirect URIs), so it needs no registration. Fetching a URL a stranger names is a request
 * forgery waiting to happen, so the fetch is fenced: https only, the default port, no redirects, a 5 s limit and a
 * 10 KB limit, and an address check at connection time (the lookup itself refuses loopback, private, link-local and
 * other non-public addresses, so a name that resolves elsewhere on the second try gains nothing).
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { lookup as dnsLookup, type LookupAddress } from "node:dns"
import { get } from "node:https"
import { BlockList, isIP, type LookupFunction } from "node:net"

export class MetadataDocumentError extends Schema.TaggedError<MetadataDocumentError>()("MetadataDocumentError", {
  detail: Schema.String
}) {}

export class ClientMetadataFetcher extends Context.Tag("ClientMetadataFetcher")<ClientMetadataFetcher, {
  readonly fetch: (url: URL) => Effect.Effect<unknown, MetadataDocumentError>
}>() {}

export const MAX_DOCUMENT_BYTES = 10 * 1024
const TIMEOUT_MS = 5_000

/** Addresses no public client's document lives at. */
const internal = new BlockList()
for (const [net, prefix] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["224.0.0.0", 4], ["240.0.0.0", 4]
] as const) internal.addSubnet(net, prefix, "ipv4")
for (const [net, prefix] of [["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8]] as const) {
  internal.addSubnet(net, prefix, "ipv6")
}

export const isPublicAddress = (address: string): boolean => {
  const family = isIP(address)
  if (family === 0) return false
  // An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as the IPv4 one.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return !internal.check(mapped[1]!, "ipv4")
  return !internal.check(address, family === 4 ? "ipv4" : "ipv6")
}

const publicOnlyLookup: LookupFunction = (hostname, options, callback) =>
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "", 0)
    const list = addresses as Array<LookupAddress>
    const usable = list.filter((entry) => isPublicAddress(entry.address))
    if (usable.length === 0 || usable.length !== list.length) {
      return callback(Object.assign(new Error(`${hostname} resolves to a non-public address`), { code: "EPRIVATE" }), "", 0)
    }
    if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: Array<LookupAddress>) => void)(null, usable)
    callback(null, usable[0]!.address, usable[0]!.family)
  })

/** The document URL rules of the specification: https, a path, no fragment, no credentials. */
export const documentUrlProblem = (url: URL): string | undefined =>
  url.protocol !== "https:"
    ? "must be an https URL"
    : url.pathname === "/" || url.pathname === ""
    ? "must have a path"
    : url.hash !== "" || url.username !== "" || url.password !== ""
    ? "must have no fragment and no credentials"
    : url.port !== "" && url.port !== "443"
    ? "must use the default https port"
    : isIP(url.hostname.replace(/^\[|\]$/g, "")) !== 0 && !isPublicAddress(url.hostname.replace(/^\[|\]$/g, ""))
    ? "must not name a private address"
    : undefined

export const ClientMetadataFetcherLive = Layer.succeed(ClientMetadataFetcher, {
  fetch: (url) =>
    Effect.async<unknown, MetadataDocumentError>((resume, signal) => {
      const fail = (detail: string) => resume(Effect.fail(new MetadataDocumentError({ detail })))
      const request = get(url, {
        lookup: publicOnlyLookup,
        timeout: TIMEOUT_MS,
        headers: { accept: "application/json" },
        signal
      }, (response) => {
        if (response.statusCode !== 200) {
          response.resume()
          return fail(`answered ${response.statusCode} (redirects are not followed)`)
        }
        const chunks: Array<Buffer> = []
        let size = 0
        response.on("data", (chunk: Buffer) => {
          size += chunk.length
          if (size > MAX_DOCUMENT_BYTES) {
            response.destroy()
            return fail(`is larger than ${MAX_DOCUMENT_BYTES} bytes`)
          }
          chunks.push(chunk)
        })
        response.on("end", () => {
          try {
            resume(Effect.succeed(JSON.parse(Buffer.concat(chunks).toString("utf8"))))
          } catch {
            fail("is not JSON")
          }
        })
        response.on("error", (error) => fail(error.message.slice(0, 120)))
      })
      request.on("timeout", () => request.destroy(new Error(`took longer than ${TIMEOUT_MS} ms`)))
      request.on("error", (error) => fail(error.message.slice(0, 120)))
    })
})
