/**
 * DNS-rebinding protection: which `Host` and `Origin` headers a networked transport answers. The SDK's own checks
 * are off by default and deprecated, so the rule lives here:
 * - a server bound to loopback answers only loopback names (a web page on another site that rebinds its name to
 *   127.0.0.1 still sends its own name as Host);
 * - a server bound to a named address answers that name, and loopback names (for a local health check);
 * - a server bound to every interface (0.0.0.0, a container) cannot know its public names: it answers any Host unless
 *   `MCP_ALLOWED_HOSTS` is set, and relies on its key;
 * - an `Origin`, when a browser sends one, must be the request's own origin (its host and port are the `Host` the
 *   request was sent to, and that host is served), or be listed in `MCP_ALLOWED_ORIGINS`: a page on another port of
 *   the same machine is another origin;
 * - a request line in absolute form (`POST http://evil.example/mcp`) is judged by its authority, like a `Host`.
 */
import { isLoopback, isWildcard } from "../services/HttpConfig.js"

export interface HostGuard {
  readonly hostAllowed: (host: string | undefined) => boolean
  readonly originAllowed: (origin: string | undefined, host: string | undefined) => boolean
}

/** `example.com:8000` → `example.com`, `[::1]:8000` → `[::1]`. */
const hostname = (host: string): string => {
  const trimmed = host.trim().toLowerCase()
  if (trimmed.startsWith("[")) return trimmed.slice(0, trimmed.indexOf("]") + 1)
  const colon = trimmed.lastIndexOf(":")
  return colon > 0 && trimmed.indexOf(":") === colon ? trimmed.slice(0, colon) : trimmed
}

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"]

/** A Host header that is a host (a name, an IPv4 address or a bracketed IPv6 one) with at most a valid port. */
export const wellFormedHost = (host: string): boolean => {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*)(?::(\d{1,5}))?$/i
    .exec(host.trim())
  return match !== null && (match[2] === undefined || Number(match[2]) <= 65535)
}

export const makeHostGuard = (options: {
  readonly bindHost: string
  readonly allowedHosts: ReadonlyArray<string>
  readonly allowedOrigins: ReadonlyArray<string>
}): HostGuard => {
  const bind = options.bindHost.includes(":") && !options.bindHost.startsWith("[")
    ? `[${options.bindHost}]`
    : options.bindHost
  const configured = options.allowedHosts.map((entry) => entry.toLowerCase())
  const anyHost = isWildcard(options.bindHost) && configured.length === 0
  const names = new Set([
    ...LOOPBACK_NAMES,
    ...(isLoopback(options.bindHost) || isWildcard(options.bindHost) ? [] : [hostname(bind)]),
    ...configured.filter((entry) => !/:\d+$/.test(entry))
  ])
  // Entries with a port allow that exact host:port only.
  const exact = new Set(configured.filter((entry) => /:\d+$/.test(entry)))
  const origins = new Set(options.allowedOrigins.map((origin) => origin.replace(/\/+$/, "").toLowerCase()))

  const hostAllowed = (host: string | undefined): boolean => {
    if (host === undefined || !wellFormedHost(host)) return false
    if (anyHost) return true
    const lower = host.trim().toLowerCase()
    return names.has(hostname(lower)) || exact.has(lower)
  }

  const originAllowed = (origin: string | undefined, host: string | undefined): boolean => {
    if (origin === undefined) return true
    const lower = origin.replace(/\/+$/, "").toLowerCase()
    if (origins.has(lower)) return true
    let url: URL
    try {
      url = new URL(lower)
    } catch {
      return false
    }
    if (url.protocol !== "http:" && url.protocol !== "https:" || host === undefined) return false
    // Same origin: the page was served from the very host and port the request goes to (URL drops default ports).
    if (!hostAllowed(host)) return false
    try {
      return url.host === new URL(`${url.protocol}//${host.trim().toLowerCase()}`).host
    } catch {
      return false
    }
  }

  return { hostAllowed, originAllowed }
}
