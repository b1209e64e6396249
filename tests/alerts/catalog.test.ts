import { readFileSync } from "node:fs";
import { SOURCES } from "../../observability/escalation";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import telemetry from "../../app/web/telemetry.json";
import {
  ALERT_IDS,
  ALERTS,
  requiredSettings,
  SEVERITY_RANK,
  stackAlerts,
  stackJobs,
} from "../../observability/alerts";
import { ROOT } from "../../offline/engine";
import { PRESETS } from "../../stacks/presets";
import { STACKS } from "../harness";

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  return new Set(
    [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, "")
        .replace(/ /g, "-"),
    ),
  );
}

const SERIES = new Set(Object.values(telemetry.instruments).map((i) => i.series));
/** What Prometheus and Synthetic Monitoring add themselves; nothing else may appear. */
const PLATFORM_SERIES = new Set(["up", "probe_success"]);

describe("the alert catalog", () => {
  it("holds ARA's seven alerts, with the requirement's severity, threshold and window", () => {
    expect(ALERTS.map((a) => a.id)).toEqual([...ALERT_IDS]);
    expect(
      Object.fromEntries(
        ALERTS.map((a) => [
          a.id,
          [a.required.severity, a.required.threshold, a.required.forSeconds],
        ]),
      ),
    ).toEqual({
      "application-down": ["critical", 0.5, 0],
      "error-rate": ["critical", 0.01, 300],
      "response-time-critical": ["critical", 2, 600],
      "database-connections": ["critical", 0.9, 0],
      "response-time-warning": ["warning", 0.5, 900],
      "cache-hit-rate": ["warning", 0.8, 1800],
      "storage-usage": ["warning", 0.8, 86_400],
    });
  });

  it("links every alert outside Grafana to a heading that exists in its document", () => {
    for (const s of SOURCES) {
      const [file, anchor] = s.runbook.split("#");
      const headings = anchors(readFileSync(path.join(ROOT, "docs", file!), "utf8"));
      expect(headings, `${s.id} → ${s.runbook}`).toContain(anchor);
    }
  });

  it("has docs/incident-response.md with the six steps, the four priorities and a post-mortem template", () => {
    const doc = readFileSync(path.join(ROOT, "docs/incident-response.md"), "utf8");
    for (const step of [
      "Detection",
      "Assessment",
      "Mitigation",
      "Investigation",
      "Resolution",
      "Post-mortem",
    ])
      expect(doc).toMatch(new RegExp(`\\| \\d\\. ${step} \\|`));
    for (const p of ["P0", "P1", "P2", "P3"]) expect(doc).toMatch(new RegExp(`^\\| ${p} `, "m"));
    expect(readFileSync(path.join(ROOT, "docs/postmortems/TEMPLATE.md"), "utf8")).toMatch(
      /## Timeline/,
    );
  });

  it("links every alert to a heading that exists in docs/runbooks.md", () => {
    const headings = anchors(readFileSync(path.join(ROOT, "docs/runbooks.md"), "utf8"));
    for (const a of ALERTS) expect(headings, `${a.id} → #${a.runbook}`).toContain(a.runbook);
    expect(anchors("## Error rate high\n### A, b: c")).toEqual(
      new Set(["error-rate-high", "a-b-c"]),
    );
  });

  it.each(["grafana", "prometheus"] as const)(
    "writes %s expressions over telemetry.json's series only",
    (target) => {
      for (const a of stackAlerts(
        { evaluationIntervalSeconds: 60, rules: requiredSettings() },
        target,
        stackJobs("prod"),
        "https://x.example",
      )) {
        const names = [...a.value.matchAll(/\b([a-z_][a-z0-9_]*)\s*\{/g)].map((m) => m[1]!);
        expect(names.length, a.id).toBeGreaterThan(0);
        for (const n of names) {
          const series = n.replace(/_(bucket|count|sum)$/, "");
          expect(
            SERIES.has(series) || SERIES.has(n) || PLATFORM_SERIES.has(n),
            `${a.id}: ${n}`,
          ).toBe(true);
        }
        // Every selector is scoped to this stack's job, so stacks sharing Grafana stay apart.
        expect(a.value).toMatch(/job(=|=~)"ara-prod-/);
      }
    },
  );

  it("says in the storage alert that the cost estimate is stale", () => {
    const storage = ALERTS.find((a) => a.id === "storage-usage")!;
    expect(storage.summary(0.8)).toMatch(/cost estimate is stale/);
  });
});

describe.each(STACKS)("%s's alerts (stacks/presets.ts)", (stack) => {
  const alerting = PRESETS[stack].observability.alerting;

  it("are the catalog's, no weaker than the requirement", () => {
    for (const [id, rule] of Object.entries(alerting.rules)) {
      const def = ALERTS.find((a) => a.id === id)!;
      expect(SEVERITY_RANK[rule!.severity], id).toBeGreaterThanOrEqual(
        SEVERITY_RANK[def.required.severity],
      );
      expect(rule!.forSeconds, id).toBeLessThanOrEqual(def.required.forSeconds);
    }
  });
});

it("gives staging and prod every alert, dev the four that do not need synthetic checks or steady traffic", () => {
  expect(Object.keys(PRESETS.prod.observability.alerting.rules)).toEqual([...ALERT_IDS]);
  expect(Object.keys(PRESETS.staging.observability.alerting.rules)).toEqual([...ALERT_IDS]);
  expect(Object.keys(PRESETS.dev.observability.alerting.rules).sort()).toEqual([
    "database-connections",
    "error-rate",
    "response-time-critical",
    "storage-usage",
  ]);
});
