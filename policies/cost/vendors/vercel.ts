import { T } from "../../lib/types";
import { vercel, type Metered } from "../catalog";
import { cents, rate, shareText, usd } from "../format";
import type { Ledger } from "../ledger";

/**
 * Vercel Pro: the team's platform fee and seats once, usage above the team's allowances, then
 * the fee's usage credit, which can only offset usage.
 */
export function priceVercel(ledger: Ledger): void {
  const projects = ledger.ofType((t) => t === T.vercelProject);
  const first = projects[0];
  if (!first) return;
  const { usage } = ledger;
  const share = usage.sharedCostShare.vercelPro;
  const fee = vercel.proPlatformFee.usd;
  ledger.add(first, "Vercel", "Pro platform fee (shared)", {
    monthly: fee * share,
    basis: `${usd(fee)}/month team fee ${shareText(share)}`,
  });
  const seats = usage.vercelSeats;
  ledger.add(first, "Vercel", "extra deploying seats", {
    monthly: seats * vercel.seat.usd,
    basis: `${seats} seat${seats === 1 ? "" : "s"} × ${rate(vercel.seat.usd)}/month`,
  });
  const metered: [item: string, entry: Metered, used: number][] = [
    ["edge requests", vercel.edgeRequests, usage.appRequestsPerMonth],
    ["fast data transfer", vercel.dataTransfer, usage.appDataTransferGbPerMonth],
    ["function invocations", vercel.invocations, usage.appFunctionInvocationsPerMonth],
    ["active CPU", vercel.activeCpu, usage.appFunctionCpuHoursPerMonth],
  ];
  const usageLines = metered.flatMap(([item, entry, used]) =>
    ledger.spread(projects, "Vercel", item, ledger.meter(entry, used)),
  );
  const usageTotal = cents(usageLines.reduce((sum, l) => sum + l.monthly, 0));
  const credit = Math.min(usageTotal, vercel.usageCredit.usd * share);
  ledger.add(first, "Vercel", "included usage credit (shared)", {
    monthly: -credit,
    basis: `−min(${usd(usageTotal)} usage, ${rate(vercel.usageCredit.usd)} credit ${shareText(share)})`,
  });
}
