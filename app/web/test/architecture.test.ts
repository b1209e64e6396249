import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The source layout the docs promise (docs/app.md): no import cycles, even type-only ones, so
// each module can be read and tested on its own; and dev-only code only under src/local/,
// which nothing deployed imports.
const src = path.resolve(import.meta.dirname, "../src");

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? modules(path.join(dir, e.name))
      : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")
        ? [path.join(dir, e.name)]
        : [],
  );
}

/** Relative imports of a module, resolved to files (type-only imports included). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:import|export)[^"';]*?from\s+"(\.[^"]+)"/g)].map((m) => {
    const target = path.resolve(path.dirname(file), m[1]!);
    return target.endsWith(".ts") ? target : `${target}.ts`;
  });
}

const graph = new Map(modules(src).map((f) => [f, importsOf(f)]));
const rel = (f: string) => path.relative(src, f);

describe("app/web source layout", () => {
  it("has no import cycle", () => {
    const state = new Map<string, "open" | "done">();
    const cycles: string[] = [];
    const visit = (f: string, trail: string[]) => {
      if (state.get(f) === "done") return;
      if (state.get(f) === "open") {
        cycles.push([...trail.slice(trail.indexOf(f)), f].map(rel).join(" → "));
        return;
      }
      state.set(f, "open");
      for (const next of graph.get(f) ?? []) visit(next, [...trail, f]);
      state.set(f, "done");
    };
    for (const f of graph.keys()) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it("keeps dev-only code under src/local/, imported by nothing outside it", () => {
    const local = path.join(src, "local");
    for (const [file, imports] of graph) {
      if (file.startsWith(local)) continue;
      for (const target of imports) expect(target.startsWith(local), rel(file)).toBe(false);
    }
    for (const file of graph.keys()) {
      if (file.startsWith(local)) continue;
      expect(path.basename(file), rel(file)).not.toMatch(/^dev|pglite|redis-server/);
    }
  });

  it("sees every module's imports (the check itself works)", () => {
    expect(graph.get(path.join(src, "app.ts"))).toContain(path.join(src, "deps.ts"));
    expect(graph.size).toBeGreaterThan(15);
  });
});
