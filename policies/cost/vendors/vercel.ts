import { T } from "../../lib/types";
import { vercel } from "../catalog";
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
  const usageLines = [
    ...ledger.spread(
      projects,
      "Vercel",
      "edge requests",
      ledger.meter(vercel.edgeRequests, usage.appRequestsPerMonth),
    ),
    ...ledger.spread(
      projects,
      "Vercel",
      "fast data transfer",
      ledger.meter(vercel.dataTransfer, usage.appDataTransferGbPerMonth),
    ),
    ...ledger.spread(
      projects,
      "Vercel",
      "function invocations",
      ledger.meter(vercel.invocations, usage.appFunctionInvocationsPerMonth),
    ),
    ...ledger.spread(
      projects,
      "Vercel",
      "active CPU",
      ledger.meter(vercel.activeCpu, usage.appFunctionCpuHoursPerMonth),
    ),
  ];
  const usageTotal = cents(usageLines.reduce((sum, l) => sum + l.monthly, 0));
  const credit = Math.min(usageTotal, vercel.usageCredit.usd * share);
  ledger.add(first, "Vercel", "included usage credit (shared)", {
    monthly: -credit,
    basis: `−min(${usd(usageTotal)} usage, ${rate(vercel.usageCredit.usd)} credit ${shareText(share)})`,
  });
}
