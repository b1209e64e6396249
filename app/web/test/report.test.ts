import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CATEGORIES, scoreAudit } from "../src/questionnaire";
import { renderReport } from "../src/report";
import { Client, answers, testEnv } from "./harness/app";

// The PDF is checked the way a reader would see it: poppler extracts the text that was drawn
// and the document title, and both must equal what the person typed.
const webDir = path.resolve(import.meta.dirname, "..");
let tmp: string;

beforeAll(async () => {
  for (const tool of ["pdftotext", "pdfinfo", "pdffonts"]) {
    if (!existsSync(`/usr/bin/${tool}`)) {
      throw new Error(
        `/usr/bin/${tool} is missing; install it: \`apt-get install -y poppler-utils\``,
      );
    }
  }
  tmp = await mkdtemp(path.join(os.tmpdir(), "ara-report-"));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

let n = 0;
async function inspect(pdf: Uint8Array) {
  const file = path.join(tmp, `r${++n}.pdf`);
  await writeFile(file, pdf);
  const run = (tool: string, args: string[], after: string[] = []) =>
    execFileSync(`/usr/bin/${tool}`, [...args, file, ...after], { encoding: "utf8" });
  // Long names wrap, so line breaks count as spaces.
  const text = run("pdftotext", ["-enc", "UTF-8", "-raw"], ["-"]).replace(/\s+/g, " ");
  const title = /^Title:\s*(.*)$/m.exec(run("pdfinfo", ["-enc", "UTF-8"]))?.[1] ?? "";
  return { text, title, fonts: run("pdffonts", []), size: pdf.length };
}

function report(organization: string) {
  const a = answers((_, i) => i % 5);
  const scored = scoreAudit(a);
  return renderReport({
    id: "00000000-0000-4000-8000-000000000000",
    organization,
    score: scored.score,
    level: scored.level,
    categoryScores: scored.categoryScores,
    recommendations: scored.recommendations,
    createdAt: new Date("2026-11-21T10:00:00Z"),
  });
}

const NAMES = [
  "Acme Widgets — Zürich",
  "O’Reilly & Søn — “Quoted” €100",
  "Société Générale d’Électricité – Łódź, Ærøskøbing, İstanbul, Dvořák",
  "Ελληνική Εταιρεία Λογισμικού Α.Ε. — Αθήνα",
  "ООО «Ромашка» — Москва, Київ, Беларусь",
  // "ffi" and "fl" must come out as letters, not as ligature glyphs that extract as U+FB03.
  "Official Workflow Offices",
];

describe("the PDF report prints names exactly", () => {
  it.each(NAMES)("%s: in the body and in the document title", async (name) => {
    const { text, title } = await inspect(await report(name));
    expect(text).toContain(`Organization: ${name} Date:`);
    expect(title).toBe(`Agent Readiness Audit - ${name}`);
  });

  it("still prints the category scores and recommendations in the same font", async () => {
    const { text } = await inspect(await report("Müller"));
    for (const c of CATEGORIES) expect(text).toContain(`${c.title} (weight ${c.weight}%)`);
    expect(text).toContain("Recommendations");
  });

  it("characters the font cannot draw become '?', one per character", async () => {
    const { text, title } = await inspect(await report("Tokyo 東京 🚀 Zürich"));
    expect(text).toContain("Organization: Tokyo ?? ? Zürich Date:");
    // The title is metadata, not drawn: a PDF viewer shows it with its own fonts.
    expect(title).toBe("Agent Readiness Audit - Tokyo 東京 🚀 Zürich");
  });

  it("decomposed accents print as the composed letters", async () => {
    const { text } = await inspect(await report("Zu\u0308rich Cafe\u0301"));
    expect(text).toContain("Organization: Zürich Café Date:");
  });

  it("embeds subsets of the fonts, so the file stays small", async () => {
    const { fonts, size } = await inspect(
      await report("Ελληνική — Москва — Zürich — O’Reilly “€”"),
    );
    const rows = fonts.split("\n").filter((l) => l.startsWith("DejaVuSans"));
    // pdf-lib names each font after its PostScript name plus a number.
    expect(rows.map((r) => r.split(/\s+/)[0]!.replace(/-\d+$/, "")).sort()).toEqual([
      "DejaVuSans",
      "DejaVuSans-Bold",
    ]);
    // Embedded, with a Unicode map (what lets pdftotext and copy-paste recover the text).
    for (const row of rows) expect(row).toMatch(/Identity-H\s+yes\s+\S+\s+yes\b/);
    // With the whole of DejaVu Sans and DejaVu Sans Bold embedded it is about 800 KB.
    expect(size).toBeLessThan(64 * 1024);
  });
});

describe("the deployed Vercel function", () => {
  let server: Server | undefined;
  afterAll(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  it("carries the font: the built function, alone outside the repository, renders Greek and Cyrillic", async () => {
    // The function global setup built, copied alone into a directory with no node_modules
    // anywhere above it, as Vercel runs it: the fonts must be inside the function, not read
    // from the package at run time.
    const fnDir = path.join(tmp, "api.func");
    await cp(path.join(webDir, ".vercel/output/functions/api.func"), fnDir, { recursive: true });
    const saved = { ...process.env };
    Object.assign(process.env, testEnv({ LOG_LEVEL: "warn" }));
    let handler: (req: unknown, res: unknown) => void;
    try {
      handler = (await import(path.join(fnDir, "index.mjs"))).default;
    } finally {
      process.env = saved;
    }
    server = createServer((req, res) => handler(req, res));
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
    const c = new Client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    expect((await c.startSession()).status).toBe(201);
    const name = "Ωμέγα — Щука — O’Reilly €";
    const audit = await c.request("POST", "/api/audits", {
      json: { organization: name, answers: answers(2) },
    });
    expect(audit.status).toBe(201);
    const res = await c.request("POST", `/api/audits/${audit.body.id}/report`);
    expect(res.status).toBe(201);
    const pdf = new Uint8Array(await (await fetch(res.body.downloadUrl)).arrayBuffer());
    const { text, title } = await inspect(pdf);
    expect(text).toContain(`Organization: ${name} Date:`);
    expect(title).toBe(`Agent Readiness Audit - ${name}`);
  }, 120_000);
});
