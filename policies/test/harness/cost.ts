import type { UsageSettings } from "../../../stacks/schema";
import {
  estimateMonthlyCost,
  type CostEstimate,
  type CostLine,
  type CostResource,
  type EstimateInputs,
} from "../../cost/estimate";

/**
 * Fixtures for the cost model's tests (cost.test.ts, cost-coverage.test.ts and the plan's
 * tests/plan/cost-table.test.ts): usage that bills nothing, hand-made resources, and an
 * estimate under that usage.
 */

/** No usage at all; each account-level subscription charged in full to the stack. */
export const ZERO_USAGE: UsageSettings = {
  appRequestsPerMonth: 0,
  appFunctionInvocationsPerMonth: 0,
  appFunctionCpuHoursPerMonth: 0,
  appDataTransferGbPerMonth: 0,
  vercelSeats: 0,
  workerRequestsPerMonth: 0,
  workerCpuMsPerRequest: 0,
  reportStorageGb: 0,
  reportWritesPerMonth: 0,
  emailsPerMonth: 0,
  reportReadsPerMonth: 0,
  redisCommandsPerMonth: 0,
  redisStorageGb: 0,
  databaseStorageGb: 0,
  databaseEgressGbPerMonth: 0,
  replicaStorageGb: 0,
  databaseBackupStorageGb: 0,
  sharedCostShare: { vercelPro: 1, workersPaid: 1 },
};

/** ZERO_USAGE with the given figures. */
export const usage = (u: Partial<UsageSettings> = {}): UsageSettings => ({ ...ZERO_USAGE, ...u });

/** A resource of `type` named `name` in stack `stack` (default "test"). */
export const costResource = (
  type: string,
  name: string,
  props: Record<string, unknown> = {},
  stack = "test",
): CostResource => ({ urn: `urn:pulumi:${stack}::ara::${type}::${name}`, type, name, props });

/** The estimate of `resources` under `usage(u)` on a zone of the given plan (default free). */
export const estimate = (
  resources: readonly CostResource[],
  u: Partial<UsageSettings> = {},
  cloudflarePlan: EstimateInputs["cloudflarePlan"] = "free",
): CostEstimate => estimateMonthlyCost(resources, { usage: usage(u), cloudflarePlan });

/** The estimate's line for `item`; throws, listing the items there are, if it has none. */
export function line(est: CostEstimate, item: string): CostLine {
  const l = est.lines.find((x) => x.item === item);
  if (!l) throw new Error(`no line "${item}" in ${est.lines.map((x) => x.item).join(", ")}`);
  return l;
}
