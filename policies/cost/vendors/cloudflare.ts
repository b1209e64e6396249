import { T } from "../../lib/types";
import { cloudflare } from "../catalog";
import { num, shareText, usd, type Quantity } from "../format";
import type { Ledger } from "../ledger";
import type { CostResource } from "../types";
import { numberProp, stringProp } from "./props";

/**
 * Resources that only exist inside a zone. The zone is config, not a resource, so its plan's
 * line sits on the first of these.
 */
export const ZONE_SCOPED: ReadonlySet<string> = new Set([
  T.zoneSetting,
  T.ruleset,
  T.dnsRecord,
  T.workersRoute,
  T.healthcheck,
]);

/**
 * Cloudflare R2 (Standard class), Workers, Queues and the zone plan. The R2, Workers and Queues
 * allowances are account-level, so each kind is priced on the stack's total usage and the amount
 * divided between its resources.
 */
export function priceCloudflare(ledger: Ledger): void {
  priceR2(ledger);
  priceLogArchive(ledger);
  priceWorkers(ledger);
  priceWorkersLogs(ledger);
  priceQueues(ledger);
  priceZonePlan(ledger);
}

/** The log archive (components/observability/logs.ts) is the bucket named `ara-<stack>-logs`. */
export function isLogArchiveBucket(r: CostResource): boolean {
  return r.type === T.r2Bucket && /-logs$/.test(String(r.props.name ?? ""));
}

/**
 * The web app's log batches (`POST /r2/logs/app`, one worker request and one R2 write each),
 * counted only where the stack has the log archive that receives them.
 */
function appLogBatches(ledger: Ledger): number {
  return ledger.resources.some(isLogArchiveBucket) ? (ledger.usage.appLogBatchesPerMonth ?? 0) : 0;
}

/** `base` plus the app's log batches, when there are any, with the sum's text. */
function plusBatches(base: number, baseText: string, batches: number): number | Quantity {
  if (batches === 0) return base;
  return { value: base + batches, text: `${baseText} + ${num(batches)} app log batches` };
}

function priceR2(ledger: Ledger): void {
  // The report figures in ara:usage describe the reports bucket, not the log archive.
  const buckets = ledger.ofType((t) => t === T.r2Bucket).filter((r) => !isLogArchiveBucket(r));
  if (buckets.length === 0) return;
  const { usage } = ledger;
  const service = "Cloudflare R2";
  ledger.spread(
    buckets,
    service,
    "storage",
    ledger.meter(cloudflare.r2Storage, usage.reportStorageGb),
  );
  // Class A's free tier is the account's, whichever bucket is written: the app's log batches
  // (one PUT each into the archive) count against it with the report uploads.
  const batches = appLogBatches(ledger);
  const writers =
    batches > 0 ? [...buckets, ...ledger.resources.filter(isLogArchiveBucket)] : buckets;
  const writes = plusBatches(
    usage.reportWritesPerMonth,
    `${num(usage.reportWritesPerMonth)} report uploads`,
    batches,
  );
  ledger.spread(writers, service, "Class A operations", ledger.meter(cloudflare.r2ClassA, writes));
  ledger.spread(
    buckets,
    service,
    "Class B operations",
    ledger.meter(cloudflare.r2ClassB, usage.reportReadsPerMonth),
  );
}

/**
 * The log archive: its storage of the web app's log batches (`app/`, `appLogArchiveGb`) and,
 * where the stack has the Logpush job (`ara:observability.logs.workerArchive`), Logpush of the
 * workers' trace events and their storage (`workers/`, `logArchiveGb`). A bucket without a job
 * receives no trace events: neither of those is priced on it.
 */
function priceLogArchive(ledger: Ledger): void {
  const { usage } = ledger;
  const jobs = ledger.ofType((t) => t === T.logpushJob);
  for (const r of ledger.resources.filter(isLogArchiveBucket)) {
    if (jobs.length > 0) {
      ledger.add(
        r,
        "Cloudflare R2",
        "log archive storage",
        ledger.meter(cloudflare.r2LogArchiveStorage, usage.logArchiveGb ?? 0),
      );
    }
    ledger.add(
      r,
      "Cloudflare R2",
      "app log archive storage",
      ledger.meter(cloudflare.r2LogArchiveStorage, usage.appLogArchiveGb ?? 0),
    );
  }
  if (jobs.length === 0) return;
  // Each app log batch is a request of the signer, so a trace event Logpush ships too.
  const logged = plusBatches(
    usage.workerRequestsPerMonth,
    `${num(usage.workerRequestsPerMonth)} worker requests`,
    appLogBatches(ledger),
  );
  ledger.spread(
    jobs,
    "Cloudflare Logpush",
    "Workers trace events",
    ledger.meter(cloudflare.workersLogpush, logged),
  );
}

function priceWorkers(ledger: Ledger): void {
  const workers = ledger.ofType((t) => t === T.workersScript);
  const share = ledger.usage.sharedCostShare.workersPaid;
  const service = "Cloudflare Workers";
  // Workers Paid is needed by Workers and by Queues; charge its share once.
  const subscriptionHolder = workers[0] ?? ledger.ofType((t) => t === T.queue)[0];
  if (subscriptionHolder) {
    const fee = cloudflare.workersPaidMinimum.usd;
    ledger.add(subscriptionHolder, service, "Workers Paid subscription (shared)", {
      monthly: fee * share,
      basis: `${usd(fee)}/month account minimum ${shareText(share)}`,
    });
  }
  if (workers.length === 0) return;
  const req = ledger.usage.workerRequestsPerMonth;
  const ms = ledger.usage.workerCpuMsPerRequest;
  const batches = appLogBatches(ledger);
  const requests = plusBatches(req, num(req), batches);
  ledger.spread(workers, service, "requests", ledger.meter(cloudflare.workersRequests, requests));
  const batchMs = cloudflare.appLogBatchCpuMs.quantity;
  const cpu = ledger.meter(cloudflare.workersCpu, {
    value: req * ms + batches * batchMs,
    // The usage unit (ms) follows the text: the first term states its own when there are two.
    text:
      batches > 0
        ? `${num(req)} requests × ${num(ms)} ms + ${num(batches)} app log batches × ${num(batchMs)}`
        : `${num(req)} requests × ${num(ms)}`,
  });
  ledger.spread(workers, service, "CPU time", cpu);
}

/**
 * The share of a script's invocations Workers Logs keeps: its `observability` head-sampling
 * rate (Cloudflare's default, 1, when none is given), or undefined when its logs are off.
 */
function workersLogsSampling(r: CostResource): number | undefined {
  const o = r.props.observability as
    { enabled?: unknown; headSamplingRate?: unknown; logs?: Record<string, unknown> } | undefined;
  if (o?.enabled !== true || o.logs?.enabled === false) return undefined;
  return numberProp(o.logs?.headSamplingRate) ?? numberProp(o.headSamplingRate) ?? 1;
}

/**
 * What the stack's scripts write to Workers Logs a month, in GB: each logged request of the
 * signer (app log batches included) and each message of a queue-consuming script (the
 * replicator: one per report upload) writes `workersLogsEventsPerInvocation` events of
 * `workersLogsBytesPerEvent`. A figure is divided between the scripts of its kind.
 */
function workersLogsGb(ledger: Ledger, scripts: readonly CostResource[]): Quantity {
  const consumers = new Set(
    ledger.ofType((t) => t === T.queueConsumer).map((c) => stringProp(c.props.scriptName)),
  );
  const isConsumer = (r: CostResource) => consumers.has(stringProp(r.props.scriptName));
  const req = ledger.usage.workerRequestsPerMonth;
  const batches = appLogBatches(ledger);
  const requests: Quantity =
    batches > 0
      ? {
          value: req + batches,
          text: `(${num(req)} worker requests + ${num(batches)} app log batches)`,
        }
      : { value: req, text: `${num(req)} worker requests` };
  const messages = ledger.usage.reportWritesPerMonth;
  const kinds = [
    { rs: scripts.filter((r) => !isConsumer(r)), figure: requests },
    {
      rs: scripts.filter(isConsumer),
      figure: { value: messages, text: `${num(messages)} queue messages` },
    },
  ];
  let logged = 0;
  const terms: string[] = [];
  for (const { rs, figure } of kinds) {
    const each = rs.length > 1 ? `${figure.text} / ${rs.length} scripts` : figure.text;
    for (const r of rs) {
      const rate = workersLogsSampling(r) ?? 0;
      logged += (figure.value / rs.length) * rate;
      terms.push(`${each} × ${num(rate)} sampled`);
    }
  }
  const events = cloudflare.workersLogsEventsPerInvocation.quantity;
  const bytes = cloudflare.workersLogsBytesPerEvent.quantity;
  const gb = (logged * events * bytes) / 1e9;
  const sum = terms.length > 1 ? `(${terms.join(" + ")})` : terms[0]!;
  return { value: gb, text: `${sum} × ${events} events × ${num(bytes)} bytes = ${num(gb)}` };
}

/**
 * Workers Logs, on every script whose `observability` logs are on: ingestion, and storage of
 * what stays queryable for the retention (GB-month = Σ each day's largest queryable GB / 30,
 * so a steady month stores `ingested × days / 30`). Both allowances are the account's, so the
 * stack's total is priced once and divided between its scripts.
 */
function priceWorkersLogs(ledger: Ledger): void {
  const scripts = ledger
    .ofType((t) => t === T.workersScript)
    .filter((r) => workersLogsSampling(r) !== undefined);
  if (scripts.length === 0) return;
  const ingested = workersLogsGb(ledger, scripts);
  const days = cloudflare.workersLogsRetentionDays.quantity;
  const stored = (ingested.value * days) / 30;
  const service = "Cloudflare Workers Logs";
  ledger.spread(
    scripts,
    service,
    "log ingestion",
    ledger.meter(cloudflare.workersLogsIngestion, ingested),
  );
  ledger.spread(
    scripts,
    service,
    `log storage (${days} days)`,
    ledger.meter(cloudflare.workersLogsStorage, {
      value: stored,
      text: `${num(ingested.value)} GB ingested × ${days} days / 30 = ${num(stored)}`,
    }),
  );
}

function priceQueues(ledger: Ledger): void {
  const queues = ledger.ofType((t) => t === T.queue);
  if (queues.length === 0) return;
  const messages = ledger.usage.reportWritesPerMonth;
  const perMessage = cloudflare.queueOpsPerMessage.quantity;
  const ops = ledger.meter(cloudflare.queueOperations, {
    value: messages * perMessage,
    text: `${num(messages)} messages (one per report upload) × ${perMessage} ops`,
  });
  ledger.spread(queues, "Cloudflare Queues", "operations", ops);
}

function priceZonePlan(ledger: Ledger): void {
  const zoneHolder = ledger.resources.find((r) => ZONE_SCOPED.has(r.type));
  if (!zoneHolder) return;
  const plan = ledger.cloudflarePlan;
  if (plan === "enterprise") {
    ledger.markUnpriced(
      zoneHolder,
      "Enterprise zone plans are quoted, not listed; add the contract price to policies/cost/catalog.ts (cloudflare.zonePlans)",
      "cloudflare zone plan",
    );
    return;
  }
  const price = cloudflare.zonePlans[plan];
  ledger.add(zoneHolder, "Cloudflare", `${plan[0]!.toUpperCase()}${plan.slice(1)} zone plan`, {
    monthly: price,
    basis: `${usd(price)}/month per zone, billed monthly (ara:edge.cloudflarePlan = ${plan})`,
  });
}
