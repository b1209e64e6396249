import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { asString, label, refersTo, stackRule, type RuleMeta } from "../lib/define";
import { planetScaleKind } from "../lib/types";

export interface BackupConfig {
  maxIntervalHours?: number;
  minRetentionDays?: number;
}

const HOURS: Record<string, number> = { hour: 1, day: 24, week: 168, month: 720, year: 8760 };

export const meta: RuleMeta = {
  name: "database-daily-backups",
  description:
    "Every PlanetScale database must have a backup policy on its production branch at least as often as configured (daily in prod) and kept at least as long as configured.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediation:
    'Set ara:database.backup (frequency "daily", retentionDays ≥ 7); the Database component creates the BackupPolicy from it.',
  configSchema: {
    properties: {
      maxIntervalHours: { type: "number", minimum: 1, default: 24 },
      minRetentionDays: { type: "number", minimum: 1, default: 7 },
    },
  },
};

/** Hours between backups, days kept; undefined when the unit is unknown. */
export function backupSchedule(p: Record<string, unknown>): {
  everyHours?: number;
  keepDays?: number;
} {
  const f = HOURS[asString(p.frequencyUnit) ?? ""];
  const r = HOURS[asString(p.retentionUnit) ?? ""];
  const fv = typeof p.frequencyValue === "number" ? p.frequencyValue : undefined;
  const rv = typeof p.retentionValue === "number" ? p.retentionValue : undefined;
  return {
    everyHours: f !== undefined && fv !== undefined ? f * fv : undefined,
    keepDays: r !== undefined && rv !== undefined ? (r * rv) / 24 : undefined,
  };
}

function covers(policy: PolicyResource, db: PolicyResource): boolean {
  return refersTo(policy, db, "database", ["name"]);
}

/**
 * Requirement (docs/architecture.md) "Backup: Automated daily backups" and "Point-in-time recovery (7 days)" (prod);
 * dev's config relaxes it to dev's "Weekly backups".
 * @severity high
 */
export function databaseDailyBackups(): StackValidationPolicy {
  return stackRule<BackupConfig>(meta, (args, report, config) => {
    const maxHours = config.maxIntervalHours ?? 24;
    const minDays = config.minRetentionDays ?? 7;
    const dbs = args.resources.filter((r) => planetScaleKind(r.type) === "Database");
    if (dbs.length === 0) args.notApplicable("the stack has no PlanetScale database");
    const policies = args.resources.filter((r) => planetScaleKind(r.type) === "BackupPolicy");
    for (const db of dbs) {
      const mine = policies.filter(
        (p) => covers(p, db) && (p.props.target ?? "production") === "production",
      );
      if (mine.length === 0) {
        report(`${label(db)} has no backup policy for its production branch.`);
        continue;
      }
      const ok = mine.some((p) => {
        const s = backupSchedule(p.props);
        return (
          s.everyHours !== undefined &&
          s.everyHours <= maxHours &&
          s.keepDays !== undefined &&
          s.keepDays >= minDays
        );
      });
      if (!ok) {
        const found = mine
          .map((p) => {
            const s = backupSchedule(p.props);
            return `${label(p)}: every ${s.everyHours ?? "?"} h, kept ${s.keepDays ?? "?"} days`;
          })
          .join("; ");
        report(
          `${label(db)} is not backed up every ${maxHours} h with ${minDays} days' retention (${found}).`,
        );
      }
    }
  });
}
