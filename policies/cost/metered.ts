import type { Metered } from "./catalog";
import { num, rate, shareText, type Quantity } from "./format";

/** An amount and the formula that produced it, before it is put on a resource as a line. */
export interface Term {
  /** USD per month, unrounded: lines round, terms combine. */
  monthly: number;
  basis: string;
}

/**
 * The one formula behind every usage-priced line: `max(0, used − included × share) × rate`,
 * or `used × rate` when nothing is included. `used.text` is written before the entry's usage
 * unit, so a caller can describe how the figure arose ("2,000,000 requests × 1" + " ms").
 * `share` is the stack's share of an account-level allowance; without one the allowance is
 * the resource's own and the basis says nothing about shares.
 */
export function metered(entry: Metered, used: number | Quantity, share?: number): Term {
  const q = typeof used === "number" ? { value: used, text: num(used) } : used;
  const unit = entry.usageUnit ? ` ${entry.usageUnit}` : "";
  const price = `${rate(entry.usd)}/${entry.rateFor.label}`;
  const inc = entry.included;
  if (!inc) {
    return {
      monthly: (q.value / entry.rateFor.size) * entry.usd,
      basis: `${q.text}${unit} × ${price}`,
    };
  }
  const credited = inc.quantity * (share ?? 1);
  const shared = share === undefined ? "" : ` ${shareText(share)}`;
  return {
    monthly: (Math.max(0, q.value - credited) / entry.rateFor.size) * entry.usd,
    basis: `max(0, ${q.text}${unit} − ${num(inc.quantity)}${unit} ${inc.word}${shared}) × ${price}`,
  };
}
