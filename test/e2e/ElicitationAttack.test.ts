/**
 * Confirmation by elicitation, and progress, attacked from outside by hostile or broken clients, on the built server
 * over stdio and Streamable HTTP (sessionful and MCP_STATELESS=true), in both protocol eras, with raw JSON-RPC so that
 * every message is exactly what the test says. What must hold throughout: nothing is written without an explicit yes
 * to that exact question; what is wrong is said in a clear error (with no stack trace); nothing hangs beyond its
 * timeouts; and the server keeps serving afterwards.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type FakeIntervals, type LoggedRequest, startFakeIntervals } from "../fake/FakeIntervals.js"
import { addDays, API_KEY, ATHLETE_ID, localToday, POWER_RIDE_ID, TIMEZONE } from "../fake/Fixtures.js"
import { type HttpServerProcess, startHttpServer } from "../support/HttpServerProcess.js"
import { eventually, sleep } from "../support/RawSocket.js"
import { ENTRY } from "../support/StdioServer.js"

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Msg = Record<string, any>
type Id = string | number

const SERVER_KEY = "elicitation-attack-key-0123456789abcdef"
const MODERN = "2026-07-28"
const LEGACY = "2025-11-25"
const CLIENT_INFO = { name: "attacker", version: "1" }
const ELICIT = { elicitation: { form: {} } }

let fake: FakeIntervals
const children: Array<ChildProcess> = []
const httpServers: Array<HttpServerProcess> = []

beforeAll(async () => {
  fake = await startFakeIntervals()
})
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  await Promise.all(httpServers.map((server) => server.stop("SIGKILL")))
  await fake?.close()
})
beforeEach(() => {
  fake.faults.length = 0
})

const env = (): Record<string, string> => ({
  API_KEY,
  ATHLETE_ID,
  INTERVALS_API_BASE_URL: fake.baseUrl,
  INTERVALS_CACHE: "off",
  MCP_TOOLSETS: "all"
})

/** Every request to the fake from `mark` on that would change something. */
const writesSince = (mark: number): Array<LoggedRequest> =>
  fake.requests.slice(mark).filter((r) => r.method !== "GET" && r.method !== "HEAD")
const deletesOf = (mark: number, id: number | string) =>
  writesSince(mark).filter((r) => r.method === "DELETE" && r.path.endsWith(`/${id}`)).length

/** A stack trace, or a path into the server's code: never for the client to see. */
const STACK = /\n\s+at |\bat [\w.<>]+ \(|\.(?:ts|js|mjs|cjs):\d+|node_modules|dist\/chunks/

/** Every text a result or error carries, for the checks that apply to all. */
const textsOf = (message: Msg | undefined): string => {
  if (message === undefined) return ""
  if (message["error"] !== undefined) return `${message["error"].message ?? ""} ${JSON.stringify(message["error"].data ?? "")}`
  const result = message["result"] ?? {}
  return [...(result.content ?? []).map((c: Msg) => c.text ?? ""), JSON.stringify(result.structuredContent ?? "")].join("\n")
}

const resultOf = (message: Msg | undefined): Msg => {
  expect(message, "an answer came").toBeDefined()
  expect(message!["error"], `a result, not an error: ${JSON.stringify(message!["error"])}`).toBeUndefined()
  expect(textsOf(message)).not.toMatch(STACK)
  return message!["result"] as Msg
}

const expectDeclined = (message: Msg | undefined) => {
  const result = resultOf(message)
  expect(result["isError"], JSON.stringify(result)).toBe(true)
  expect(result["structuredContent"]?.error?.code, JSON.stringify(result)).toBe("declined")
  expect(textsOf(message)).toMatch(/the user did not confirm\. Nothing was sent to Intervals\.icu/)
}

const expectAskedAgain = (message: Msg | undefined) => {
  const result = resultOf(message)
  expect(result["resultType"], JSON.stringify(result).slice(0, 500)).toBe("input_required")
  expect(result["inputRequests"]?.confirm?.method).toBe("elicitation/create")
  expect(typeof result["requestState"]).toBe("string")
}

/** The envelope a 2026-07-28 request carries in `_meta`. */
const envelope = (capabilities: Msg = ELICIT, extra: Msg = {}) => ({
  "io.modelcontextprotocol/protocolVersion": MODERN,
  "io.modelcontextprotocol/clientInfo": CLIENT_INFO,
  "io.modelcontextprotocol/clientCapabilities": capabilities,
  ...extra
})

/** A client's side of a connection, speaking raw JSON-RPC. */
interface Peer {
  /** Every message the server sent. */
  readonly received: Array<Msg>
  /** The server's requests to the client (elicitation/create), in order. */
  readonly serverRequests: Array<Msg>
  /** What the client does with a server request; by default nothing (it never answers). */
  onServerRequest: (request: Msg) => void
  /** Sends a request; resolves with its answer, or undefined if none came within `timeoutMs`. */
  readonly request: (method: string, params: unknown, options?: { id?: Id; timeoutMs?: number }) => Promise<Msg | undefined>
  /** Sends a message as is (a notification, or an answer to a server request). */
  readonly send: (message: Msg) => Promise<void>
  /** Drops the connection a pending request waits on (HTTP); a no-op on stdio. */
  readonly disconnect: (id: Id) => void
  readonly stderr: () => string
  readonly alive: () => Promise<boolean>
}

let nextId = 1000

const base = () => {
  const received: Array<Msg> = []
  const serverRequests: Array<Msg> = []
  const waiters = new Map<Id, (message: Msg) => void>()
  const peer = {
    received,
    serverRequests,
    waiters,
    onServerRequest: (_request: Msg) => undefined as void,
    receive: (message: Msg) => {
      received.push(message)
      if ("id" in message && ("result" in message || "error" in message)) waiters.get(message["id"])?.(message)
      else if ("method" in message && "id" in message) {
        serverRequests.push(message)
        peer.onServerRequest(message)
      }
    },
    wait: (id: Id, timeoutMs: number) =>
      new Promise<Msg | undefined>((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(id)
          resolve(undefined)
        }, timeoutMs)
        waiters.set(id, (message) => {
          clearTimeout(timer)
          waiters.delete(id)
          resolve(message)
        })
      })
  }
  return peer
}

/** The built server over stdio, spawned, with a raw client on its pipes. */
const stdioPeer = async (era: "2025" | "2026" = "2026", extraEnv: Record<string, string> = {}) => {
  const child = spawn(process.execPath, [ENTRY], {
    cwd: mkdtempSync(join(tmpdir(), "intervals-mcp-")),
    env: { PATH: process.env["PATH"], ...env(), ...extraEnv },
    stdio: ["pipe", "pipe", "pipe"]
  })
  children.push(child)
  let stderr = ""
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
  const inner = base()
  let buffer = ""
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8")
    for (let at = buffer.indexOf("\n"); at >= 0; at = buffer.indexOf("\n")) {
      const line = buffer.slice(0, at)
      buffer = buffer.slice(at + 1)
      if (line.trim() !== "") inner.receive(JSON.parse(line) as Msg)
    }
  })
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const write = (message: Msg) =>
    new Promise<void>((resolve) => {
      if (child.stdin!.write(JSON.stringify(message) + "\n")) resolve()
      else child.stdin!.once("drain", () => resolve())
    })
  const peer: Peer & { child: ChildProcess; exited: Promise<number | null> } = {
    child,
    exited,
    received: inner.received,
    serverRequests: inner.serverRequests,
    get onServerRequest() {
      return inner.onServerRequest
    },
    set onServerRequest(handler) {
      inner.onServerRequest = handler
    },
    request: async (method, params, options = {}) => {
      const id = options.id ?? nextId++
      const answer = inner.wait(id, options.timeoutMs ?? 10_000)
      await write({ jsonrpc: "2.0", id, method, params })
      return answer
    },
    send: write,
    disconnect: () => undefined,
    stderr: () => stderr,
    alive: async () =>
      child.exitCode === null &&
      (era === "2026"
          ? await peer.request("tools/list", { _meta: envelope() }, { timeoutMs: 5000 })
          : await peer.request("ping", {}, { timeoutMs: 5000 }))?.["result"] !== undefined
  }
  return peer
}

/** Reads a response body as the messages it carries: one JSON value, or a stream of SSE events. */
const readMessages = async (res: Response, each: (message: Msg) => void) => {
  const type = res.headers.get("content-type") ?? ""
  if (type.includes("text/event-stream")) {
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let buffer = ""
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      buffer += decoder.decode(value, { stream: true })
      for (let at = buffer.indexOf("\n\n"); at >= 0; at = buffer.indexOf("\n\n")) {
        const event = buffer.slice(0, at)
        buffer = buffer.slice(at + 2)
        const data = event.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart()).join("\n")
        if (data !== "") each(JSON.parse(data) as Msg)
      }
    }
    return
  }
  const text = await res.text()
  if (text.trim() === "") return
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return each({ httpStatus: res.status, body: text })
  }
  for (const message of Array.isArray(parsed) ? parsed : [parsed]) each(message as Msg)
}

/**
 * A raw client over Streamable HTTP: "2025" initializes (and keeps the session, unless the server is stateless);
 * "2026" sends each request on its own with the era's headers. A request's answer, and the server's requests and
 * notifications before it, come on its POST's response; answers to the server's requests go in POSTs of their own.
 */
const httpPeer = async (server: HttpServerProcess, era: "2025" | "2026", capabilities: Msg = ELICIT) => {
  const inner = base()
  let session: string | undefined
  const controllers = new Map<Id, AbortController>()
  const headers = (message: Msg): Record<string, string> => ({
    "content-type": "application/json",
    "accept": "application/json, text/event-stream",
    "authorization": `Bearer ${SERVER_KEY}`,
    ...(era === "2026"
      ? {
        "mcp-protocol-version": MODERN,
        ...(typeof message["method"] === "string" ? { "mcp-method": message["method"] } : {}),
        ...(message["method"] === "tools/call" && typeof message["params"]?.name === "string"
          ? { "mcp-name": message["params"].name }
          : {})
      }
      : { ...(session === undefined ? {} : { "mcp-session-id": session, "mcp-protocol-version": LEGACY }) })
  })
  const post = async (message: Msg, signal?: AbortSignal) => {
    const res = await fetch(`${server.origin}/mcp`, {
      method: "POST",
      headers: headers(message),
      body: JSON.stringify(message),
      ...(signal === undefined ? {} : { signal })
    })
    session ??= res.headers.get("mcp-session-id") ?? undefined
    return res
  }
  const peer: Peer & { terminate: () => Promise<number> } = {
    terminate: async () => {
      const res = await fetch(`${server.origin}/mcp`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${SERVER_KEY}`, "mcp-session-id": session ?? "", "mcp-protocol-version": LEGACY }
      })
      await res.text()
      return res.status
    },
    received: inner.received,
    serverRequests: inner.serverRequests,
    get onServerRequest() {
      return inner.onServerRequest
    },
    set onServerRequest(handler) {
      inner.onServerRequest = handler
    },
    request: async (method, params, options = {}) => {
      const id = options.id ?? nextId++
      const message = { jsonrpc: "2.0", id, method, params }
      const answer = inner.wait(id, options.timeoutMs ?? 10_000)
      const controller = new AbortController()
      controllers.set(id, controller)
      void post(message, controller.signal).then(async (res) => {
        let answered = false
        await readMessages(res, (m) => {
          if (m["httpStatus"] !== undefined) {
            answered = true
            return inner.receive({ id, error: { code: m["httpStatus"], message: m["body"] } })
          }
          if (m["id"] === id && ("result" in m || "error" in m)) answered = true
          inner.receive(m)
        })
        if (!answered) inner.receive({ id, error: { code: res.status, message: `HTTP ${res.status} with no answer` } })
      }).catch(() => undefined)
      return answer
    },
    send: async (message) => {
      const res = await post(message)
      const text = await res.text()
      if (res.status >= 300) throw new Error(`POST of ${JSON.stringify(message).slice(0, 200)}: HTTP ${res.status} ${text.slice(0, 300)}`)
    },
    disconnect: (id) => controllers.get(id)?.abort(),
    stderr: server.stderr,
    alive: async () =>
      server.child.exitCode === null &&
      (era === "2026"
          ? await peer.request("tools/list", { _meta: envelope(capabilities) }, { timeoutMs: 5000 })
          : await peer.request("ping", {}, { timeoutMs: 5000 }))?.["result"] !== undefined
  }
  if (era === "2025") {
    const init = await peer.request("initialize", { protocolVersion: LEGACY, capabilities, clientInfo: CLIENT_INFO })
    expect(init?.["result"]?.protocolVersion).toBe(LEGACY)
    await peer.send({ jsonrpc: "2.0", method: "notifications/initialized" })
  }
  return peer
}

const startHttp = async (extraEnv: Record<string, string> = {}) => {
  const server = await startHttpServer({ ...env(), MCP_TRANSPORT: "http", MCP_SERVER_API_KEY: SERVER_KEY, ...extraEnv })
  httpServers.push(server)
  return server
}

/** Opens a 2025-era stdio connection: initialize (declaring `capabilities`) and initialized. */
const initialized = async <P extends Peer>(peer: P, capabilities: Msg = ELICIT): Promise<P> => {
  const init = await peer.request("initialize", { protocolVersion: LEGACY, capabilities, clientInfo: CLIENT_INFO })
  expect(init?.["result"]?.protocolVersion).toBe(LEGACY)
  await peer.send({ jsonrpc: "2.0", method: "notifications/initialized" })
  return peer
}

/** tools/call params for an era: the 2026-07-28 ones carry the envelope. */
const callParams = (era: "2025" | "2026", name: string, args: Msg, extra: Msg = {}, meta: Msg = {}) => ({
  name,
  arguments: args,
  ...extra,
  ...(era === "2026"
    ? { _meta: { ...envelope(), ...meta } }
    : Object.keys(meta).length > 0
    ? { _meta: meta }
    : {})
})

let day = 3
/** A workout on a day of its own, far enough ahead that no suite shares it. */
const plan = async (peer: Peer, era: "2025" | "2026", name: string, on: string = addDays(localToday(TIMEZONE), day++)) => {
  const answer = await peer.request("tools/call", callParams(era, "add_or_update_event", {
    name,
    workout_type: "Ride",
    start_date: on,
    description: "- 45m 65%"
  }))
  const result = resultOf(answer)
  expect(result["isError"], textsOf(answer)).toBeFalsy()
  return (result["structuredContent"] as { event: { id: number } }).event.id
}

const eventExists = async (peer: Peer, era: "2025" | "2026", id: number) =>
  resultOf(await peer.request("tools/call", callParams(era, "get_event_by_id", { event_id: id })))["isError"] !== true

// ---------------------------------------------------------------------------------------------------------------
// 2026-07-28: input_required, inputResponses and requestState, forged and replayed
// ---------------------------------------------------------------------------------------------------------------

const modernTransports = [
  { name: "stdio", open: async () => stdioPeer() },
  { name: "Streamable HTTP", open: async () => httpPeer(await startHttp(), "2026") },
  { name: "Streamable HTTP, MCP_STATELESS=true", open: async () => httpPeer(await startHttp({ MCP_STATELESS: "true" }), "2026") }
] as const

for (const transport of modernTransports) {
  describe(`a 2026-07-28 client over ${transport.name}`, () => {
    let peer: Peer
    beforeAll(async () => {
      peer = await transport.open()
    }, 20_000)

    const ask = async (id: number, extra: Msg = {}) =>
      peer.request("tools/call", callParams("2026", "delete_event", { event_id: id }, extra))

    it("is asked first (a form with one boolean), with a sealed state, and nothing is deleted until it answers", async () => {
      const id = await plan(peer, "2026", `Asked first ${transport.name}`)
      const mark = fake.requests.length
      const first = await ask(id)
      expectAskedAgain(first)
      const request = first!["result"]["inputRequests"]["confirm"]["params"]
      expect(request.message).toContain(`"Asked first ${transport.name}"`)
      expect(request.requestedSchema).toMatchObject({ type: "object", properties: { confirm: { type: "boolean" } }, required: ["confirm"] })
      // Its expiry, and the seal of the call, the question and that expiry.
      expect(first!["result"]["requestState"]).toMatch(/^[0-9a-z]+\.[\w-]{43}$/)
      expect(writesSince(mark)).toEqual([])
      // The yes, with the state, deletes it (the control for every refusal below).
      const yes = await ask(id, { inputResponses: { confirm: { action: "accept", content: { confirm: true } } }, requestState: first!["result"]["requestState"] })
      expect(resultOf(yes)["isError"], textsOf(yes)).toBeFalsy()
      expect(deletesOf(mark, id)).toBe(1)
    })

    it("takes no yes without the requestState: it asks again, and nothing is deleted", async () => {
      const id = await plan(peer, "2026", `No state ${transport.name}`)
      const mark = fake.requests.length
      expectAskedAgain(await ask(id, { inputResponses: { confirm: { action: "accept", content: { confirm: true } } } }))
      expect(writesSince(mark)).toEqual([])
      expect(await eventExists(peer, "2026", id)).toBe(true)
    })

    it("takes no yes with a forged requestState, of any kind, and says what is wrong with one that is not text", async () => {
      const id = await plan(peer, "2026", `Forged ${transport.name}`)
      const real = (await ask(id))!["result"]["requestState"] as string
      const mark = fake.requests.length
      const accept = { confirm: { action: "accept", content: { confirm: true } } }
      const flipped = (real[0] === "A" ? "B" : "A") + real.slice(1)
      for (const state of ["", "x", flipped, real.slice(0, -1), `${real}=`, real.toLowerCase(), randomBytes(32).toString("base64url"), "A".repeat(100_000)]) {
        expectAskedAgain(await ask(id, { inputResponses: accept, requestState: state }))
      }
      for (const state of [42, null, true, { state: real }, [real]]) {
        const answer = await ask(id, { inputResponses: accept, requestState: state })
        expect(answer, `an answer for requestState ${JSON.stringify(state)}`).toBeDefined()
        expect(textsOf(answer)).not.toMatch(STACK)
        if (answer!["error"] !== undefined) {
          expect(answer!["error"].code).toBe(-32602)
          expect(answer!["error"].message).toMatch(/requestState/)
          expect(answer!["error"].message.length).toBeLessThan(500)
        } else expectAskedAgain(answer)
      }
      expect(writesSince(mark)).toEqual([])
      expect(await eventExists(peer, "2026", id)).toBe(true)
      expect(await peer.alive()).toBe(true)
    })

    it("takes no yes given to another question: event A's sealed yes, replayed for event B, is asked again", async () => {
      const a = await plan(peer, "2026", `Replay A ${transport.name}`)
      const b = await plan(peer, "2026", `Replay B ${transport.name}`)
      const stateA = (await ask(a))!["result"]["requestState"] as string
      const mark = fake.requests.length
      const again = await ask(b, { inputResponses: { confirm: { action: "accept", content: { confirm: true } } }, requestState: stateA })
      expectAskedAgain(again)
      expect(again!["result"]["inputRequests"]["confirm"]["params"].message).toContain(`"Replay B ${transport.name}"`)
      // Nor for another tool whose question is different (a custom item).
      const item = await peer.request("tools/call", callParams("2026", "delete_custom_item", { item_id: 9101 }, {
        inputResponses: { confirm: { action: "accept", content: { confirm: true } } },
        requestState: stateA
      }))
      expectAskedAgain(item)
      expect(writesSince(mark)).toEqual([])
      expect(await eventExists(peer, "2026", a)).toBe(true)
      expect(await eventExists(peer, "2026", b)).toBe(true)
    })

    it("takes no yes for a question that changed between the rounds (the event renamed): it asks the new one", async () => {
      const id = await plan(peer, "2026", `Before rename ${transport.name}`)
      const state = (await ask(id))!["result"]["requestState"] as string
      const renamed = await peer.request("tools/call", callParams("2026", "add_or_update_event", { event_id: id, name: `After rename ${transport.name}` }))
      expect(resultOf(renamed)["isError"], textsOf(renamed)).toBeFalsy()
      const mark = fake.requests.length
      const again = await ask(id, { inputResponses: { confirm: { action: "accept", content: { confirm: true } } }, requestState: state })
      expectAskedAgain(again)
      expect(again!["result"]["inputRequests"]["confirm"]["params"].message).toContain(`"After rename ${transport.name}"`)
      expect(writesSince(mark)).toEqual([])
    })

    it("takes every answer that is not an explicit yes, with the right state, as a no: declined, nothing deleted", async () => {
      const id = await plan(peer, "2026", `Not a yes ${transport.name}`)
      const state = (await ask(id))!["result"]["requestState"] as string
      const mark = fake.requests.length
      const noes: Array<unknown> = [
        { action: "decline" },
        { action: "cancel" },
        { action: "accept", content: { confirm: false } },
        { action: "accept", content: { confirm: "true" } },
        { action: "accept", content: { confirm: 1 } },
        { action: "accept", content: { confirm: [true] } },
        { action: "accept", content: { Confirm: true } },
        { action: "accept", content: {} },
        { action: "accept" },
        { action: "ACCEPT", content: { confirm: true } },
        { action: "accepted", content: { confirm: true } },
        { action: ["accept"], content: { confirm: true } },
        { content: { confirm: true } },
        {}
      ]
      for (const answer of noes) {
        const got = await ask(id, { inputResponses: { confirm: answer }, requestState: state })
        expect(got, JSON.stringify(answer)).toBeDefined()
        expect(textsOf(got)).not.toMatch(STACK)
        // The SDK may refuse an answer that is not an elicitation result at all (invalid params): also a no.
        if (got!["error"] !== undefined) expect(got!["error"].code, JSON.stringify(answer)).toBe(-32602)
        else expectDeclined(got)
      }
      expect(writesSince(mark)).toEqual([])
      expect(await eventExists(peer, "2026", id)).toBe(true)
    })

    it("takes inputResponses of the wrong shape as no answer (string, list, null, wrapped, huge, deep), and keeps serving", async () => {
      const id = await plan(peer, "2026", `Wrong shape ${transport.name}`)
      const state = (await ask(id))!["result"]["requestState"] as string
      const mark = fake.requests.length
      let deep: Msg = { action: "accept", content: { confirm: true } }
      for (let i = 0; i < 1000; i++) deep = { confirm: deep }
      const shapes: Array<[string, unknown]> = [
        ["a string", "accept"],
        ["a list", [{ action: "accept", content: { confirm: true } }]],
        ["null", null],
        ["a number", 1],
        ["confirm as a string", { confirm: "accept" }],
        ["confirm as true", { confirm: true }],
        ["confirm wrapped as a result", { confirm: { result: { action: "accept", content: { confirm: true } } } }],
        ["confirm wrapped as a request", { confirm: { method: "elicitation/create", action: "accept", content: { confirm: true } } }],
        ["the yes under another key", { ok: { action: "accept", content: { confirm: true } } }],
        ["a 1 MB object", { confirm: { action: "decline", padding: "x".repeat(1024 * 1024) } }],
        ["100,000 keys", Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, { action: "accept" }]))],
        ["nested 1,000 levels", deep]
      ]
      for (const [what, inputResponses] of shapes) {
        const started = Date.now()
        const got = await ask(id, { inputResponses, requestState: state })
        expect(got, `an answer for ${what}`).toBeDefined()
        expect(Date.now() - started, what).toBeLessThan(5000)
        expect(textsOf(got), what).not.toMatch(STACK)
        if (got!["error"] !== undefined) {
          // Refused as a message: in one line that says what is wrong, never a validation dump.
          expect([-32602, -32600, 413], `${what}: ${JSON.stringify(got!["error"]).slice(0, 300)}`).toContain(got!["error"].code)
          expect(String(got!["error"].message).length, what).toBeLessThan(600)
        } else if (got!["result"]["resultType"] === "input_required") expectAskedAgain(got)
        else expectDeclined(got)
      }
      expect(writesSince(mark)).toEqual([])
      expect(await eventExists(peer, "2026", id)).toBe(true)
      expect(await peer.alive()).toBe(true)
    }, 30_000)

    it("takes a yes with extra keys beside it (in the content, and other inputResponses) as the yes it is", async () => {
      const id = await plan(peer, "2026", `Extra keys ${transport.name}`)
      const state = (await ask(id))!["result"]["requestState"] as string
      const mark = fake.requests.length
      const got = await ask(id, {
        inputResponses: {
          confirm: { action: "accept", content: { confirm: true, note: "sure", nested: { a: [1, 2] } }, _meta: { x: 1 } },
          other: { action: "decline" }
        },
        requestState: state
      })
      expect(resultOf(got)["isError"], textsOf(got)).toBeFalsy()
      expect(deletesOf(mark, id)).toBe(1)
    })

    it("asks again for every retry past the client's 10 rounds, and keeps serving", async () => {
      const id = await plan(peer, "2026", `Rounds ${transport.name}`)
      const mark = fake.requests.length
      for (let round = 0; round < 15; round++) {
        expectAskedAgain(await ask(id, {
          inputResponses: { confirm: { action: "accept", content: { confirm: true } } },
          requestState: randomBytes(32).toString("base64url")
        }))
      }
      expect(writesSince(mark)).toEqual([])
      expect(await peer.alive()).toBe(true)
    })

    it("asks for the other bulk writes too, and a forged state writes nothing (range delete, bulk add, move)", async () => {
      const start = addDays(localToday(TIMEZONE), 200 + modernTransports.indexOf(transport) * 20)
      await plan(peer, "2026", `Bulk R1 ${transport.name}`, start)
      await plan(peer, "2026", `Bulk R2 ${transport.name}`, addDays(start, 1))
      const forged = { inputResponses: { confirm: { action: "accept", content: { confirm: true } } }, requestState: "forged" }
      const calls: Array<[string, Msg]> = [
        ["delete_events_by_date_range", { start_date: start, end_date: addDays(start, 1), category: ["WORKOUT"], confirm: true }],
        ["add_events_bulk", { events: [{ date: addDays(start, 5), name: "Bulk new", workout_type: "Ride", text: "- 1h 65%" }], dry_run: false }],
        ["move_events", { start_date: start, end_date: addDays(start, 1), days: 3, dry_run: false }]
      ]
      const mark = fake.requests.length
      for (const [name, args] of calls) {
        const first = await peer.request("tools/call", callParams("2026", name, args))
        expectAskedAgain(first)
        expect(first!["result"]["inputRequests"]["confirm"]["params"].message, name).toMatch(/^(Delete|Write|Move) /)
        expectAskedAgain(await peer.request("tools/call", callParams("2026", name, args, forged)))
        const no = await peer.request("tools/call", callParams("2026", name, args, {
          inputResponses: { confirm: { action: "decline" } },
          requestState: first!["result"]["requestState"]
        }))
        expectDeclined(no)
      }
      expect(writesSince(mark)).toEqual([])
    })
  })
}

// ---------------------------------------------------------------------------------------------------------------
// 2025 era over stdio: the server sends elicitation/create while the call waits, and goes on with the answer
// ---------------------------------------------------------------------------------------------------------------

/** Waits for the server's next elicitation/create (after `seen` of them), or fails. */
const nextQuestion = async (peer: Peer, seen: number, ms = 8000): Promise<Msg> => {
  expect(await eventually(() => peer.serverRequests.length > seen, ms), "an elicitation/create came").toBe(true)
  const question = peer.serverRequests[seen]!
  expect(question["method"]).toBe("elicitation/create")
  return question
}

const answer = (peer: Peer, question: Msg, result: unknown) => peer.send({ jsonrpc: "2.0", id: question["id"], result })

describe("a 2025 client over stdio that declared elicitation", () => {
  let peer: Awaited<ReturnType<typeof stdioPeer>>
  beforeAll(async () => {
    peer = await initialized(await stdioPeer("2025"))
  }, 20_000)
  beforeEach(() => {
    peer.onServerRequest = () => undefined
  })

  const del = (id: number, options: { id?: Id; timeoutMs?: number } = {}) =>
    peer.request("tools/call", callParams("2025", "delete_event", { event_id: id }), options)

  it("is asked with elicitation/create before the delete, and a yes deletes (the control)", async () => {
    const id = await plan(peer, "2025", "Legacy control")
    const mark = fake.requests.length
    const seen = peer.serverRequests.length
    const pending = del(id)
    const question = await nextQuestion(peer, seen)
    expect(question["params"].message).toContain(`"Legacy control"`)
    expect(writesSince(mark)).toEqual([])
    await answer(peer, question, { action: "accept", content: { confirm: true } })
    expect(resultOf(await pending)["isError"]).toBeFalsy()
    expect(deletesOf(mark, id)).toBe(1)
  })

  it("waits for a client that never answers, serving its other requests meanwhile, and deletes nothing", async () => {
    const id = await plan(peer, "2025", "Never answered")
    const mark = fake.requests.length
    const seen = peer.serverRequests.length
    const callId = nextId++
    const pending = del(id, { id: callId, timeoutMs: 4000 })
    await nextQuestion(peer, seen)
    // Other requests go on while the question waits.
    expect((await peer.request("tools/list", {}, { timeoutMs: 3000 }))?.["result"]?.tools?.length).toBeGreaterThan(10)
    expect(await eventExists(peer, "2025", id)).toBe(true)
    expect(await pending).toBeUndefined()
    expect(writesSince(mark)).toEqual([])
    // The client gives up on the call: nothing answers it, and a yes sent after that deletes nothing.
    await peer.send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: callId, reason: "gave up" } })
    await sleep(300)
    await answer(peer, peer.serverRequests[seen]!, { action: "accept", content: { confirm: true } })
    await sleep(1000)
    expect(peer.received.filter((m) => m["id"] === callId)).toEqual([])
    expect(writesSince(mark)).toEqual([])
    expect(await eventExists(peer, "2025", id)).toBe(true)
    expect(await peer.alive()).toBe(true)
  })

  it("takes an elicitation answered with a JSON-RPC error as a no: declined, with its code, nothing deleted", async () => {
    const id = await plan(peer, "2025", "Answered with an error")
    const mark = fake.requests.length
    const seen = peer.serverRequests.length
    const pending = del(id)
    const question = await nextQuestion(peer, seen)
    await peer.send({ jsonrpc: "2.0", id: question["id"], error: { code: -32603, message: "the form crashed" } })
    const got = await pending
    expect(writesSince(mark)).toEqual([])
    expect(resultOf(got)["isError"]).toBe(true)
    expect(got!["result"]["structuredContent"]?.error?.code, JSON.stringify(got)).toBe("declined")
  })

  const malformedOutcomes = async (answers: Array<unknown>) => {
    // A connection of its own: a call left waiting holds one of its request slots.
    const own = await initialized(await stdioPeer("2025"))
    const id = await plan(own, "2025", "Malformed answers")
    const mark = fake.requests.length
    const outcomes: Array<string> = []
    for (const malformed of answers) {
      const seen = own.serverRequests.length
      const pending = own.request("tools/call", callParams("2025", "delete_event", { event_id: id }), { timeoutMs: 2000 })
      const question = await nextQuestion(own, seen)
      await answer(own, question, malformed)
      const got = await pending
      expect(textsOf(got)).not.toMatch(STACK)
      outcomes.push(
        `${JSON.stringify(malformed)} → ${
          got === undefined
            ? "no answer within 2 s"
            : got["result"]?.structuredContent?.error?.code ?? JSON.stringify(got["result"] ?? got["error"]).slice(0, 300)
        }`
      )
    }
    expect(writesSince(mark)).toEqual([])
    expect(await eventExists(own, "2025", id)).toBe(true)
    return outcomes
  }

  it("takes an elicitation result of the wrong shape as a no: declined, with its code, in one line, nothing deleted", async () => {
    const outcomes = await malformedOutcomes([
      {},
      { action: "yes" },
      { action: "accept", content: "confirm" },
      { action: "accept", content: [true] }
    ])
    expect(outcomes.filter((o) => !o.endsWith("→ declined")), outcomes.join("\n")).toEqual([])
  }, 20_000)

  it("ends the call at once, as a no, when the elicitation's answer is not an object at all (not left waiting 10 minutes)", async () => {
    const outcomes = await malformedOutcomes(["accept", null, [{ action: "accept", content: { confirm: true } }]])
    expect(outcomes.filter((o) => !o.endsWith("→ declined")), outcomes.join("\n")).toEqual([])
  }, 20_000)

  it("counts the first answer to a question only: a second answer, or one to a question never asked, is ignored", async () => {
    const id = await plan(peer, "2025", "Answered twice")
    const mark = fake.requests.length
    const seen = peer.serverRequests.length
    const pending = del(id)
    const question = await nextQuestion(peer, seen)
    await answer(peer, question, { action: "decline" })
    await answer(peer, question, { action: "accept", content: { confirm: true } })
    await peer.send({ jsonrpc: "2.0", id: 987_654, result: { action: "accept", content: { confirm: true } } })
    await peer.send({ jsonrpc: "2.0", id: "made-up", result: { action: "accept", content: { confirm: true } } })
    expectDeclined(await pending)
    await sleep(500)
    expect(writesSince(mark)).toEqual([])
    expect(await peer.alive()).toBe(true)
  })

  it("keeps two confirmations on one connection apart, answered in the other order: each answer is its own question's", async () => {
    const a = await plan(peer, "2025", "Crossed A")
    const b = await plan(peer, "2025", "Crossed B")
    const mark = fake.requests.length
    const seen = peer.serverRequests.length
    const pendingA = del(a)
    const pendingB = del(b)
    expect(await eventually(() => peer.serverRequests.length >= seen + 2, 8000)).toBe(true)
    const [first, second] = peer.serverRequests.slice(seen, seen + 2) as [Msg, Msg]
    const forA = first["params"].message.includes(`"Crossed A"`) ? first : second
    const forB = forA === first ? second : first
    expect(forB["params"].message).toContain(`"Crossed B"`)
    // B's yes first, then A's no.
    await answer(peer, forB, { action: "accept", content: { confirm: true } })
    await sleep(200)
    await answer(peer, forA, { action: "decline" })
    const [gotA, gotB] = await Promise.all([pendingA, pendingB])
    expectDeclined(gotA)
    expect(resultOf(gotB)["isError"], textsOf(gotB)).toBeFalsy()
    expect(deletesOf(mark, a)).toBe(0)
    expect(deletesOf(mark, b)).toBe(1)
  })

  it("asks once, inside the call, naming the event by id, and a yes deletes that event even if renamed meanwhile", async () => {
    const id = await plan(peer, "2025", "Renamed round 0")
    let round = 0
    let message = ""
    peer.onServerRequest = (question) => {
      void (async () => {
        round++
        message = String(question["params"]?.message ?? "")
        await peer.request("tools/call", callParams("2025", "add_or_update_event", { event_id: id, name: `Renamed round ${round}` }))
        await answer(peer, question, { action: "accept", content: { confirm: true } })
      })()
    }
    const mark = fake.requests.length
    const got = await del(id, { timeoutMs: 20_000 })
    peer.onServerRequest = () => undefined
    expect(round).toBe(1)
    expect(message).toContain(`(event ${id})`)
    expect(resultOf(got)["isError"], textsOf(got)).toBeFalsy()
    expect(deletesOf(mark, id)).toBe(1)
  }, 25_000)

  it("asks before a move and then reports its progress for the call's token", async () => {
    const start = addDays(localToday(TIMEZONE), 300)
    for (const [i, name] of ["Legacy move A", "Legacy move B"].entries()) await plan(peer, "2025", name, addDays(start, i))
    peer.onServerRequest = (question) => void answer(peer, question, { action: "accept", content: { confirm: true } })
    const got = await peer.request("tools/call", callParams("2025", "move_events", { start_date: start, end_date: addDays(start, 1), days: 3, dry_run: false }, {}, { progressToken: "legacy-move" }))
    expect(resultOf(got)["isError"], textsOf(got)).toBeFalsy()
    const progress = peer.received.filter((m) => m["method"] === "notifications/progress" && m["params"].progressToken === "legacy-move")
    expect(progress.map((m) => m["params"].message)).toEqual(["moving event 1 of 2", "moving event 2 of 2"])
  })
})

describe("a 2025 client over stdio, stopped or swamped with a question pending", () => {
  it("answers a call still waiting for its question when told to stop (SIGTERM), and exits without writing", async () => {
    const peer = await initialized(await stdioPeer("2025", { MCP_SHUTDOWN_GRACE_MS: "1000" }))
    const id = await plan(peer, "2025", "Pending at SIGTERM")
    const mark = fake.requests.length
    const callId = nextId++
    const pending = peer.request("tools/call", callParams("2025", "delete_event", { event_id: id }), { id: callId, timeoutMs: 8000 })
    await nextQuestion(peer, 0)
    const stoppedAt = Date.now()
    peer.child.kill("SIGTERM")
    const code = await Promise.race([peer.exited, sleep(8000).then(() => "still running")])
    expect(code, peer.stderr().slice(-2000)).toBe(0)
    expect(Date.now() - stoppedAt).toBeLessThan(5000)
    expect(writesSince(mark)).toEqual([])
    // Like every other call in flight at shutdown, it is answered, not left to a closed pipe.
    const got = await pending
    expect(got, "the pending call was answered before the exit").toBeDefined()
    expect(textsOf(got)).not.toMatch(STACK)
  })

  it("still serves a client that cancelled more calls waiting for their question than it may have requests open", async () => {
    const peer = await initialized(await stdioPeer("2025"))
    const id = await plan(peer, "2025", "Cancelled 17 times")
    const mark = fake.requests.length
    for (let i = 0; i < 17; i++) {
      const callId = nextId++
      const seen = peer.serverRequests.length
      void peer.request("tools/call", callParams("2025", "delete_event", { event_id: id }), { id: callId, timeoutMs: 1000 })
      if (!(await eventually(() => peer.serverRequests.length > seen, 3000))) break
      await peer.send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: callId, reason: "changed my mind" } })
    }
    await sleep(300)
    const questions = peer.serverRequests.length
    const list = await peer.request("tools/list", {}, { timeoutMs: 3000 })
    expect(writesSince(mark)).toEqual([])
    expect(list?.["result"]?.tools, `tools/list is answered after the cancelled calls (${questions} of 17 were asked)`).toBeDefined()
    expect(questions, "every one of the 17 calls was asked (none waited for a free slot)").toBe(17)
  }, 20_000)

  it("makes a client that left 16 questions unanswered wait its turn, and serves it again once it answers one", async () => {
    const peer = await initialized(await stdioPeer("2025"))
    const ids: Array<number> = []
    for (let i = 0; i < 16; i++) ids.push(await plan(peer, "2025", `Swamp ${i}`))
    const mark = fake.requests.length
    const pending = ids.map((id) => peer.request("tools/call", callParams("2025", "delete_event", { event_id: id }), { timeoutMs: 10_000 }))
    expect(await eventually(() => peer.serverRequests.length >= 16, 8000)).toBe(true)
    // The 17th request waits for a slot (MAX_OPEN_REQUESTS): the questions hold them.
    const list = peer.request("tools/list", {}, { timeoutMs: 6000 })
    await sleep(500)
    expect(peer.received.some((m) => m["result"]?.tools !== undefined)).toBe(false)
    await answer(peer, peer.serverRequests[0]!, { action: "decline" })
    expect((await list)?.["result"]?.tools).toBeDefined()
    for (const question of peer.serverRequests.slice(1)) await answer(peer, question, { action: "cancel" })
    for (const got of await Promise.all(pending)) expectDeclined(got)
    expect(writesSince(mark)).toEqual([])
  }, 20_000)
})

// ---------------------------------------------------------------------------------------------------------------
// 2025 era over Streamable HTTP: the question on the POST's event stream, the answer in a POST of its own
// ---------------------------------------------------------------------------------------------------------------

describe("a 2025 client over Streamable HTTP (sessions) that declared elicitation", () => {
  let server: HttpServerProcess
  let peer: Peer
  beforeAll(async () => {
    server = await startHttp()
    peer = await httpPeer(server, "2025")
  }, 20_000)
  beforeEach(() => {
    peer.onServerRequest = () => undefined
  })
  const del = (id: number, options: { id?: Id; timeoutMs?: number } = {}) =>
    peer.request("tools/call", callParams("2025", "delete_event", { event_id: id }), options)

  it("is asked on the call's stream, deletes on a yes and not on a no", async () => {
    const id = await plan(peer, "2025", "HTTP control")
    const keep = await plan(peer, "2025", "HTTP keep")
    const mark = fake.requests.length
    let seen = peer.serverRequests.length
    const yes = del(id)
    await answer(peer, await nextQuestion(peer, seen), { action: "accept", content: { confirm: true } })
    expect(resultOf(await yes)["isError"], textsOf(await yes)).toBeFalsy()
    seen = peer.serverRequests.length
    const no = del(keep)
    await answer(peer, await nextQuestion(peer, seen), { action: "decline" })
    expectDeclined(await no)
    expect(deletesOf(mark, id)).toBe(1)
    expect(deletesOf(mark, keep)).toBe(0)
  })

  it("deletes nothing for a call cancelled while its question waits, even when a yes comes after", async () => {
    const id = await plan(peer, "2025", "HTTP cancelled")
    const mark = fake.requests.length
    const seen = peer.serverRequests.length
    const callId = nextId++
    const pending = del(id, { id: callId, timeoutMs: 3000 })
    const question = await nextQuestion(peer, seen)
    await peer.send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: callId, reason: "no" } })
    await sleep(300)
    // The late yes may be refused (the question is gone) or taken and dropped; either way nothing is deleted.
    await answer(peer, question, { action: "accept", content: { confirm: true } }).catch(() => undefined)
    const got = await pending
    expect(got?.["result"]?.isError === false || got?.["result"]?.structuredContent?.deleted !== undefined).toBe(false)
    await sleep(500)
    expect(writesSince(mark)).toEqual([])
    expect(await eventExists(peer, "2025", id)).toBe(true)
    expect(await peer.alive()).toBe(true)
  })

  it("deletes nothing for a call whose client dropped the connection while its question waits", async () => {
    const id = await plan(peer, "2025", "HTTP dropped")
    const mark = fake.requests.length
    const seen = peer.serverRequests.length
    const callId = nextId++
    void del(id, { id: callId, timeoutMs: 3000 })
    const question = await nextQuestion(peer, seen)
    peer.disconnect(callId)
    await sleep(500)
    await answer(peer, question, { action: "accept", content: { confirm: true } }).catch(() => undefined)
    await sleep(800)
    expect(writesSince(mark)).toEqual([])
    expect(await eventExists(peer, "2025", id)).toBe(true)
    expect(await peer.alive()).toBe(true)
  })

  it("deletes nothing when the client ends its session while a question waits, and a late yes is refused", async () => {
    const own = await httpPeer(server, "2025")
    const id = await plan(own, "2025", "HTTP session ended")
    const mark = fake.requests.length
    const pending = own.request("tools/call", callParams("2025", "delete_event", { event_id: id }), { timeoutMs: 3000 })
    const question = await nextQuestion(own, 0)
    expect(await own.terminate()).toBe(200)
    const late = await answer(own, question, { action: "accept", content: { confirm: true } }).then(() => "taken", (e: Error) => e.message)
    expect(late).toMatch(/HTTP 404/)
    const got = await pending
    expect(textsOf(got)).not.toMatch(STACK)
    await sleep(500)
    expect(writesSince(mark)).toEqual([])
    expect(await eventExists(peer, "2025", id)).toBe(true)
    expect(await peer.alive()).toBe(true)
  })

  it("takes an answer that is not an elicitation result at all as a no, at once (not a call left waiting)", async () => {
    const id = await plan(peer, "2025", "HTTP malformed")
    const mark = fake.requests.length
    const seen = peer.serverRequests.length
    const pending = del(id, { timeoutMs: 3000 })
    const question = await nextQuestion(peer, seen)
    const status = await peer.send({ jsonrpc: "2.0", id: question["id"], result: "accept" }).then(() => "accepted", (e: Error) => e.message)
    const got = await pending
    expect(writesSince(mark)).toEqual([])
    expect(got, `an answer to the call (the POST of the malformed answer: ${status})`).toBeDefined()
    expectDeclined(got)
  })
})

describe("a 2025 client over Streamable HTTP, stopped with a question pending", () => {
  it("answers the call waiting for its question when told to stop (SIGTERM), and exits without writing", async () => {
    const server = await startHttp({ MCP_SHUTDOWN_GRACE_MS: "1000" })
    const peer = await httpPeer(server, "2025")
    const id = await plan(peer, "2025", "HTTP pending at SIGTERM")
    const mark = fake.requests.length
    const pending = peer.request("tools/call", callParams("2025", "delete_event", { event_id: id }), { timeoutMs: 8000 })
    await nextQuestion(peer, 0)
    const stoppedAt = Date.now()
    const exited = server.stop("SIGTERM")
    const code = await Promise.race([exited, sleep(8000).then(() => "still running")])
    expect(code, server.stderr().slice(-2000)).toBe(0)
    expect(Date.now() - stoppedAt).toBeLessThan(5000)
    expect(writesSince(mark)).toEqual([])
    const got = await pending
    expect(got?.["result"] ?? got?.["error"], `the pending call was answered: ${JSON.stringify(got)}`).toBeDefined()
    expect(got?.["error"]?.message ?? "").not.toMatch(/^HTTP \d+ with no answer$/)
    expect(textsOf(got)).not.toMatch(STACK)
  })
})

describe("a 2025 client that declares elicitation to a stateless HTTP server (no way back to it)", () => {
  let peer: Peer
  beforeAll(async () => {
    peer = await httpPeer(await startHttp({ MCP_STATELESS: "true" }), "2025")
  }, 20_000)

  it("is never asked: the tools' own rules apply, at once (a future event is deleted, a range is a preview, a bulk add needs its token)", async () => {
    const id = await plan(peer, "2025", "Stateless delete")
    const start = addDays(localToday(TIMEZONE), 400)
    await plan(peer, "2025", "Stateless range", start)
    const mark = fake.requests.length
    const started = Date.now()
    const deleted = await peer.request("tools/call", callParams("2025", "delete_event", { event_id: id }), { timeoutMs: 5000 })
    expect(resultOf(deleted)["isError"], textsOf(deleted)).toBeFalsy()
    expect(deletesOf(mark, id)).toBe(1)
    const preview = await peer.request("tools/call", callParams("2025", "delete_events_by_date_range", { start_date: start, end_date: start, category: ["WORKOUT"] }), { timeoutMs: 5000 })
    expect(resultOf(preview)["structuredContent"]).toMatchObject({ preview: true, deleted_count: 0 })
    const bulk = await peer.request("tools/call", callParams("2025", "add_events_bulk", {
      events: [{ date: addDays(start, 1), name: "No token", workout_type: "Ride", text: "- 1h 65%" }],
      dry_run: false
    }), { timeoutMs: 5000 })
    expect(resultOf(bulk)["isError"]).toBe(true)
    expect(textsOf(bulk)).toMatch(/token/)
    expect(Date.now() - started).toBeLessThan(8000)
    expect(peer.serverRequests).toEqual([])
    expect(writesSince(mark).length).toBe(1)
  })
})

// ---------------------------------------------------------------------------------------------------------------
// The seal: what it binds, and where it holds
// ---------------------------------------------------------------------------------------------------------------

describe("the seal of a question", () => {
  it("does not carry a yes from one event to another that looks the same (same name, same day)", async () => {
    const peer = await stdioPeer()
    const on = addDays(localToday(TIMEZONE), 500)
    const a = await plan(peer, "2026", "Twin", on)
    const b = await plan(peer, "2026", "Twin", on)
    const first = await peer.request("tools/call", callParams("2026", "delete_event", { event_id: a }))
    expectAskedAgain(first)
    const mark = fake.requests.length
    // The person said yes to deleting A; the client sends that yes with a call that deletes B.
    const replay = await peer.request("tools/call", callParams("2026", "delete_event", { event_id: b }, {
      inputResponses: { confirm: { action: "accept", content: { confirm: true } } },
      requestState: first!["result"]["requestState"]
    }))
    expect(deletesOf(mark, b), `B was deleted with A's yes: ${textsOf(replay).slice(0, 200)}`).toBe(0)
    expectAskedAgain(replay)
  })

  it("holds across stateless replicas behind one load balancer: a yes to one replica's question counts on the other", async () => {
    const one = await httpPeer(await startHttp({ MCP_STATELESS: "true" }), "2026")
    const two = await httpPeer(await startHttp({ MCP_STATELESS: "true" }), "2026")
    const id = await plan(one, "2026", "Across replicas")
    const first = await one.request("tools/call", callParams("2026", "delete_event", { event_id: id }))
    expectAskedAgain(first)
    const mark = fake.requests.length
    const retried = await two.request("tools/call", callParams("2026", "delete_event", { event_id: id }, {
      inputResponses: { confirm: { action: "accept", content: { confirm: true } } },
      requestState: first!["result"]["requestState"]
    }))
    expect(resultOf(retried)["resultType"], "the other replica asks the same question again instead of taking the yes").not.toBe("input_required")
    expect(deletesOf(mark, id)).toBe(1)
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Progress tokens
// ---------------------------------------------------------------------------------------------------------------

const progressTransports = [
  { name: "stdio (2025)", era: "2025" as const, open: async () => initialized(await stdioPeer("2025"), {}) },
  { name: "Streamable HTTP (2026-07-28)", era: "2026" as const, open: async () => httpPeer(await startHttp(), "2026") }
] as const

for (const transport of progressTransports) {
  describe(`progress tokens over ${transport.name}`, () => {
    let peer: Peer
    beforeAll(async () => {
      peer = await transport.open()
    }, 20_000)
    const analysis = (token: unknown, options: { timeoutMs?: number } = {}) =>
      peer.request("tools/call", callParams(transport.era, "get_activity_analysis", { activity_id: POWER_RIDE_ID }, {}, { progressToken: token }), options)
    const progressFor = (token: unknown) =>
      peer.received.filter((m) => m["method"] === "notifications/progress" && JSON.stringify(m["params"].progressToken) === JSON.stringify(token))

    it("refuses a progressToken that is neither text nor a number, in one line, and keeps serving", async () => {
      for (const token of [{ a: 1 }, [1], true, null]) {
        const got = await analysis(token, { timeoutMs: 5000 })
        expect(got, `an answer for progressToken ${JSON.stringify(token)}`).toBeDefined()
        expect(textsOf(got)).not.toMatch(STACK)
        expect(got!["error"]?.code, JSON.stringify(got).slice(0, 300)).toBe(-32602)
        expect(got!["error"].message).toMatch(/progressToken/)
        expect(got!["error"].message.length).toBeLessThan(400)
      }
      expect(await peer.alive()).toBe(true)
    })

    it("echoes a 64 KB token, a negative one and an empty one exactly, for each part; a fractional one is refused clearly", async () => {
      const fractional = await analysis(1.5)
      if (fractional?.["error"] !== undefined) expect(fractional["error"]).toMatchObject({ code: -32602, message: expect.stringMatching(/progressToken/) })
      else expect(resultOf(fractional)["isError"]).toBeFalsy()
      for (const token of ["t".repeat(64 * 1024), -7, ""]) {
        const got = await analysis(token)
        expect(resultOf(got)["isError"], textsOf(got)).toBeFalsy()
        await sleep(100)
        const parts = progressFor(token)
        expect(parts.length, `progress for ${String(token).slice(0, 20)}`).toBeGreaterThanOrEqual(6)
        expect(parts.every((m) => m["params"].progressToken === token)).toBe(true)
      }
    })

    it("answers two concurrent calls that share one token, each with its own answer", async () => {
      const token = `shared-${transport.name}`
      const [one, two] = await Promise.all([analysis(token), analysis(token)])
      expect(resultOf(one)["isError"]).toBeFalsy()
      expect(resultOf(two)["isError"]).toBeFalsy()
      await sleep(100)
      expect(progressFor(token).length).toBeGreaterThanOrEqual(12)
      expect(await peer.alive()).toBe(true)
    })
  })
}

describe("a move cancelled mid-way by a client that asked for progress", () => {
  it("answers nothing for it, keeps serving at once, and finishes the move it began (a write runs to its end)", async () => {
    const peer = await initialized(await stdioPeer("2025"), {})
    const start = addDays(localToday(TIMEZONE), 600)
    const ids: Array<number> = []
    for (let i = 0; i < 4; i++) ids.push(await plan(peer, "2025", `Cancelled move ${i}`, addDays(start, i)))
    const args = { start_date: start, end_date: addDays(start, 3), days: 10 }
    const preview = resultOf(await peer.request("tools/call", callParams("2025", "move_events", args)))
    const token = (preview["structuredContent"] as { token: string }).token
    fake.faults.push({ match: (r) => r.method === "PUT" && r.path.includes("/events/"), delayMs: 400 })
    const mark = fake.requests.length
    const callId = nextId++
    void peer.request("tools/call", callParams("2025", "move_events", { ...args, dry_run: false, token }, {}, { progressToken: "mid-move" }), { id: callId, timeoutMs: 8000 })
    expect(await eventually(() => peer.received.some((m) => m["params"]?.progressToken === "mid-move"), 5000)).toBe(true)
    await peer.send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: callId, reason: "stop" } })
    const cancelledAt = Date.now()
    const progressAtCancel = peer.received.filter((m) => m["params"]?.progressToken === "mid-move").length
    // Served at once while the move goes on.
    expect((await peer.request("ping", {}, { timeoutMs: 1500 }))?.["result"]).toBeDefined()
    expect(Date.now() - cancelledAt).toBeLessThan(1500)
    expect(await eventually(() => writesSince(mark).filter((r) => r.method === "PUT").length === 4, 6000)).toBe(true)
    await sleep(300)
    expect(peer.received.filter((m) => m["id"] === callId)).toEqual([])
    // Observed, not required: the write that goes on still reports progress for the cancelled request's token.
    expect(peer.received.filter((m) => m["params"]?.progressToken === "mid-move").length).toBeGreaterThanOrEqual(progressAtCancel)
    expect(await peer.alive()).toBe(true)
  }, 20_000)
})

// ---------------------------------------------------------------------------------------------------------------
// Every destructive tool, era mixing and partial capabilities
// ---------------------------------------------------------------------------------------------------------------

describe("every destructive tool, in INTERVALS_WRITE_MODE=full", () => {
  const targets = () => {
    const workout = (fake.fixtures.folders ?? []).flatMap((f) => (f["children"] ?? []) as Array<Msg>)[0]!
    return [
      ["delete_library_workout", { workout_id: workout["id"] }],
      ["delete_activity", { activity_id: fake.fixtures.activities[3]["id"] }],
      ["delete_custom_item", { item_id: 9102 }]
    ] as Array<[string, Msg]>
  }

  it("2026-07-28: asks, takes a forged state and a no as what they are, and writes nothing", async () => {
    const peer = await stdioPeer("2026", { INTERVALS_WRITE_MODE: "full" })
    const mark = fake.requests.length
    for (const [name, args] of targets()) {
      const first = await peer.request("tools/call", callParams("2026", name, args))
      expectAskedAgain(first)
      expect(first!["result"]["inputRequests"]["confirm"]["params"].message, name).toMatch(/^Delete the /)
      expectAskedAgain(await peer.request("tools/call", callParams("2026", name, args, {
        inputResponses: { confirm: { action: "accept", content: { confirm: true } } },
        requestState: `${first!["result"]["requestState"]}x`
      })))
      expectDeclined(await peer.request("tools/call", callParams("2026", name, args, {
        inputResponses: { confirm: { action: "accept", content: { confirm: false } } },
        requestState: first!["result"]["requestState"]
      })))
    }
    expect(writesSince(mark)).toEqual([])
  })

  it("2025: asks each with elicitation/create, and a no writes nothing", async () => {
    const peer = await initialized(await stdioPeer("2025", { INTERVALS_WRITE_MODE: "full" }))
    peer.onServerRequest = (question) => void answer(peer, question, { action: "decline" })
    const mark = fake.requests.length
    for (const [name, args] of targets()) {
      const seen = peer.serverRequests.length
      expectDeclined(await peer.request("tools/call", callParams("2025", name, args)))
      expect(peer.serverRequests.length, name).toBe(seen + 1)
    }
    expect(writesSince(mark)).toEqual([])
  })
})

describe("era mixing and partial capabilities", () => {
  it("asks a 2025 client that sends the retry fields itself (a forged state, a yes): elicitation/create still comes", async () => {
    const peer = await initialized(await stdioPeer("2025"))
    const id = await plan(peer, "2025", "Legacy forger")
    peer.onServerRequest = (question) => void answer(peer, question, { action: "decline" })
    const mark = fake.requests.length
    const seen = peer.serverRequests.length
    const got = await peer.request("tools/call", callParams("2025", "delete_event", { event_id: id }, {
      inputResponses: { confirm: { action: "accept", content: { confirm: true } } },
      requestState: randomBytes(32).toString("base64url")
    }))
    expect(textsOf(got)).not.toMatch(STACK)
    expect(writesSince(mark)).toEqual([])
    if (got?.["error"] === undefined) {
      expect(peer.serverRequests.length).toBe(seen + 1)
      expectDeclined(got)
    } else expect(got["error"].code).toBe(-32602)
  })

  it("answers a 2026-07-28 request on a connection pinned to 2025 with a clear error, or serves it, but never half of each", async () => {
    const peer = await initialized(await stdioPeer("2025"))
    const id = await plan(peer, "2025", "Era mix")
    const mark = fake.requests.length
    peer.onServerRequest = (question) => void answer(peer, question, { action: "decline" })
    const got = await peer.request("tools/call", callParams("2026", "delete_event", { event_id: id }), { timeoutMs: 5000 })
    expect(got, "an answer").toBeDefined()
    expect(textsOf(got)).not.toMatch(STACK)
    // Either refused (the connection speaks 2025), or asked the 2025 way; an input_required result is not 2025 vocabulary.
    expect(got!["result"]?.resultType).not.toBe("input_required")
    if (got!["error"] === undefined) expectDeclined(got)
    expect(writesSince(mark)).toEqual([])
    expect(await peer.alive()).toBe(true)
  })

  for (const era of ["2025", "2026"] as const) {
    it(`keeps the tools' own rules for a ${era} client that can show only URL elicitations (no form it cannot show)`, async () => {
      const urlOnly = { elicitation: { url: {} } }
      const peer = era === "2025" ? await initialized(await stdioPeer("2025"), urlOnly) : await stdioPeer("2026")
      const params = (args: Msg) =>
        era === "2025"
          ? callParams("2025", "delete_events_by_date_range", args)
          : { name: "delete_events_by_date_range", arguments: args, _meta: envelope(urlOnly) }
      const start = addDays(localToday(TIMEZONE), 700 + (era === "2025" ? 0 : 5))
      await plan(peer, era, `URL only ${era}`, start)
      const mark = fake.requests.length
      const got = await peer.request("tools/call", params({ start_date: start, end_date: start, category: ["WORKOUT"] }), { timeoutMs: 5000 })
      expect(got, "an answer").toBeDefined()
      expect(textsOf(got)).not.toMatch(STACK)
      expect(peer.serverRequests.filter((r) => r["params"]?.mode !== "url"), "no form elicitation was sent").toEqual([])
      expect(writesSince(mark)).toEqual([])
      // As for a client without elicitation: a range delete without confirm: true is a preview.
      expect(got!["error"], JSON.stringify(got)).toBeUndefined()
      expect(got!["result"]["isError"], textsOf(got)).toBeFalsy()
      expect(got!["result"]["structuredContent"]).toMatchObject({ preview: true, deleted_count: 0 })
    })
  }

  it("keeps two concurrent 2026-07-28 confirmations apart when their states are crossed: both asked again", async () => {
    const peer = await stdioPeer()
    const a = await plan(peer, "2026", "Concurrent A")
    const b = await plan(peer, "2026", "Concurrent B")
    const [askA, askB] = await Promise.all([
      peer.request("tools/call", callParams("2026", "delete_event", { event_id: a })),
      peer.request("tools/call", callParams("2026", "delete_event", { event_id: b }))
    ])
    const yes = { confirm: { action: "accept", content: { confirm: true } } }
    const mark = fake.requests.length
    const [gotA, gotB] = await Promise.all([
      peer.request("tools/call", callParams("2026", "delete_event", { event_id: a }, { inputResponses: yes, requestState: askB!["result"]["requestState"] })),
      peer.request("tools/call", callParams("2026", "delete_event", { event_id: b }, { inputResponses: yes, requestState: askA!["result"]["requestState"] }))
    ])
    expectAskedAgain(gotA)
    expectAskedAgain(gotB)
    expect(writesSince(mark)).toEqual([])
  })

  it("asks a client of the 2025-06-18 revision that declared elicitation as {} (form mode), and a yes deletes", async () => {
    const peer = await stdioPeer("2025")
    const init = await peer.request("initialize", { protocolVersion: "2025-06-18", capabilities: { elicitation: {} }, clientInfo: CLIENT_INFO })
    expect(init?.["result"]?.protocolVersion).toBe("2025-06-18")
    await peer.send({ jsonrpc: "2.0", method: "notifications/initialized" })
    const id = await plan(peer, "2025", "June client")
    peer.onServerRequest = (question) => void answer(peer, question, { action: "accept", content: { confirm: true } })
    const mark = fake.requests.length
    const got = await peer.request("tools/call", callParams("2025", "delete_event", { event_id: id }))
    expect(resultOf(got)["isError"], textsOf(got)).toBeFalsy()
    expect(peer.serverRequests).toHaveLength(1)
    expect(deletesOf(mark, id)).toBe(1)
  })

  it("takes a 2025 yes with extra keys as a yes, and a yes whose confirm is the text \"true\" as a no", async () => {
    const peer = await initialized(await stdioPeer("2025"))
    const yes = await plan(peer, "2025", "Legacy extra keys")
    const no = await plan(peer, "2025", "Legacy text true")
    const mark = fake.requests.length
    peer.onServerRequest = (question) => void answer(peer, question, { action: "accept", content: { confirm: true, why: "sure" }, _meta: { a: 1 } })
    expect(resultOf(await peer.request("tools/call", callParams("2025", "delete_event", { event_id: yes })))["isError"]).toBeFalsy()
    peer.onServerRequest = (question) => void answer(peer, question, { action: "accept", content: { confirm: "true" } })
    expectDeclined(await peer.request("tools/call", callParams("2025", "delete_event", { event_id: no })))
    expect(deletesOf(mark, yes)).toBe(1)
    expect(deletesOf(mark, no)).toBe(0)
  })
})
