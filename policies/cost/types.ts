import type { EdgeSettings, UsageSettings } from "../../stacks/schema";

/** One resource as the estimator sees it: its type and inputs. */
export interface CostResource {
  urn: string;
  type: string;
  name: string;
  props: Record<string, unknown>;
}

/** One monthly cost line. `basis` is the formula with its numbers, for a human to check. */
export interface CostLine {
  urn: string;
  service: string;
  item: string;
  /** USD per month, rounded to cents. */
  monthly: number;
  basis: string;
}

/** A resource that costs money but could not be priced: the estimate is incomplete. */
export interface Unpriced {
  urn: string;
  type: string;
  reason: string;
}

/**
 * How the estimate accounted for one resource: `priced` (it carries at least one line, possibly
 * $0), `free` (no charge of its own, and `reason` says why), or `unpriced` (`reason` says why;
 * the same resource is in `unpriced`).
 */
export interface ResourceCoverage {
  urn: string;
  type: string;
  status: "priced" | "free" | "unpriced";
  reason?: string;
}

export interface CoverageCounts {
  priced: number;
  free: number;
  unpriced: number;
}

export interface CostEstimate {
  currency: "USD";
  /** Sum of the (rounded) lines. */
  monthlyTotal: number;
  lines: CostLine[];
  unpriced: Unpriced[];
  /** How many of the resources are priced, free and unpriced; they add up to all of them. */
  counts: CoverageCounts;
  /** Every resource, in the order given, with its status. */
  coverage: ResourceCoverage[];
}

export interface EstimateInputs {
  usage: UsageSettings;
  /** The zone's plan (ara:edge.cloudflarePlan); the zone itself is not a resource. */
  cloudflarePlan: EdgeSettings["cloudflarePlan"];
}
