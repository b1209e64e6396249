import type { Metered } from "./catalog";
import { cents, type Quantity } from "./format";
import { metered, type Term } from "./metered";
import type { CostLine, CostResource, EstimateInputs, Unpriced } from "./types";

/**
 * What a vendor's pricing function (./vendors/*.ts) works with: the stack's resources and
 * usage, and the ledger it writes lines, unpriced items and free resources into.
 */
export interface Ledger extends EstimateInputs {
  readonly resources: readonly CostResource[];
  readonly lines: CostLine[];
  readonly unpriced: Unpriced[];
  /** Resources of a priced type that cost nothing here, with the reason (by URN). */
  readonly free: Map<string, string>;
  ofType(test: (type: string) => boolean): CostResource[];
  /** `metered()` with the stack's share of the entry's allowance, when the allowance is shared. */
  meter(entry: Metered, used: number | Quantity): Term;
  /** Puts a term on a resource as a line, rounded to cents. */
  add(r: CostResource, service: string, item: string, term: Term): CostLine;
  /**
   * Divides a term priced on the stack's total usage evenly between resources of one kind, so
   * an account-level allowance is subtracted once, not once per resource.
   */
  spread(rs: readonly CostResource[], service: string, item: string, term: Term): CostLine[];
  markUnpriced(r: CostResource, reason: string, type?: string): void;
  markFree(r: CostResource, reason: string): void;
}

export function createLedger(resources: readonly CostResource[], inputs: EstimateInputs): Ledger {
  const ledger: Ledger = {
    ...inputs,
    resources,
    lines: [],
    unpriced: [],
    free: new Map(),
    ofType: (test) => resources.filter((r) => test(r.type)),
    meter: (entry, used) => {
      const by = entry.included?.sharedBy;
      // A share the stack does not state is 0: no allowance is credited to it.
      return metered(entry, used, by ? (inputs.usage.sharedCostShare[by] ?? 0) : undefined);
    },
    add: (r, service, item, term) => {
      const line = { urn: r.urn, service, item, monthly: cents(term.monthly), basis: term.basis };
      ledger.lines.push(line);
      return line;
    },
    spread: (rs, service, item, term) => {
      const each = rs.length > 1 ? `; divided between ${rs.length} resources` : "";
      return rs.map((r) =>
        ledger.add(r, service, item, {
          monthly: term.monthly / rs.length,
          basis: `${term.basis}${each}`,
        }),
      );
    },
    markUnpriced: (r, reason, type = r.type) => ledger.unpriced.push({ urn: r.urn, type, reason }),
    markFree: (r, reason) => ledger.free.set(r.urn, reason),
  };
  return ledger;
}
