import { T } from "../../lib/types";
import { upstash } from "../catalog";
import { rate, split, usd } from "../format";
import type { Ledger } from "../ledger";
import { numberProp } from "./props";

/** Upstash Redis, pay-as-you-go, capped by the database's budget; the Prod Pack on top. */
export function priceUpstash(ledger: Ledger): void {
  const caches = ledger.ofType((t) => t === T.upstashRedis);
  for (const r of caches) {
    const readRegions = Array.isArray(r.props.readRegions) ? r.props.readRegions.length : 0;
    const cmds = split(ledger.usage.redisCommandsPerMonth, caches.length);
    const replication =
      readRegions > 0
        ? ` × (1 + ${readRegions} read region${readRegions > 1 ? "s" : ""}, every command counted as a replicated write)`
        : "";
    const commands = ledger.meter(upstash.commands, {
      value: cmds.value * (1 + readRegions),
      text: `${cmds.text} commands${replication}`,
    });
    const storage = ledger.meter(
      upstash.storage,
      split(ledger.usage.redisStorageGb, caches.length),
    );
    // The cap throttles the database, so commands and storage together never bill above it.
    const cap = numberProp(r.props.budget) ?? upstash.defaultBudgetUsd.quantity;
    ledger.add(r, "Upstash", "pay-as-you-go commands and storage", {
      monthly: Math.min(commands.monthly + storage.monthly, cap),
      basis: `min(${commands.basis} + ${storage.basis}, ${usd(cap)} budget cap)`,
    });
    if (r.props.prodPack === true) {
      ledger.add(r, "Upstash", "Prod Pack", {
        monthly: upstash.prodPack.usd,
        basis: `${rate(upstash.prodPack.usd)}/month per database`,
      });
    }
  }
}
