import type { CostLine } from "../policies/cost/types";
import { costSpike, type Violation } from "../policies/evaluate";
import { diffPlans, type PlanDocument } from "./render";
import { decideReplace } from "./replace-inputs";

/**
 * The pull-request report: every stack's offline plan on the base commit against the same on the
 * head commit, as one markdown comment. The summary comes first (what changes, what it costs,
 * whether policies pass), loud flags for what a reviewer must not miss (protected resources
 * replaced or deleted, deletes and replaces, cost spikes), and the details collapsed.
 */

/** Finds the comment to update in place; the comment workflow searches for exactly this. */
export const REPORT_MARKER = "<!-- ara-pr-report -->";
/** GitHub refuses a comment body over 65,536 characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** How many of a stack's most-changed cost lines the report shows. */
const TOP_COST_LINES = 5;
/** Input values longer than this are cut in the details, with "…". */
const VALUE_CHARS = 100;

export type ChangeKind = "create" | "update" | "replace" | "delete";

export interface ResourceChange {
  kind: ChangeKind;
  urn: string;
  name: string;
  type: string;
  /** Protected in the base plan: `pulumi up` stops before replacing or deleting it. */
  protect: boolean;
  retainOnDelete: boolean;
  /** The inputs that force the replacement. */
  replaceKeys: string[];
  /** Changed paths with their values, for updates and replaces. */
  changes: { path: string; before: unknown; after: unknown }[];
  /** The type is in neither the replace table nor a provider diff: update may be a replace. */
  unknownType: boolean;
}

export interface StackReport {
  stack: string;
  changes: ResourceChange[];
  counts: Record<ChangeKind, number>;
  unchanged: number;
  cost: {
    before: number | null;
    after: number | null;
    budget: number | null;
    /** The lines whose monthly amount moved, biggest move first. */
    lines: { service: string; item: string; before: number; after: number }[];
    spike?: string;
  };
  policies: { blocked: boolean; violations: (Violation & { isNew: boolean })[] } | null;
}

interface CostDoc {
  monthlyTotal: number;
  budget: number;
  lines: CostLine[];
}
interface PoliciesDoc {
  violations: Violation[];
}

const empty = (stack: string): PlanDocument => ({
  stack,
  project: "ara",
  resources: [],
  outputs: {},
  cost: null,
  policies: null,
});

/** Compares one stack's base and head plans; either may be missing (a stack added or removed). */
export function compareStack(
  stack: string,
  base: PlanDocument | undefined,
  head: PlanDocument | undefined,
): StackReport {
  const before = base ?? empty(stack);
  const after = head ?? empty(stack);
  const diff = diffPlans(before, after, "base");
  const old = new Map(before.resources.map((r) => [r.urn, r]));
  const cur = new Map(after.resources.map((r) => [r.urn, r]));
  const changes: ResourceChange[] = [];
  const nameOf = (urn: string) => urn.split("::").pop() ?? urn;
  const isStack = (type: string) => type === "pulumi:pulumi:Stack";

  for (const r of diff.added) {
    if (isStack(r.type)) continue;
    changes.push({
      kind: "create",
      urn: r.urn,
      name: nameOf(r.urn),
      type: r.type,
      protect: false,
      retainOnDelete: false,
      replaceKeys: [],
      changes: [],
      unknownType: false,
    });
  }
  for (const r of diff.changed) {
    const prev = old.get(r.urn)!;
    const next = cur.get(r.urn)!;
    const keys = [
      ...new Set(
        r.changes.filter((c) => c.path.startsWith("inputs.")).map((c) => c.path.split(".")[1]!),
      ),
    ];
    const decision = decideReplace(r.type, prev.inputs, next.inputs, keys);
    changes.push({
      kind: decision.replaceKeys.length ? "replace" : "update",
      urn: r.urn,
      name: nameOf(r.urn),
      type: r.type,
      protect: prev.protect,
      retainOnDelete: prev.retainOnDelete,
      replaceKeys: decision.replaceKeys,
      changes: r.changes,
      unknownType: !decision.known && keys.length > 0,
    });
  }
  for (const r of diff.removed) {
    if (isStack(r.type)) continue;
    const prev = old.get(r.urn)!;
    changes.push({
      kind: "delete",
      urn: r.urn,
      name: nameOf(r.urn),
      type: r.type,
      protect: prev.protect,
      retainOnDelete: prev.retainOnDelete,
      replaceKeys: [],
      changes: [],
      unknownType: false,
    });
  }
  const counts = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const c of changes) counts[c.kind]++;

  const costBefore = before.cost as CostDoc | null;
  const costAfter = after.cost as CostDoc | null;
  const policies = after.policies as PoliciesDoc | null;
  const oldViolations = new Set(
    ((before.policies as PoliciesDoc | null)?.violations ?? []).map((v) => `${v.policy} ${v.urn}`),
  );
  const spike =
    costBefore && costAfter
      ? costSpike(costBefore.monthlyTotal, costAfter.monthlyTotal)
      : undefined;
  return {
    stack,
    changes,
    counts,
    unchanged: diff.unchanged,
    cost: {
      before: costBefore?.monthlyTotal ?? null,
      after: costAfter?.monthlyTotal ?? null,
      budget: costAfter?.budget ?? costBefore?.budget ?? null,
      lines: changedCostLines(costBefore?.lines ?? [], costAfter?.lines ?? []),
      ...(spike ? { spike: spike.message } : {}),
    },
    policies: policies
      ? {
          blocked: policies.violations.some((v) => v.level === "mandatory"),
          violations: policies.violations.map((v) => ({
            ...v,
            isNew: !oldViolations.has(`${v.policy} ${v.urn}`),
          })),
        }
      : null,
  };
}

/**
 * Cost lines matched by resource, service and item; a line left over on each side of the same
 * resource and service is then paired, so a resized database reads as one line whose item
 * changed (PS-10 → PS-40). The ones that moved, largest move first.
 */
function changedCostLines(before: CostLine[], after: CostLine[]): StackReport["cost"]["lines"] {
  type Row = { service: string; item: string; before: number; after: number };
  const exact = (l: CostLine) => `${l.urn}\u0000${l.service}\u0000${l.item}`;
  const pair = (l: CostLine) => `${l.urn}\u0000${l.service}`;
  const rows: Row[] = [];
  const afterByKey = new Map(after.map((l) => [exact(l), l]));
  const leftBefore: CostLine[] = [];
  for (const l of before) {
    const match = afterByKey.get(exact(l));
    if (match) {
      afterByKey.delete(exact(l));
      rows.push({ service: l.service, item: l.item, before: l.monthly, after: match.monthly });
    } else leftBefore.push(l);
  }
  const leftAfter = [...afterByKey.values()];
  for (const l of leftBefore) {
    const i = leftAfter.findIndex((a) => pair(a) === pair(l));
    const match = i >= 0 ? leftAfter.splice(i, 1)[0] : undefined;
    rows.push({
      service: l.service,
      item: match ? `${l.item} → ${match.item}` : l.item,
      before: l.monthly,
      after: match?.monthly ?? 0,
    });
  }
  for (const l of leftAfter)
    rows.push({ service: l.service, item: l.item, before: 0, after: l.monthly });
  return rows
    .filter((r) => Math.abs(r.after - r.before) >= 0.005)
    .sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before));
}

const usd = (n: number) => `${n < 0 ? "−" : ""}$${Math.abs(n).toFixed(2)}`;
const signedUsd = (n: number) => `${n > 0 ? "+" : n < 0 ? "−" : "±"}$${Math.abs(n).toFixed(2)}`;
const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

function shortValue(v: unknown): string {
  const t =
    v === undefined ? "(none)" : typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v);
  return t.length > VALUE_CHARS ? `${t.slice(0, VALUE_CHARS - 1)}…` : t;
}

function percent(before: number, after: number): string {
  if (before === 0) return after === 0 ? "0%" : "new";
  const p = ((after - before) / before) * 100;
  return `${p > 0 ? "+" : ""}${p.toFixed(0)}%`;
}

const KIND_ICON: Record<ChangeKind, string> = {
  create: "➕",
  update: "✏️",
  replace: "🔁",
  delete: "🗑️",
};

export interface ReportOptions {
  /** Commit names shown in the header, e.g. short SHAs. */
  baseRef?: string;
  headRef?: string;
  /** Raw `pulumi preview --diff` output per stack, from same-repository pull requests. */
  previews?: Record<string, string>;
  /** The size limit; tests lower it to exercise truncation. */
  limit?: number;
}

/** The whole comment: under `limit` characters, with an honest note when details were cut. */
export function renderPrReport(reports: StackReport[], options: ReportOptions = {}): string {
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  const head = renderSummary(reports, options);
  const details = [
    ...reports.flatMap((r) => renderStackDetails(r)),
    ...renderPreviews(options.previews ?? {}),
  ];
  // Room for the truncation note, which is only added when something was cut.
  const noteRoom = 400;
  let out = head;
  let omitted = 0;
  for (const block of details) {
    if (omitted === 0 && out.length + block.length + noteRoom <= limit) out += block;
    else omitted++;
  }
  if (omitted > 0) {
    out +=
      `\n> ✂️ **Truncated:** ${omitted} detail section${omitted === 1 ? "" : "s"} did not fit GitHub's ` +
      `${GITHUB_COMMENT_LIMIT.toLocaleString("en-US")}-character comment limit and ${omitted === 1 ? "was" : "were"} left out. ` +
      "The summary above is complete; the full report and both plans are in the run's `pr-report` artifact.\n";
  }
  if (out.length > limit) {
    // Only the summary itself can get here (hundreds of stacks); cut it rather than be refused.
    const note =
      "\n\n> ✂️ **Truncated:** the summary alone exceeds the comment limit; see the `pr-report` artifact.\n";
    out = out.slice(0, limit - note.length) + note;
  }
  return out;
}

function renderSummary(reports: StackReport[], options: ReportOptions): string {
  const lines: string[] = [REPORT_MARKER];
  const blocked = reports.some((r) => r.policies?.blocked);
  const changed = reports.some((r) => r.changes.length > 0);
  lines.push(
    `## Infrastructure plan: ${blocked ? "❌ blocked by policy" : changed ? "changes to review" : "no changes"}`,
    "",
  );
  if (options.baseRef || options.headRef)
    lines.push(
      `Offline plans of ${code(options.baseRef ?? "base")} (base) and ${code(options.headRef ?? "head")} (head), under mocks: no cloud API was called.`,
      "",
    );

  const protectedTouched = reports.flatMap((r) =>
    r.changes
      .filter((c) => c.protect && (c.kind === "replace" || c.kind === "delete"))
      .map((c) => ({ stack: r.stack, c })),
  );
  if (protectedTouched.length) {
    lines.push(
      "> [!CAUTION]",
      `> 🛑 **${protectedTouched.length} protected resource${protectedTouched.length === 1 ? "" : "s"} would be replaced or deleted.** ` +
        '`pulumi up` stops on a protected resource; if this is intended, lift the protection in its own reviewed change first (docs/operations.md, "Protection in prod").',
      ...protectedTouched.map(
        ({ stack, c }) =>
          `> - **${stack}**: ${c.kind} ${code(c.name)} (${code(c.type)})${c.replaceKeys.length ? `, forced by ${c.replaceKeys.map(code).join(", ")}` : ""}`,
      ),
      "",
    );
  }
  const destructive = reports.flatMap((r) =>
    r.changes
      .filter((c) => !c.protect && (c.kind === "replace" || c.kind === "delete"))
      .map((c) => ({ stack: r.stack, c })),
  );
  if (destructive.length) {
    lines.push(
      "> [!WARNING]",
      `> ⚠️ **${destructive.length} resource${destructive.length === 1 ? "" : "s"} would be replaced or deleted.** A replace deletes the old resource and its data.`,
      ...destructive.map(
        ({ stack, c }) =>
          `> - **${stack}**: ${c.kind} ${code(c.name)} (${code(c.type)})${c.replaceKeys.length ? `, forced by ${c.replaceKeys.map(code).join(", ")}` : ""}${c.kind === "delete" && c.retainOnDelete ? " (retained in the cloud: retainOnDelete)" : ""}`,
      ),
      "",
    );
  }
  const spikes = reports.filter((r) => r.cost.spike);
  if (spikes.length) {
    lines.push(
      "> [!WARNING]",
      "> 📈 **Cost spike** (ARA's rule: an estimate rising more than 50% needs a reason in the PR description):",
      ...spikes.map((r) => `> - **${r.stack}**: ${r.cost.spike}`),
      "",
    );
  }

  lines.push(
    "| Stack | Create | Update | Replace | Delete | Monthly estimate (old → new) | Δ | Policies |",
    "| --- | ---: | ---: | ---: | ---: | --- | --- | --- |",
  );
  for (const r of reports) {
    const flag = (n: number, loud: boolean) => (n > 0 && loud ? `**${n}** ⚠️` : String(n));
    const { before, after } = r.cost;
    const delta =
      before !== null && after !== null
        ? `${signedUsd(after - before)} (${percent(before, after)})${r.cost.spike ? " 📈" : ""}`
        : "—";
    const verdict = !r.policies
      ? "—"
      : r.policies.blocked
        ? `❌ ${r.policies.violations.filter((v) => v.level === "mandatory").length} mandatory`
        : r.policies.violations.length
          ? `✅ passes (${r.policies.violations.length} advisory)`
          : "✅ passes";
    lines.push(
      `| ${r.stack} | ${r.counts.create} | ${r.counts.update} | ${flag(r.counts.replace, true)} | ${flag(r.counts.delete, true)} | ` +
        `${before === null ? "—" : usd(before)} → ${after === null ? "—" : usd(after)} | ${delta} | ${verdict} |`,
    );
  }
  lines.push("");
  const unknown = [
    ...new Set(reports.flatMap((r) => r.changes.filter((c) => c.unknownType).map((c) => c.type))),
  ];
  lines.push(
    "Update or replace is decided offline from each type's replace-on-change inputs (`offline/replace-inputs.ts`); " +
      "the `pulumi preview --diff` of same-repository pull requests is authoritative." +
      (unknown.length
        ? ` Not in that table, so shown as updates that may be replaces: ${unknown.map(code).join(", ")}.`
        : ""),
    "",
  );

  for (const r of reports) {
    if (r.cost.lines.length === 0 && !r.policies?.violations.length) continue;
    lines.push(`### ${r.stack}`, "");
    if (r.cost.lines.length) {
      const shown = r.cost.lines.slice(0, TOP_COST_LINES);
      lines.push(
        `Cost lines that changed most${r.cost.lines.length > shown.length ? ` (${shown.length} of ${r.cost.lines.length})` : ""}:`,
        "",
        "| Service | Item | Old | New | Δ |",
        "| --- | --- | ---: | ---: | ---: |",
        ...shown.map(
          (l) =>
            `| ${esc(l.service)} | ${esc(l.item)} | ${usd(l.before)} | ${usd(l.after)} | ${signedUsd(l.after - l.before)} |`,
        ),
        "",
      );
    }
    if (r.policies?.violations.length) {
      lines.push(
        "| Policy | Level | Resource | Message |",
        "| --- | --- | --- | --- |",
        ...r.policies.violations.map(
          (v) =>
            `| ${v.isNew ? "🆕 " : ""}${esc(v.policy)} | ${v.level} | ${esc(v.urn.split("::").pop() ?? v.urn)} | ${esc(v.message.split("\n").slice(1).join(" ") || v.message)} |`,
        ),
        "",
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

/** One `<details>` block per stack, each small enough to drop whole when space runs out. */
function renderStackDetails(r: StackReport): string[] {
  if (r.changes.length === 0) return [];
  const order: ChangeKind[] = ["delete", "replace", "update", "create"];
  const sorted = [...r.changes].sort(
    (a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.urn.localeCompare(b.urn),
  );
  const counts = order
    .filter((k) => r.counts[k] > 0)
    .map((k) => `${r.counts[k]} ${k}${r.counts[k] === 1 ? "" : "s"}`)
    .join(", ");
  const body = sorted.flatMap((c) => {
    const flags = [
      c.protect ? "🛑 protected" : "",
      c.retainOnDelete ? "retain-on-delete" : "",
      c.unknownType ? "replace-on-change inputs unknown" : "",
    ].filter(Boolean);
    const head = `- ${KIND_ICON[c.kind]} **${c.kind}** ${code(c.name)} (${code(c.type)})${c.replaceKeys.length ? `, forced by ${c.replaceKeys.map(code).join(", ")}` : ""}${flags.length ? ` — ${flags.join(", ")}` : ""}`;
    return [
      head,
      ...c.changes.map(
        (ch) =>
          `  - ${code(ch.path)}: ${code(shortValue(ch.before))} → ${code(shortValue(ch.after))}`,
      ),
    ];
  });
  return [
    [
      `<details><summary>${r.stack}: ${counts}, ${r.unchanged} unchanged</summary>`,
      "",
      ...body,
      "",
      "</details>",
      "",
    ].join("\n") + "\n",
  ];
}

/** The real previews' summaries, then their full text, collapsed. */
function renderPreviews(previews: Record<string, string>): string[] {
  const stacks = Object.keys(previews).sort();
  if (stacks.length === 0) return [];
  return stacks.map((stack) => {
    const text = previews[stack]!.replace(/```/g, "'''");
    const summary = previewSummary(text);
    return (
      [
        `<details><summary>pulumi preview --diff (${stack}): ${esc(summary)}</summary>`,
        "",
        "```text",
        text.trimEnd(),
        "```",
        "",
        "</details>",
        "",
      ].join("\n") + "\n"
    );
  });
}

/** "Resources: 2 to update, 60 unchanged" from a preview's output, or what went wrong. */
export function previewSummary(text: string): string {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => /^Resources:\s*$/.test(l.trim()));
  if (at >= 0) {
    const parts: string[] = [];
    for (const l of lines.slice(at + 1)) {
      if (!l.trim()) break;
      parts.push(l.trim());
    }
    if (parts.length) return parts.join(", ");
  }
  const error = lines.find((l) => /^error:/i.test(l.trim()));
  return error ? error.trim() : "no resource summary in the output";
}
