import { typeCoverage } from "./coverage";
import { cents } from "./format";
import { createLedger, type Ledger } from "./ledger";
import type {
  CostEstimate,
  CostLine,
  CostResource,
  EstimateInputs,
  ResourceCoverage,
} from "./types";
import { priceAws } from "./vendors/aws";
import { priceCloudflare } from "./vendors/cloudflare";
import { priceGrafana, priceSentry } from "./vendors/grafana";
import { pricePagerDuty } from "./vendors/pagerduty";
import { pricePlanetScale } from "./vendors/planetscale";
import { priceUpstash } from "./vendors/upstash";
import { priceVercel } from "./vendors/vercel";

export type {
  CostEstimate,
  CostLine,
  CostResource,
  CoverageCounts,
  EstimateInputs,
  ResourceCoverage,
  Unpriced,
} from "./types";
export { cents, num, rate, usd } from "./format";
export { rateMinutes } from "./vendors/aws";

/** In this order: the lines come out grouped by vendor, as the plan's readers expect. */
const VENDORS: readonly ((ledger: Ledger) => void)[] = [
  pricePlanetScale,
  priceUpstash,
  priceCloudflare,
  priceVercel,
  priceAws,
  priceGrafana,
  priceSentry,
  pricePagerDuty,
];

/**
 * Monthly cost of a stack's resources under the stack's usage assumptions. Pure: the same
 * resources and usage always give the same lines.
 *
 * Account-level subscriptions (Vercel Pro, Workers Paid) and the allowances that come with
 * them are charged to the stack by `usage.sharedCostShare`; Cloudflare's R2 and Queues free
 * allowances are account-level too and follow the Workers share. Usage figures describe the
 * stack's one database, cache, bucket, worker, queue, project and replica; if a stack has
 * several of a kind, the figure is divided evenly between them.
 */
export function estimateMonthlyCost(
  resources: readonly CostResource[],
  inputs: EstimateInputs,
): CostEstimate {
  const ledger = createLedger(resources, inputs);
  for (const price of VENDORS) price(ledger);
  const coverage = resources.map((r) => accountFor(r, ledger));
  const count = (status: ResourceCoverage["status"]) =>
    coverage.filter((c) => c.status === status).length;
  return {
    currency: "USD",
    monthlyTotal: cents(ledger.lines.reduce((s, l) => s + l.monthly, 0)),
    lines: ledger.lines,
    unpriced: ledger.unpriced,
    counts: { priced: count("priced"), free: count("free"), unpriced: count("unpriced") },
    coverage,
  };
}

/**
 * One resource's status once every vendor has priced what it knows. A resource the vendors
 * neither priced nor explained is added to `ledger.unpriced`, so the budget policy reports it.
 */
function accountFor(r: CostResource, ledger: Ledger): ResourceCoverage {
  const { urn, type } = r;
  const failed = ledger.unpriced.find((u) => u.urn === urn);
  if (failed) return { urn, type, status: "unpriced", reason: failed.reason };
  if (ledger.lines.some((l) => l.urn === urn)) return { urn, type, status: "priced" };
  const freeHere = ledger.free.get(urn);
  if (freeHere !== undefined) return { urn, type, status: "free", reason: freeHere };
  const known = typeCoverage(type);
  if (known?.status === "free") return { urn, type, status: "free", reason: known.reason };
  const reason =
    known === undefined
      ? "no entry in the cost catalog; price it in policies/cost/vendors/ or list it as free in policies/cost/coverage.ts (with the reason)"
      : known.status === "unpriced"
        ? known.reason
        : `priced by policies/cost/vendors/${known.vendor}.ts, which made no line for it`;
  ledger.markUnpriced(r, reason);
  return { urn, type, status: "unpriced", reason };
}

/** The biggest lines first, for messages. */
export function biggestLines(lines: readonly CostLine[], n: number): CostLine[] {
  return [...lines].sort((a, b) => b.monthly - a.monthly).slice(0, n);
}
