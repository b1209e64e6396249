/** Number formats shared by every line's `basis`, so a reviewer reads one notation throughout. */

export function cents(x: number): number {
  return Math.round(x * 100) / 100;
}

export function usd(x: number): string {
  const sign = x < 0 ? "-" : "";
  return `${sign}$${Math.abs(x).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A unit price with all its digits: $0.125, $0.0012, $20.00. */
export function rate(x: number): string {
  return Number.isInteger(Math.round(x * 1e6) / 1e4) ? usd(x) : `$${x}`;
}

export function num(x: number): string {
  return x.toLocaleString("en-US", { maximumFractionDigits: 4 });
}

/** "× 0.5 share" text for account-level allowances and fees. */
export function shareText(share: number): string {
  return `× ${num(share)} share`;
}

/** A usage figure and how the basis writes it ("20", or "100 / 2 resources"). */
export interface Quantity {
  value: number;
  text: string;
}

/** A usage figure divided between `n` resources of the same kind, with its wording. */
export function split(total: number, n: number): Quantity {
  return n <= 1
    ? { value: total, text: num(total) }
    : { value: total / n, text: `${num(total)} / ${n} resources` };
}
