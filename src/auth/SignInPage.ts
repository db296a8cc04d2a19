/**
 * The page the owner sees when an app asks to connect: which app, where it sends the answer, what it will be able to
 * do (a choice, up to what the app asked and the server allows), and how to prove who they are (the owner secret, or
 * Intervals.icu when the server has an Intervals.icu client). Server-rendered HTML, no script, one small stylesheet
 * inline; every value from a client is escaped.
 */
import { type Access, describeAccess } from "./Access.js"
import type { Shown } from "./AuthorizationServer.js"

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" })[c]!)

const STYLE = "body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}" +
  "h1{font-size:1.4rem}fieldset{border:1px solid #bbb;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}" +
  "label{display:block;margin:.4rem 0}input[type=password]{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}" +
  "button{font-size:1rem;padding:.5rem 1.2rem;margin:.5rem .5rem 0 0;border-radius:6px;border:1px solid #555;cursor:pointer}" +
  ".primary{background:#1a56db;color:#fff;border-color:#1a56db}.problem{background:#fde8e8;border:1px solid #c81e1e;" +
  "padding:.5rem 1rem;border-radius:6px}.small{color:#555;font-size:.9rem}@media (prefers-color-scheme:dark){body{" +
  "background:#111;color:#eee}.small{color:#aaa}.problem{background:#3b0d0d}}"

export const page = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,` +
  `initial-scale=1"><meta name="referrer" content="no-referrer"><title>${escapeHtml(title)} · intervals-mcp</title>` +
  `<style>${STYLE}</style></head><body><main>${body}</main></body></html>`

const LABELS: Record<Access, string> = { read: "Read only", write: "Read and write", delete: "Read, write and delete" }

export interface SignInOptions {
  readonly shown: Shown
  readonly problem?: string | undefined
  readonly ownerSecret: boolean
  readonly intervals: boolean
}

export const signInPage = ({ intervals, ownerSecret, problem, shown }: SignInOptions): string => {
  const name = shown.client.client_name ?? "An app"
  const redirect = new URL(shown.pending.redirect_uri)
  const where = redirect.protocol === "https:" || redirect.protocol === "http:" ? redirect.host : redirect.protocol
  const widest = shown.choices.at(-1)!
  const choices = shown.choices.map((access) =>
    `<label><input type="radio" name="access" value="${access}"${access === widest ? " checked" : ""}> ` +
    `<strong>${LABELS[access]}</strong>: ${escapeHtml(describeAccess(access))}</label>`
  ).join("")
  const hidden = `<input type="hidden" name="request" value="${escapeHtml(shown.id)}">` +
    `<input type="hidden" name="csrf" value="${escapeHtml(shown.pending.csrf)}">`
  return page(
    "Allow access",
    `<h1>${escapeHtml(name)} wants to use your Intervals.icu data</h1>` +
      `<p class="small">It will receive the answer at <strong>${escapeHtml(where)}</strong>` +
      `${shown.client.source === "metadata-document" ? ` (client ${escapeHtml(shown.client.client_id)})` : ""}. ` +
      `Only allow apps you are connecting yourself, right now.</p>` +
      (problem === undefined ? "" : `<p class="problem" role="alert">${escapeHtml(problem)}</p>`) +
      `<form method="post" action="/authorize">${hidden}` +
      `<fieldset><legend>What may it do?</legend>${choices}</fieldset>` +
      (ownerSecret
        ? `<label for="secret">Owner secret (this server's MCP_SERVER_API_KEY or MCP_OWNER_SECRET)</label>` +
          `<input id="secret" name="secret" type="password" autocomplete="current-password" required ` +
          `autofocus spellcheck="false">` +
          `<button class="primary" type="submit" name="action" value="allow">Allow</button>`
        : "") +
      `<button type="submit" name="action" value="deny" formnovalidate>Deny</button>` +
      (intervals
        ? `<p>${ownerSecret ? "Or sign in with your own Intervals.icu account (this app will then see that " +
          "account's data):" : "Sign in with your Intervals.icu account:"}</p>` +
          `<button type="submit" formaction="/authorize/intervals" formnovalidate>Continue with Intervals.icu</button>`
        : "") +
      `</form>`
  )
}

export const messagePage = (title: string, detail: string): string =>
  page(title, `<h1>${escapeHtml(title)}</h1><p role="alert">${escapeHtml(detail)}</p>`)
