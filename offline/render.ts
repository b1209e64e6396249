import { isDeepStrictEqual } from "node:util";
import { stringify as stringifyYaml } from "yaml";
import type { StackEvaluation } from "../policies/evaluate";
import type { CapturedResource, ProgramRun } from "./engine";

/** The `--json` document. `cost` and `policies` are filled by the policy pack's evaluation. */
export interface PlanDocument {
  stack: string;
  project: string;
  resources: {
    urn: string;
    type: string;
    name: string;
    parent: string;
    protect: boolean;
    retainOnDelete: boolean;
    inputs: Record<string, unknown>;
  }[];
  outputs: Record<string, unknown>;
  cost: unknown;
  policies: unknown;
  /** The provider preflight's totals and violations (docs/preflight.md); absent in older saved plans. */
  preflight?: unknown;
}

export function toDocument(
  run: ProgramRun,
  extras: { cost?: unknown; policies?: unknown; preflight?: StackEvaluation["preflight"] } = {},
): PlanDocument {
  return {
    stack: run.stack,
    project: run.project,
    resources: run.resources.map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parent,
      protect: r.protect,
      retainOnDelete: r.retainOnDelete,
      inputs: r.inputs,
    })),
    outputs: run.outputs,
    cost: extras.cost ?? null,
    policies: extras.policies ?? null,
    // The timing varies from run to run; a saved plan compared with --diff must not.
    preflight: extras.preflight ? { ...extras.preflight, ms: undefined } : null,
  };
}

/**
 * Settings worth a reviewer's eye, per resource type. Anything not listed shows its first
 * few scalar inputs, so a new resource type is never silent.
 */
const KEY_INPUTS: Record<string, string[]> = {
  "upstash:index/redisDatabase:RedisDatabase": [
    "databaseName",
    "region",
    "primaryRegion",
    "readRegions",
    "tls",
    "eviction",
    "budget",
    "prodPack",
  ],
  "cloudflare:index/r2Bucket:R2Bucket": ["name", "location"],
  "cloudflare:index/zoneSetting:ZoneSetting": ["settingId", "value"],
  "cloudflare:index/workersScript:WorkersScript": [
    "scriptName",
    "mainModule",
    "compatibilityDate",
    "contentSha256",
  ],
  "cloudflare:index/dnsRecord:DnsRecord": ["name", "type", "content", "proxied"],
  "cloudflare:index/ruleset:Ruleset": ["name", "phase", "kind"],
  "cloudflare:index/workersRoute:WorkersRoute": ["pattern", "script"],
  "aws:s3/bucket:Bucket": ["bucket", "bucketPrefix", "region"],
  "vercel:index/project:Project": ["name", "framework", "resourceConfig"],
  "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable": [
    "key",
    "sensitive",
    "targets",
  ],
};
const HIDDEN_INPUTS = new Set([
  "__provider",
  "accountId",
  "zoneId",
  "version",
  "serviceToken",
  "serviceTokenId",
]);

/** How wide the terminal output may be, unless `--wide` asks for every value whole. */
export const PLAN_COLUMNS = 120;
/** The longest input value the tree shows before cutting it with "…". */
const VALUE_CHARS = 40;

export interface TextOptions {
  /** Show every input whole and never wrap, for copying values out of the plan. */
  wide?: boolean;
}

export function renderTree(
  run: ProgramRun,
  configSummary: string,
  options: TextOptions = {},
): string {
  const children = new Map<string, CapturedResource[]>();
  for (const r of run.resources) {
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  interface Row {
    type: string;
    name: string;
    settings: string[];
    /** The tree's vertical bars for lines that continue this row. */
    continuation: string;
  }
  const rows: Row[] = [];
  const walk = (parent: string, prefix: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((r, i) => {
      const last = i === list.length - 1;
      const branch = parent === "" ? "" : `${prefix}${last ? "└─ " : "├─ "}`;
      const childPrefix = parent === "" ? "" : `${prefix}${last ? "   " : "│  "}`;
      const flags = [
        r.protect ? "protected" : "",
        r.retainOnDelete ? "retain-on-delete" : "",
      ].filter(Boolean);
      rows.push({
        type: ` +   ${branch}${displayType(r.type)}`,
        name: r.name,
        settings: [...(flags.length ? [`[${flags.join(", ")}]`] : []), ...keySettings(r, options)],
        continuation: `     ${childPrefix}${children.has(r.urn) ? "│  " : "   "}   `,
      });
      walk(r.urn, childPrefix);
    });
  };
  walk("", "");
  const typeWidth = Math.max(...rows.map((r) => r.type.length), 10);
  const nameWidth = Math.max(...rows.map((r) => r.name.length), 4);
  const lines = [
    `Previewing update (${run.stack}) — offline plan under mocks; no cloud API was called.`,
    "",
    `${"     Type".padEnd(typeWidth)}  ${"Name".padEnd(nameWidth)}  Plan    Key settings`,
    ...rows.flatMap((row) => {
      const head = `${row.type.padEnd(typeWidth)}  ${row.name.padEnd(nameWidth)}  create`;
      const oneLine = [head, ...row.settings].join("  ").trimEnd();
      if (options.wide || oneLine.length <= PLAN_COLUMNS || row.settings.length === 0)
        return [oneLine];
      // Too wide for one line: the settings move under the row, inside the tree's bars.
      return [
        head,
        ...wrapWords(row.settings, PLAN_COLUMNS - row.continuation.length).map(
          (l) => `${row.continuation}${l}`,
        ),
      ];
    }),
    "",
    summaryLine(run),
    configSummary,
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * The type as the Pulumi CLI displays it: `aws:s3/bucketPolicy:BucketPolicy` becomes
 * `aws:s3:BucketPolicy`, because the module's last segment only repeats the type's name.
 */
export function displayType(type: string): string {
  const [pkg, mod, name] = type.split(":");
  if (name === undefined || mod === undefined) return type;
  const slash = mod.lastIndexOf("/");
  if (slash < 0) return type;
  const last = mod.slice(slash + 1);
  return last.toLowerCase() === name.toLowerCase() ? `${pkg}:${mod.slice(0, slash)}:${name}` : type;
}

/** Words (never split) packed into lines of at most `width` characters. */
export function wrapWords(words: string[], width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

export function summaryLine(run: ProgramRun): string {
  const protectedCount = run.resources.filter((r) => r.protect).length;
  const retained = run.resources.filter((r) => r.retainOnDelete).length;
  const secrets = run.resources.reduce((n, r) => n + r.secretInputs.length, 0);
  return `Resources: ${run.resources.length} to create (${protectedCount} protected, ${retained} retained on delete); ${secrets} secret inputs shown as [secret].`;
}

function keySettings(r: CapturedResource, options: TextOptions): string[] {
  const keys =
    KEY_INPUTS[r.type] ??
    Object.keys(r.inputs)
      .filter((k) => !HIDDEN_INPUTS.has(k) && isScalar(r.inputs[k]))
      .slice(0, 4);
  return keys
    .filter((k) => r.inputs[k] !== undefined)
    .map((k) => `${k}=${options.wide ? text(r.inputs[k]) : short(r.inputs[k])}`);
}

function isScalar(v: unknown): boolean {
  return v === null || ["string", "number", "boolean"].includes(typeof v);
}

const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** A value cut to VALUE_CHARS with "…", so one long policy document cannot widen the tree. */
function short(v: unknown): string {
  const t = text(v);
  return t.length > VALUE_CHARS ? `${t.slice(0, VALUE_CHARS - 1)}…` : t;
}

export interface PlanDiff {
  stack: string;
  against: string;
  added: { urn: string; type: string }[];
  removed: { urn: string; type: string }[];
  changed: {
    urn: string;
    type: string;
    changes: { path: string; before: unknown; after: unknown }[];
  }[];
  unchanged: number;
}

/** Compares two plans resource by resource (by URN), down to the changed input paths. */
export function diffPlans(before: PlanDocument, after: PlanDocument, against: string): PlanDiff {
  const old = new Map(before.resources.map((r) => [r.urn, r]));
  const cur = new Map(after.resources.map((r) => [r.urn, r]));
  const diff: PlanDiff = {
    stack: after.stack,
    against,
    added: [],
    removed: [],
    changed: [],
    unchanged: 0,
  };
  for (const [urn, r] of cur) {
    const prev = old.get(urn);
    if (!prev) {
      diff.added.push({ urn, type: r.type });
      continue;
    }
    const changes = [
      ...changedPaths("inputs", prev.inputs, r.inputs),
      ...(prev.protect !== r.protect
        ? [{ path: "protect", before: prev.protect, after: r.protect }]
        : []),
      ...(prev.retainOnDelete !== r.retainOnDelete
        ? [{ path: "retainOnDelete", before: prev.retainOnDelete, after: r.retainOnDelete }]
        : []),
    ];
    if (changes.length) diff.changed.push({ urn, type: r.type, changes });
    else diff.unchanged++;
  }
  for (const [urn, r] of old) if (!cur.has(urn)) diff.removed.push({ urn, type: r.type });
  return diff;
}

function changedPaths(
  at: string,
  a: unknown,
  b: unknown,
): { path: string; before: unknown; after: unknown }[] {
  if (isDeepStrictEqual(a, b)) return [];
  const bothObjects =
    a &&
    b &&
    typeof a === "object" &&
    typeof b === "object" &&
    !Array.isArray(a) &&
    !Array.isArray(b);
  if (!bothObjects) return [{ path: at, before: a, after: b }];
  const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
  return keys.flatMap((k) => changedPaths(`${at}.${k}`, (a as any)[k], (b as any)[k]));
}

export function renderDiff(diff: PlanDiff, options: TextOptions = {}): string {
  const value = (v: unknown) => (options.wide ? text(v) : short(v));
  const lines = [`Plan for stack ${diff.stack} compared with ${diff.against}:`, ""];
  for (const r of diff.added) lines.push(` + ${r.urn}`);
  for (const r of diff.removed) lines.push(` - ${r.urn}`);
  for (const r of diff.changed) {
    lines.push(` ~ ${r.urn}`);
    for (const c of r.changes) {
      const line = `     ${c.path}: ${value(c.before)} => ${value(c.after)}`;
      if (options.wide || line.length <= PLAN_COLUMNS) lines.push(line);
      else lines.push(`     ${c.path}: ${value(c.before)}`, `       => ${value(c.after)}`);
    }
  }
  if (diff.added.length + diff.removed.length + diff.changed.length === 0)
    lines.push(" (no changes)");
  lines.push(
    "",
    `${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.unchanged} unchanged.`,
  );
  return `${lines.join("\n")}\n`;
}

/**
 * The committed, reviewable form of a stack's resource graph: a tree keyed by
 * `name (type)`, children sorted by name, every input shown (secrets as "[secret]").
 */
export function renderGraph(run: ProgramRun): string {
  const children = new Map<string, CapturedResource[]>();
  for (const r of run.resources) {
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  const node = (r: CapturedResource): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (r.protect) out.protect = true;
    if (r.retainOnDelete) out.retainOnDelete = true;
    if (r.additionalSecretOutputs.length) out.secretOutputs = [...r.additionalSecretOutputs].sort();
    if (r.custom && Object.keys(r.inputs).length) out.inputs = r.inputs;
    const kids = [...(children.get(r.urn) ?? [])].sort((a, b) =>
      `${a.name}${a.type}`.localeCompare(`${b.name}${b.type}`),
    );
    if (kids.length)
      out.children = Object.fromEntries(kids.map((k) => [`${k.name} (${k.type})`, node(k)]));
    return out;
  };
  const roots = children.get("") ?? [];
  const tree = Object.fromEntries(roots.map((r) => [`${r.name} (${r.type})`, node(r)]));
  const header = [
    `# Resource graph of stack '${run.stack}', as \`npm run plan -- --stack ${run.stack}\` would create it.`,
    "# Generated by tests/infra/snapshot.test.ts. Review changes here like code; accept a",
    "# deliberate change with: npx vitest run --project infra -u",
  ].join("\n");
  return `${header}\n${stringifyYaml({ resources: run.resources.length, outputs: run.outputs, graph: tree })}`;
}

/** What the policy pack says about a plan: the cost estimate and the verdict. */
export type PlanVerdict = StackEvaluation;

// A credit prints as −$10.00, not $-10.00.
const usd = (n: number) => `${n < 0 ? "−" : ""}$${Math.abs(n).toFixed(2)}`;
const resourceName = (urn: string) => (urn ? urn.split("::").pop()! : "(stack)");

/** How completely the estimate covers the plan, as Infracost reports it. */
export function coverageLine(counts: PlanVerdict["cost"]["counts"]): string {
  return `Resources: ${counts.priced} priced, ${counts.free} free, ${counts.unpriced} unpriced`;
}

/**
 * Whether `pulumi up` would stop. A remediate-level violation is fixed by the pack and the
 * update continues, as the CLI does; only mandatory ones block.
 */
export function isBlocked(verdict: PlanVerdict): boolean {
  return verdict.policies.violations.some((v) => v.level === "mandatory");
}

/** One line of preflight totals, e.g. "Preflight: 78 resources of 54 types, 402 arguments …". */
export function preflightLine(p: NonNullable<PlanVerdict["preflight"]>): string {
  const n = p.violations.length;
  return (
    `Preflight: ${p.resources} resources of ${p.types} types, ${p.arguments} arguments checked ` +
    `against ${p.rules} rules, ${n} violation${n === 1 ? "" : "s"}` +
    (p.unknown ? `, ${p.unknown} unknown values skipped` : "")
  );
}

/** The cost table and the policy verdict, for a terminal. */
export function renderVerdict(verdict: PlanVerdict, options: TextOptions = {}): string {
  const { cost, policies } = verdict;
  const lines = [...cost.lines].sort((a, b) => b.monthly - a.monthly);
  const width = Math.max(...lines.map((l) => `${l.service}: ${l.item}`.length), 20);
  const share = cost.budget > 0 ? (cost.monthlyTotal / cost.budget) * 100 : 0;
  // A long basis wraps in its own column, so the amounts stay aligned and scannable.
  const row = (label: string, amount: string, basis: string) => {
    const head = `  ${label.padEnd(width)}  ${amount.padStart(9)}   `;
    if (options.wide) return [`${head}${basis}`];
    const wrapped = wrapWords(basis.split(" "), Math.max(PLAN_COLUMNS - head.length, 30));
    return wrapped.map((l, i) => `${i === 0 ? head : " ".repeat(head.length)}${l}`);
  };
  const wrapped = (indent: string, line: string) =>
    options.wide
      ? [`${indent}${line}`]
      : wrapWords(line.split(" "), PLAN_COLUMNS - indent.length).map((l) => `${indent}${l}`);
  const out = [
    "",
    `Estimated monthly cost (${cost.currency}):`,
    ...lines.flatMap((l) => row(`${l.service}: ${l.item}`, usd(l.monthly), l.basis)),
    ...row(
      "Total",
      usd(cost.monthlyTotal),
      `${share.toFixed(0)}% of the ${usd(cost.budget)} budget (warn at ${cost.warnAtPercent}%)`,
    ),
    `  ${coverageLine(cost.counts)}`,
    ...cost.unpriced.flatMap((u) =>
      wrapped("  ", `not priced: ${resourceName(u.urn)} (${u.type}): ${u.reason}`),
    ),
    "",
    ...(verdict.preflight ? [...wrapped("", preflightLine(verdict.preflight)), ""] : []),
    `Policies (${policies.pack}, ${policies.config}):`,
  ];
  if (policies.violations.length === 0) out.push("  no violations");
  for (const v of policies.violations) {
    out.push(...wrapped("  ", `[${v.level}] ${v.policy} on ${resourceName(v.urn)}`));
    for (const line of v.message.split("\n")) out.push(...wrapped("      ", line));
  }
  out.push(
    "",
    isBlocked(verdict)
      ? "Verdict: BLOCKED by a mandatory policy violation."
      : "Verdict: passes every mandatory policy.",
  );
  return `${out.join("\n")}\n`;
}

/** A summary ready to paste into a pull-request comment. */
export function renderMarkdown(run: ProgramRun, verdict: PlanVerdict): string {
  const { cost, policies } = verdict;
  const blocked = isBlocked(verdict);
  const share = cost.budget > 0 ? (cost.monthlyTotal / cost.budget) * 100 : 0;
  const byType = new Map<string, number>();
  for (const r of run.resources) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
  const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const out = [
    `### Offline plan for \`${run.stack}\`: ${blocked ? "❌ blocked" : "✅ passes"}`,
    "",
    `**${run.resources.length} resources**, ${run.resources.filter((r) => r.protect).length} protected. ` +
      `**Estimated ${usd(cost.monthlyTotal)}/month**, ${share.toFixed(0)}% of the ${usd(cost.budget)} budget.`,
    "",
    `${coverageLine(cost.counts)}.`,
    "",
    ...(verdict.preflight ? [`${preflightLine(verdict.preflight)}.`, ""] : []),
    ...(verdict.preflight?.violations.length
      ? [
          "| Resource | Argument | Problem | Rule (source) | Fix |",
          "| --- | --- | --- | --- | --- |",
          ...verdict.preflight.violations.map(
            (v) =>
              `| ${esc(v.resource)} | \`${esc(v.arg)}\` | ${esc(v.problem)} | ${esc(v.rule)} (${esc(v.source)}) | ${esc(v.fix)} |`,
          ),
          "",
        ]
      : []),
    ...(cost.unpriced.length
      ? [
          "| Not priced | Type | Reason |",
          "| --- | --- | --- |",
          ...cost.unpriced.map(
            (u) => `| ${esc(resourceName(u.urn))} | \`${esc(u.type)}\` | ${esc(u.reason)} |`,
          ),
          "",
        ]
      : []),
    "| Policy | Level | Resource | Message |",
    "| --- | --- | --- | --- |",
    ...(policies.violations.length
      ? policies.violations.map(
          (v) =>
            `| ${v.policy} | ${v.level} | ${esc(resourceName(v.urn))} | ${esc(v.message.split("\n").slice(1).join(" ") || v.message)} |`,
        )
      : ["| — | — | — | no violations |"]),
    "",
    "<details><summary>Cost lines</summary>",
    "",
    "| Service | Item | Monthly | Basis |",
    "| --- | --- | ---: | --- |",
    ...[...cost.lines]
      .sort((a, b) => b.monthly - a.monthly)
      .map((l) => `| ${esc(l.service)} | ${esc(l.item)} | ${usd(l.monthly)} | ${esc(l.basis)} |`),
    "",
    "</details>",
    "",
    "<details><summary>Resources by type</summary>",
    "",
    "| Type | Count |",
    "| --- | ---: |",
    ...[...byType].sort().map(([t, n]) => `| \`${t}\` | ${n} |`),
    "",
    "</details>",
  ];
  return `${out.join("\n")}\n`;
}
