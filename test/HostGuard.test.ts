import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { HttpConfig } from "../src/services/HttpConfig.js"
import { ServerAuth } from "../src/services/ServerAuth.js"
import { makeHostGuard } from "../src/transports/HostGuard.js"

describe("HostGuard", () => {
  it("on loopback answers only loopback names, whatever the port", () => {
    const guard = makeHostGuard({ bindHost: "127.0.0.1", allowedHosts: [], allowedOrigins: [] })
    expect(guard.hostAllowed("127.0.0.1:8000")).toBe(true)
    expect(guard.hostAllowed("localhost:8000")).toBe(true)
    expect(guard.hostAllowed("[::1]:8000")).toBe(true)
    expect(guard.hostAllowed("attacker.example:8000")).toBe(false)
    expect(guard.hostAllowed("localhost.attacker.example")).toBe(false)
    expect(guard.hostAllowed(undefined)).toBe(false)
    expect(guard.originAllowed(undefined, "localhost:8000")).toBe(true)
    expect(guard.originAllowed("http://localhost:8000", "localhost:8000")).toBe(true)
    // A page on another port of the same machine is another origin.
    expect(guard.originAllowed("http://localhost:5173", "localhost:8000")).toBe(false)
    expect(guard.originAllowed("http://127.0.0.1:8000", "localhost:8000")).toBe(false)
    expect(guard.originAllowed("http://attacker.example", "localhost:8000")).toBe(false)
    expect(guard.originAllowed("null", "localhost:8000")).toBe(false)
  })

  it("extends the defaults with MCP_ALLOWED_HOSTS and MCP_ALLOWED_ORIGINS", () => {
    const guard = makeHostGuard({
      bindHost: "127.0.0.1",
      allowedHosts: ["mcp.example.org", "tunnel.example.net:443"],
      allowedOrigins: ["https://chatgpt.com"]
    })
    expect(guard.hostAllowed("mcp.example.org")).toBe(true)
    expect(guard.hostAllowed("MCP.example.org:8443")).toBe(true)
    expect(guard.hostAllowed("tunnel.example.net:443")).toBe(true)
    expect(guard.hostAllowed("tunnel.example.net:80")).toBe(false)
    expect(guard.originAllowed("https://chatgpt.com/", "mcp.example.org")).toBe(true)
    expect(guard.originAllowed("https://mcp.example.org", "mcp.example.org")).toBe(true)
    expect(guard.originAllowed("https://mcp.example.org:8443", "mcp.example.org")).toBe(false)
    expect(guard.originAllowed("https://evil.example", "mcp.example.org")).toBe(false)
  })

  it("on every interface answers any Host but only same-origin browsers, unless hosts are listed", () => {
    const open = makeHostGuard({ bindHost: "0.0.0.0", allowedHosts: [], allowedOrigins: [] })
    expect(open.hostAllowed("192.0.2.10:8000")).toBe(true)
    expect(open.originAllowed("http://192.0.2.10:8000", "192.0.2.10:8000")).toBe(true)
    expect(open.originAllowed("http://attacker.example", "192.0.2.10:8000")).toBe(false)
    const listed = makeHostGuard({ bindHost: "0.0.0.0", allowedHosts: ["mcp.example.org"], allowedOrigins: [] })
    expect(listed.hostAllowed("mcp.example.org")).toBe(true)
    expect(listed.hostAllowed("192.0.2.10:8000")).toBe(false)
  })
})

const withEnv = (env: Record<string, string>) =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

describe("ServerAuth", () => {
  const layer = (env: Record<string, string>) =>
    ServerAuth.Default.pipe(Layer.provide(HttpConfig.Default), Layer.provide(withEnv(env)))

  it.effect("accepts exactly Bearer <key>, in any case of the scheme", () =>
    Effect.gen(function*() {
      const auth = yield* ServerAuth
      expect(auth.required).toBe(true)
      yield* auth.check("Bearer k3y-value")
      yield* auth.check("bearer k3y-value")
      const wrong = yield* Effect.flip(auth.check("Bearer k3y-valuE"))
      expect(wrong.reason).toBe("invalid")
      const missing = yield* Effect.flip(auth.check(undefined))
      expect(missing.reason).toBe("missing")
      const basic = yield* Effect.flip(auth.check(`Basic ${Buffer.from("a:k3y-value").toString("base64")}`))
      expect(basic.reason).toBe("missing")
    }).pipe(Effect.provide(layer({ MCP_SERVER_API_KEY: "k3y-value" }))))

  it.effect("requires nothing on loopback without a key", () =>
    Effect.gen(function*() {
      const auth = yield* ServerAuth
      expect(auth.required).toBe(false)
      yield* auth.check(undefined)
    }).pipe(Effect.provide(layer({}))))

  it.effect("refuses to start beyond loopback without a key, unless told to", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.provide(HttpConfig, HttpConfig.Default.pipe(Layer.provide(withEnv({ MCP_HOST: "0.0.0.0" }))))
      )
      expect(String(error)).toContain("MCP_SERVER_API_KEY is not set")
      const config = yield* Effect.provide(
        HttpConfig,
        HttpConfig.Default.pipe(Layer.provide(withEnv({ MCP_HOST: "0.0.0.0", MCP_ALLOW_UNAUTHENTICATED: "true" })))
      )
      expect(config.allowUnauthenticated).toBe(true)
    }))
})
