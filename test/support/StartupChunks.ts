/**
 * The chunks a bundle's entry imports statically, and theirs, dependencies first: what Node compiles before the entry
 * runs, so before a stdio server can answer `initialize`. Read from the bundle's own import statements (paths relative
 * to the entry's directory). The package test checks what is in them; the bench times each one.
 */
import { readFileSync } from "node:fs"
import { resolve } from "node:path"

export const startupChunks = (dir: string, entry: string): Array<string> => {
  const importsOf = (file: string) =>
    [...readFileSync(resolve(dir, file), "utf8").matchAll(/import\s*(?:\{[^}]*\}\s*from\s*)?"\.\/([^"]+)"/g)]
      .map((m) => (file.includes("/") ? `chunks/${m[1]}` : m[1]!))
  const order: Array<string> = []
  const visit = (file: string) => {
    if (order.includes(file)) return
    for (const dep of importsOf(file)) visit(dep)
    order.push(file)
  }
  visit(entry)
  return order
}
