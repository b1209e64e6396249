import { S3_BUCKET_TYPES, T } from "../../lib/types";
import { aws } from "../catalog";
import { num, rate, split } from "../format";
import type { Ledger } from "../ledger";
import type { CostResource } from "../types";
import { stringProp } from "./props";

const SES_IDENTITY = "aws:sesv2/emailIdentity:EmailIdentity";

/** The Database component's buckets hold its cross-region dumps (components/database). */
const isDatabaseBackup = (r: CostResource) => r.urn.includes("ara:database:Database$");

/** One dump a night (npm run backup, .github/workflows/backup.yml). */
const DUMPS_PER_MONTH = 30;

/**
 * AWS: the report replica's and the database backups' storage and PUTs, KMS keys, CloudWatch
 * alarms and canaries.
 */
export function priceAws(ledger: Ledger): void {
  const buckets = ledger.ofType((t) => S3_BUCKET_TYPES.includes(t));
  const replicas = buckets.filter((r) => !isDatabaseBackup(r));
  for (const r of replicas) {
    const gb = split(ledger.usage.replicaStorageGb, replicas.length);
    ledger.add(r, "AWS S3", "storage (Standard)", ledger.meter(aws.s3Storage, gb));
    const puts = split(ledger.usage.reportWritesPerMonth, replicas.length);
    const copies = { value: puts.value, text: `${puts.text} copies (one per report upload)` };
    ledger.add(r, "AWS S3", "PUT requests", ledger.meter(aws.s3Puts, copies));
  }
  for (const r of buckets.filter(isDatabaseBackup)) {
    const gb = {
      value: ledger.usage.databaseBackupStorageGb,
      text: num(ledger.usage.databaseBackupStorageGb),
    };
    ledger.add(r, "AWS S3", "database backups (Standard)", ledger.meter(aws.s3Storage, gb));
    const puts = { value: DUMPS_PER_MONTH, text: `${DUMPS_PER_MONTH} nightly dumps` };
    ledger.add(r, "AWS S3", "database backup PUTs", ledger.meter(aws.s3Puts, puts));
  }
  for (const r of ledger.resources) {
    if (r.type === T.kmsKey) priceKmsKey(ledger, r);
    else if (r.type === SES_IDENTITY) {
      // Report links and recovery links (ara:usage.emailsPerMonth).
      const mails = {
        value: ledger.usage.emailsPerMonth,
        text: `${num(ledger.usage.emailsPerMonth)} emails`,
      };
      ledger.add(r, "AWS SES", "outbound email", ledger.meter(aws.sesEmails, mails));
    } else if (r.type === T.metricAlarm) {
      ledger.add(r, "AWS CloudWatch", "alarm", {
        monthly: aws.alarmMonth.usd,
        basis: `${rate(aws.alarmMonth.usd)}/month per standard-resolution alarm metric`,
      });
    } else if (r.type === T.canary) priceCanary(ledger, r);
  }
}

function priceKmsKey(ledger: Ledger, r: CostResource): void {
  const rotated = r.props.enableKeyRotation === true;
  ledger.add(r, "AWS KMS", "customer managed key", {
    monthly: aws.kmsKeyMonth.usd + (rotated ? aws.kmsRotationMonth.usd : 0),
    basis: rotated
      ? `${rate(aws.kmsKeyMonth.usd)}/month + ${rate(aws.kmsRotationMonth.usd)}/month for its first two rotations`
      : `${rate(aws.kmsKeyMonth.usd)}/month`,
  });
}

function priceCanary(ledger: Ledger, r: CostResource): void {
  const schedule = r.props.schedule as Record<string, unknown> | undefined;
  const minutes = rateMinutes(stringProp(schedule?.expression));
  if (minutes === undefined) {
    ledger.markUnpriced(
      r,
      `cannot count runs of schedule "${String(schedule?.expression)}"; use rate(N minutes|hours) or price it by hand in policies/cost/vendors/aws.ts`,
    );
    return;
  }
  const hours = aws.hoursPerMonth.quantity;
  const runs = (hours * 60) / minutes;
  ledger.add(r, "AWS CloudWatch Synthetics", "canary runs", {
    monthly: runs * aws.canaryRun.usd,
    basis: `${num(hours)} h × 60 / ${num(minutes)} min = ${num(runs)} runs × ${rate(aws.canaryRun.usd)}`,
  });
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
