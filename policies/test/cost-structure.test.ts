import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/** The cost model stays readable only if no function grows back into a monolith. */
const MAX_LINES = 80;
const COST_DIR = path.resolve(__dirname, "..", "cost");

/** Every function (declaration, method, arrow, expression) with its length in lines. */
function functionLengths(file: string, text: string): { name: string; lines: number }[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: { name: string; lines: number }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = node.name && ts.isIdentifier(node.name) ? node.name.text : "(anonymous)";
      found.push({ name: `${path.basename(file)}:${first + 1} ${name}`, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(path.join(dir, e.name))
      : e.name.endsWith(".ts")
        ? [path.join(dir, e.name)]
        : [],
  );
}

describe("cost model structure", () => {
  it(`has no function longer than ${MAX_LINES} lines`, () => {
    const all = sources(COST_DIR).flatMap((f) => functionLengths(f, readFileSync(f, "utf8")));
    // The walk must see the model's entry point, or an empty list would pass.
    expect(all.some((f) => f.name.includes("estimateMonthlyCost"))).toBe(true);
    expect(all.filter((f) => f.lines > MAX_LINES)).toEqual([]);
  });

  it("measures a function from its first line to its last", () => {
    const body = Array.from({ length: MAX_LINES - 1 }, (_, i) => `  const x${i} = ${i};`);
    const long = `export function long() {\n${body.join("\n")}\n}\n`;
    expect(functionLengths("long.ts", long)).toEqual([
      { name: "long.ts:1 long", lines: MAX_LINES + 1 },
    ]);
    const arrow = "const f = (a: number) =>\n  a + 1;\n";
    expect(functionLengths("arrow.ts", arrow)[0]!.lines).toBe(2);
  });
});
