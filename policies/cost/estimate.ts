import type { EdgeSettings, UsageSettings } from "../../stacks/schema";
import { aws, cloudflare, planetscale, upstash, vercel } from "./catalog";
import { planetScaleKind, S3_BUCKET_TYPES, T } from "../lib/types";

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

export interface CostEstimate {
  currency: "USD";
  /** Sum of the (rounded) lines. */
  monthlyTotal: number;
  lines: CostLine[];
  unpriced: Unpriced[];
}

export interface EstimateInputs {
  usage: UsageSettings;
  /** The zone's plan (ara:edge.cloudflarePlan); the zone itself is not a resource. */
  cloudflarePlan: EdgeSettings["cloudflarePlan"];
}

/** Types that cost nothing beyond what is priced elsewhere (docs/cost.md says why for each). */
const FREE_TYPES: ReadonlySet<string> = new Set([
  T.r2Lifecycle,
  T.r2Cors,
  T.r2ManagedDomain,
  T.r2CustomDomain,
  T.r2Lock,
  T.queueConsumer,
  T.r2EventNotification,
  T.workersSubdomain,
  T.workersRoute,
  T.workersCustomDomain,
  T.zoneSetting,
  T.dnsRecord,
  T.ruleset,
  T.healthcheck,
  T.notificationPolicy,
  T.notificationWebhooks,
  T.s3Versioning,
  T.s3VersioningV2,
  T.s3Encryption,
  T.s3EncryptionV2,
  T.s3PublicAccessBlock,
  T.s3Policy,
  T.s3Lifecycle,
  T.s3Ownership,
  T.iamUser,
  T.iamAccessKey,
  T.iamUserPolicy,
  T.snsTopic,
  T.snsSubscription,
  T.budget,
  T.vercelEnvVar,
  T.vercelEnvVars,
  T.vercelDeployment,
  T.vercelDomain,
  T.vercelFirewall,
  "aws:sns/topicPolicy:TopicPolicy",
  "aws:iam/role:Role",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/policy:Policy",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:kms/alias:Alias",
  "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
  "aws:s3/bucketNotification:BucketNotification",
  "vercel:index/logDrain:LogDrain",
  "vercel:index/projectProtectionBypass:ProjectProtectionBypass",
]);

/** Packages whose resources can cost money: an unrecognised type from them is "unpriced". */
const BILLED_PACKAGES = new Set(["aws", "cloudflare", "vercel", "upstash"]);

const ZONE_SCOPED: ReadonlySet<string> = new Set([
  T.zoneSetting,
  T.ruleset,
  T.dnsRecord,
  T.workersRoute,
  T.healthcheck,
]);

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

function numberProp(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function stringProp(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** "× 0.5 share" text for account-level allowances and fees. */
function shareText(share: number): string {
  return `× ${num(share)} share`;
}

/** A usage figure divided between `n` resources of the same kind, with its wording. */
function split(total: number, n: number): { value: number; text: string } {
  return n <= 1
    ? { value: total, text: num(total) }
    : { value: total / n, text: `${num(total)} / ${n} resources` };
}

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
  const { usage } = inputs;
  const lines: CostLine[] = [];
  const unpriced: Unpriced[] = [];
  const add = (r: CostResource, service: string, item: string, monthly: number, basis: string) =>
    lines.push({ urn: r.urn, service, item, monthly: cents(monthly), basis });

  const byType = (pred: (t: string) => boolean) => resources.filter((r) => pred(r.type));
  const databases = byType((t) => planetScaleKind(t) === "Database");
  const branches = byType((t) => planetScaleKind(t) === "Branch");
  const caches = byType((t) => t === T.upstashRedis);
  const buckets = byType((t) => t === T.r2Bucket);
  const queues = byType((t) => t === T.queue);
  const workers = byType((t) => t === T.workersScript);
  const projects = byType((t) => t === T.vercelProject);
  const s3Buckets = byType((t) => S3_BUCKET_TYPES.includes(t));
  const cfShare = usage.sharedCostShare.workersPaid;
  const vShare = usage.sharedCostShare.vercelPro;

  // PlanetScale Postgres clusters.
  for (const r of databases) {
    const sku = stringProp(r.props.clusterSize);
    const replicas = numberProp(r.props.replicas) ?? 0;
    const price = sku ? planetscale.postgres.skus[sku] : undefined;
    if (!sku || !price) {
      unpriced.push({
        urn: r.urn,
        type: r.type,
        reason: `no price for cluster size ${sku ?? "(unset)"}; add it to policies/cost/catalog.ts (planetscale.postgres.skus) from planetscale.com/docs/postgres/pricing`,
      });
      continue;
    }
    const region = stringProp(r.props.region) ?? planetscale.postgres.region;
    const where =
      region === planetscale.postgres.region
        ? ""
        : `; us-east-1 list price, region ${region} may differ`;
    if (replicas < 2) {
      add(
        r,
        "PlanetScale",
        `Postgres ${sku}, single node`,
        price.singleNode,
        `${usd(price.singleNode)}/month (replicas ${replicas})${where}`,
      );
    } else {
      add(
        r,
        "PlanetScale",
        `Postgres ${sku}, HA (primary + 2 replicas)`,
        price.highAvailability,
        `${usd(price.highAvailability)}/month for 3 nodes${where}`,
      );
      const extra = replicas - 2;
      if (extra > 0) {
        const each = price.highAvailability * planetscale.extraReplicaShareOfHa.quantity;
        add(
          r,
          "PlanetScale",
          `${extra} extra replica${extra > 1 ? "s" : ""}`,
          extra * each,
          `${extra} × ${usd(price.highAvailability)} / 3 (≈ a third of the HA price each)`,
        );
      }
    }
    const gb = split(usage.databaseStorageGb, databases.length);
    const included = planetscale.storageIncludedGb.quantity;
    const billable = Math.max(0, gb.value - included);
    add(
      r,
      "PlanetScale",
      "storage",
      billable * planetscale.storagePerGbMonth.usd,
      `max(0, ${gb.text} GB − ${included} GB included) × ${rate(planetscale.storagePerGbMonth.usd)}/GB-month`,
    );
  }

  for (const r of branches) {
    const name = stringProp(r.props.name);
    const sku = stringProp(r.props.clusterSize);
    const isDefault = name === "main" && stringProp(r.props.parentBranch) === undefined;
    if (isDefault && !sku) continue; // the database's own branch: priced with the database
    if (!sku || /^PS_DEV_/.test(sku)) {
      add(
        r,
        "PlanetScale",
        `branch '${name ?? r.name}' (PS-DEV)`,
        planetscale.devBranch.usd,
        `${rate(planetscale.devBranch.usd)}/month per development branch${sku ? "" : " (no clusterSize: priced as PS-DEV)"}`,
      );
      continue;
    }
    const price = planetscale.postgres.skus[sku];
    if (!price) {
      unpriced.push({
        urn: r.urn,
        type: r.type,
        reason: `no price for branch cluster size ${sku}; add it to policies/cost/catalog.ts`,
      });
      continue;
    }
    const replicas = numberProp(r.props.replicas) ?? 0;
    const monthly = replicas >= 2 ? price.highAvailability : price.singleNode;
    add(
      r,
      "PlanetScale",
      `branch '${name ?? r.name}' ${sku}`,
      monthly,
      `${usd(monthly)}/month (${replicas >= 2 ? "HA" : "single node"}; extra production branches are billed at the cluster price)`,
    );
  }

  // Upstash Redis, pay-as-you-go, capped by the database's budget.
  for (const r of caches) {
    const readRegions = Array.isArray(r.props.readRegions) ? r.props.readRegions.length : 0;
    const cmds = split(usage.redisCommandsPerMonth, caches.length);
    const commands = cmds.value * (1 + readRegions);
    const commandCost = (commands / 100_000) * upstash.commandsPer100k.usd;
    const gb = split(usage.redisStorageGb, caches.length);
    const freeGb = upstash.storageIncludedGb.quantity;
    const storageCost = Math.max(0, gb.value - freeGb) * upstash.storagePerGbMonth.usd;
    const cap = numberProp(r.props.budget) ?? upstash.defaultBudgetUsd.quantity;
    const payg = Math.min(commandCost + storageCost, cap);
    const replication =
      readRegions > 0
        ? ` × (1 + ${readRegions} read region${readRegions > 1 ? "s" : ""}, every command counted as a replicated write)`
        : "";
    add(
      r,
      "Upstash",
      "pay-as-you-go commands and storage",
      payg,
      `min(${cmds.text} commands${replication} × ${rate(upstash.commandsPer100k.usd)}/100K + max(0, ${gb.text} GB − ${freeGb} GB free) × ${rate(upstash.storagePerGbMonth.usd)}/GB, ${usd(cap)} budget cap)`,
    );
    if (r.props.prodPack === true) {
      add(
        r,
        "Upstash",
        "Prod Pack",
        upstash.prodPack.usd,
        `${rate(upstash.prodPack.usd)}/month per database`,
      );
    }
  }

  // Cloudflare R2 (Standard class), Workers and Queues. Their allowances are account-level, so
  // each kind is priced on the stack's total usage and the amount divided between resources.
  const spread = (
    rs: readonly CostResource[],
    service: string,
    item: string,
    monthly: number,
    basis: string,
  ) => {
    const each = rs.length > 1 ? `; divided between ${rs.length} resources` : "";
    for (const r of rs) add(r, service, item, monthly / rs.length, `${basis}${each}`);
  };
  if (buckets.length > 0) {
    const gb = usage.reportStorageGb;
    const freeGb = cloudflare.r2IncludedStorageGb.quantity;
    spread(
      buckets,
      "Cloudflare R2",
      "storage",
      Math.max(0, gb - freeGb * cfShare) * cloudflare.r2StoragePerGbMonth.usd,
      `max(0, ${num(gb)} GB − ${freeGb} GB free ${shareText(cfShare)}) × ${rate(cloudflare.r2StoragePerGbMonth.usd)}/GB-month`,
    );
    const a = usage.reportWritesPerMonth;
    const freeA = cloudflare.r2IncludedClassA.quantity;
    spread(
      buckets,
      "Cloudflare R2",
      "Class A operations",
      (Math.max(0, a - freeA * cfShare) / 1e6) * cloudflare.r2ClassAPerMillion.usd,
      `max(0, ${num(a)} − ${num(freeA)} free ${shareText(cfShare)}) × ${rate(cloudflare.r2ClassAPerMillion.usd)}/1M`,
    );
    const b = usage.reportReadsPerMonth;
    const freeB = cloudflare.r2IncludedClassB.quantity;
    spread(
      buckets,
      "Cloudflare R2",
      "Class B operations",
      (Math.max(0, b - freeB * cfShare) / 1e6) * cloudflare.r2ClassBPerMillion.usd,
      `max(0, ${num(b)} − ${num(freeB)} free ${shareText(cfShare)}) × ${rate(cloudflare.r2ClassBPerMillion.usd)}/1M`,
    );
  }

  // Workers Paid is needed by Workers and by Queues; charge its share once.
  const subscriptionHolder = workers[0] ?? queues[0];
  if (subscriptionHolder) {
    const fee = cloudflare.workersPaidMinimum.usd;
    add(
      subscriptionHolder,
      "Cloudflare Workers",
      "Workers Paid subscription (shared)",
      fee * cfShare,
      `${usd(fee)}/month account minimum ${shareText(cfShare)}`,
    );
  }
  if (workers.length > 0) {
    const req = usage.workerRequestsPerMonth;
    const freeReq = cloudflare.workersIncludedRequests.quantity;
    spread(
      workers,
      "Cloudflare Workers",
      "requests",
      (Math.max(0, req - freeReq * cfShare) / 1e6) * cloudflare.workersRequestsPerMillion.usd,
      `max(0, ${num(req)} − ${num(freeReq)} included ${shareText(cfShare)}) × ${rate(cloudflare.workersRequestsPerMillion.usd)}/1M`,
    );
    const cpu = req * usage.workerCpuMsPerRequest;
    const freeCpu = cloudflare.workersIncludedCpuMs.quantity;
    spread(
      workers,
      "Cloudflare Workers",
      "CPU time",
      (Math.max(0, cpu - freeCpu * cfShare) / 1e6) * cloudflare.workersCpuPerMillionMs.usd,
      `max(0, ${num(req)} requests × ${num(usage.workerCpuMsPerRequest)} ms − ${num(freeCpu)} ms included ${shareText(cfShare)}) × ${rate(cloudflare.workersCpuPerMillionMs.usd)}/1M CPU-ms`,
    );
  }
  if (queues.length > 0) {
    const msgs = usage.reportWritesPerMonth;
    const per = cloudflare.queueOpsPerMessage.quantity;
    const free = cloudflare.queueIncludedOps.quantity;
    spread(
      queues,
      "Cloudflare Queues",
      "operations",
      (Math.max(0, msgs * per - free * cfShare) / 1e6) * cloudflare.queueOpsPerMillion.usd,
      `max(0, ${num(msgs)} messages (one per report upload) × ${per} ops − ${num(free)} included ${shareText(cfShare)}) × ${rate(cloudflare.queueOpsPerMillion.usd)}/1M`,
    );
  }

  // The zone plan: billed per zone; the zone is config, so the line sits on the first zone-scoped resource.
  const zoneHolder = resources.find((r) => ZONE_SCOPED.has(r.type));
  if (zoneHolder) {
    const plan = inputs.cloudflarePlan;
    if (plan === "enterprise") {
      unpriced.push({
        urn: zoneHolder.urn,
        type: "cloudflare zone plan",
        reason:
          "Enterprise zone plans are quoted, not listed; add the contract price to policies/cost/catalog.ts (cloudflare.zonePlans)",
      });
    } else {
      const price = cloudflare.zonePlans[plan];
      add(
        zoneHolder,
        "Cloudflare",
        `${plan[0]!.toUpperCase()}${plan.slice(1)} zone plan`,
        price,
        `${usd(price)}/month per zone, billed monthly (ara:edge.cloudflarePlan = ${plan})`,
      );
    }
  }

  // Vercel Pro: platform fee and seats once; usage on the team's allowances, then the credit.
  if (projects.length > 0) {
    const first = projects[0]!;
    const fee = vercel.proPlatformFee.usd;
    add(
      first,
      "Vercel",
      "Pro platform fee (shared)",
      fee * vShare,
      `${usd(fee)}/month team fee ${shareText(vShare)}`,
    );
    add(
      first,
      "Vercel",
      "extra deploying seats",
      usage.vercelSeats * vercel.seat.usd,
      `${usage.vercelSeats} seat${usage.vercelSeats === 1 ? "" : "s"} × ${rate(vercel.seat.usd)}/month`,
    );
    const before = lines.length;
    const req = usage.appRequestsPerMonth;
    const freeReq = vercel.includedEdgeRequests.quantity;
    spread(
      projects,
      "Vercel",
      "edge requests",
      (Math.max(0, req - freeReq * vShare) / 1e6) * vercel.edgeRequestsPerMillion.usd,
      `max(0, ${num(req)} − ${num(freeReq)} included ${shareText(vShare)}) × ${rate(vercel.edgeRequestsPerMillion.usd)}/1M`,
    );
    const gb = usage.appDataTransferGbPerMonth;
    const freeGb = vercel.includedDataTransferGb.quantity;
    spread(
      projects,
      "Vercel",
      "fast data transfer",
      Math.max(0, gb - freeGb * vShare) * vercel.dataTransferPerGb.usd,
      `max(0, ${num(gb)} GB − ${num(freeGb)} GB included ${shareText(vShare)}) × ${rate(vercel.dataTransferPerGb.usd)}/GB`,
    );
    const inv = usage.appFunctionInvocationsPerMonth;
    spread(
      projects,
      "Vercel",
      "function invocations",
      (inv / 1e6) * vercel.invocationsPerMillion.usd,
      `${num(inv)} × ${rate(vercel.invocationsPerMillion.usd)}/1M`,
    );
    const cpu = usage.appFunctionCpuHoursPerMonth;
    spread(
      projects,
      "Vercel",
      "active CPU",
      cpu * vercel.activeCpuPerHour.usd,
      `${num(cpu)} h × ${rate(vercel.activeCpuPerHour.usd)}/h`,
    );
    const usageTotal = cents(lines.slice(before).reduce((sum, l) => sum + l.monthly, 0));
    const credit = Math.min(usageTotal, vercel.usageCredit.usd * vShare);
    add(
      first,
      "Vercel",
      "included usage credit (shared)",
      -credit,
      `−min(${usd(usageTotal)} usage, ${rate(vercel.usageCredit.usd)} credit ${shareText(vShare)})`,
    );
  }

  // AWS: the report replica and monitoring.
  for (const r of s3Buckets) {
    const gb = split(usage.replicaStorageGb, s3Buckets.length);
    add(
      r,
      "AWS S3",
      "storage (Standard)",
      gb.value * aws.s3StoragePerGbMonth.usd,
      `${gb.text} GB × ${rate(aws.s3StoragePerGbMonth.usd)}/GB-month`,
    );
    const puts = split(usage.reportWritesPerMonth, s3Buckets.length);
    add(
      r,
      "AWS S3",
      "PUT requests",
      (puts.value / 1000) * aws.s3PutPer1000.usd,
      `${puts.text} copies (one per report upload) × ${rate(aws.s3PutPer1000.usd)}/1,000`,
    );
  }

  for (const r of resources) {
    if (r.type === T.kmsKey) {
      const rotated = r.props.enableKeyRotation === true;
      const monthly = aws.kmsKeyMonth.usd + (rotated ? aws.kmsRotationMonth.usd : 0);
      add(
        r,
        "AWS KMS",
        "customer managed key",
        monthly,
        rotated
          ? `${rate(aws.kmsKeyMonth.usd)}/month + ${rate(aws.kmsRotationMonth.usd)}/month for its first two rotations`
          : `${rate(aws.kmsKeyMonth.usd)}/month`,
      );
    } else if (r.type === T.metricAlarm) {
      add(
        r,
        "AWS CloudWatch",
        "alarm",
        aws.alarmMonth.usd,
        `${rate(aws.alarmMonth.usd)}/month per standard-resolution alarm metric`,
      );
    } else if (r.type === T.canary) {
      const schedule = r.props.schedule as Record<string, unknown> | undefined;
      const minutes = rateMinutes(stringProp(schedule?.expression));
      if (minutes === undefined) {
        unpriced.push({
          urn: r.urn,
          type: r.type,
          reason: `cannot count runs of schedule "${String(schedule?.expression)}"; use rate(N minutes|hours) or price it by hand in policies/cost/estimate.ts`,
        });
      } else {
        const runs = (aws.hoursPerMonth.quantity * 60) / minutes;
        add(
          r,
          "AWS CloudWatch Synthetics",
          "canary runs",
          runs * aws.canaryRun.usd,
          `${num(aws.hoursPerMonth.quantity)} h × 60 / ${num(minutes)} min = ${num(runs)} runs × ${rate(aws.canaryRun.usd)}`,
        );
      }
    }
  }

  // Anything billable we do not recognise makes the estimate incomplete.
  const priced = new Set<string>([
    T.upstashRedis,
    T.r2Bucket,
    T.queue,
    T.workersScript,
    T.vercelProject,
    T.kmsKey,
    T.metricAlarm,
    T.canary,
    ...S3_BUCKET_TYPES,
  ]);
  for (const r of resources) {
    if (priced.has(r.type) || FREE_TYPES.has(r.type)) continue;
    const kind = planetScaleKind(r.type);
    if (kind) continue; // Database and Branch priced above; Role and BackupPolicy are free.
    if (r.type.startsWith("pulumi-nodejs:dynamic")) {
      unpriced.push({
        urn: r.urn,
        type: r.type,
        reason:
          "a dynamic resource the cost model does not know; add it to policies/cost/estimate.ts",
      });
      continue;
    }
    const pkg = r.type.split(":")[0]!;
    if (BILLED_PACKAGES.has(pkg)) {
      unpriced.push({
        urn: r.urn,
        type: r.type,
        reason:
          "a resource type the cost model does not know; price it in policies/cost/estimate.ts or list it as free (with the reason in docs/cost.md)",
      });
    }
  }

  const monthlyTotal = cents(lines.reduce((s, l) => s + l.monthly, 0));
  return { currency: "USD", monthlyTotal, lines, unpriced };
}

/** Minutes between runs of `rate(N minute[s]|hour[s]|day[s])`; undefined for cron or garbage. */
export function rateMinutes(expression: string | undefined): number | undefined {
  const m = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression?.trim() ?? "");
  if (!m) return undefined;
  const n = Number(m[1]);
  if (n <= 0) return undefined;
  const unit = m[2]!;
  return unit.startsWith("minute") ? n : unit.startsWith("hour") ? n * 60 : n * 1440;
}

/** The biggest lines first, for messages. */
export function biggestLines(lines: readonly CostLine[], n: number): CostLine[] {
  return [...lines].sort((a, b) => b.monthly - a.monthly).slice(0, n);
}
