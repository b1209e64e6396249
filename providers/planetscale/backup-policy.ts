// Dynamic provider for a PlanetScale backup policy (database level).
//
// Create first looks for a non-system policy with the same name: that is our own policy from a
// create that failed before Pulumi recorded it, so it is adopted and brought to the wanted
// settings instead of being duplicated.
import type * as pulumi from "@pulumi/pulumi";
import type { ApiBackupPolicy } from "./api-types";
import { callApi, deleteIfPresent, getOrUndefined, listAll } from "./client";
import {
  checkCredentials,
  checkEnum,
  checkInteger,
  checkString,
  compact,
  credentialsFrom,
  defineProvider,
  diffProps,
  newChecker,
  slugRule,
  type Props,
} from "./common";

export const BACKUP_TARGETS = ["production", "development"] as const;
export const RETENTION_UNITS = ["hour", "day", "week", "month", "year"] as const;
export const FREQUENCY_UNITS = ["hour", "day", "week", "month"] as const;

export type BackupPolicyInputs = {
  serviceTokenId: string;
  serviceToken: string;
  organization: string;
  database: string;
  name: string;
  target: (typeof BACKUP_TARGETS)[number];
  retentionValue: number;
  retentionUnit: (typeof RETENTION_UNITS)[number];
  frequencyValue: number;
  frequencyUnit: (typeof FREQUENCY_UNITS)[number];
  /** "HH:MM" (UTC). */
  scheduleTime?: string;
  /** 0 = Sunday … 6 = Saturday. */
  scheduleDay?: number;
  /** 0 … 3: week of the month. */
  scheduleWeek?: number;
};

export type BackupPolicyOutputs = BackupPolicyInputs & {
  policyId: string;
  displayName: string;
  required: boolean;
  lastRanAt: string | null;
  nextRunAt: string | null;
};

export function checkBackupPolicyInputs(news: Props): pulumi.dynamic.CheckResult {
  const c = newChecker(news);
  checkCredentials(c);
  checkString(c, "organization", slugRule(true));
  checkString(c, "database", slugRule(true));
  checkString(c, "name", { required: true, maxLength: 255 });
  checkEnum(c, "target", BACKUP_TARGETS, true);
  checkInteger(c, "retentionValue", { required: true, min: 1 });
  checkEnum(c, "retentionUnit", RETENTION_UNITS, true);
  checkInteger(c, "frequencyValue", { required: true, min: 1 });
  checkEnum(c, "frequencyUnit", FREQUENCY_UNITS, true);
  checkString(c, "scheduleTime", {
    pattern: "(?:[01][0-9]|2[0-3]):[0-5][0-9]",
    hint: 'use "HH:MM" in 24-hour UTC time, e.g. "03:30".',
  });
  checkInteger(c, "scheduleDay", { min: 0, max: 6, hint: "0 is Sunday, 6 is Saturday." });
  checkInteger(c, "scheduleWeek", { min: 0, max: 3, hint: "week of the month, 0 to 3." });
  return { inputs: c.inputs, failures: c.failures };
}

export function diffBackupPolicy(olds: Props, news: Props): pulumi.dynamic.DiffResult {
  return diffProps(olds, news, {
    replace: ["organization", "database"],
    update: [
      "name",
      "target",
      "retentionValue",
      "retentionUnit",
      "frequencyValue",
      "frequencyUnit",
      "scheduleTime",
      "scheduleDay",
      "scheduleWeek",
      "serviceTokenId",
      "serviceToken",
    ],
    identity: [],
  });
}

function label(p: { organization: string; database: string; name?: string }): string {
  return `backup policy "${p.name ?? "?"}" of database ${p.organization}/${p.database}`;
}

function bodyOf(p: BackupPolicyInputs): Record<string, unknown> {
  return compact({
    name: p.name,
    target: p.target,
    retention_value: p.retentionValue,
    retention_unit: p.retentionUnit,
    frequency_value: p.frequencyValue,
    frequency_unit: p.frequencyUnit,
    schedule_time: p.scheduleTime,
    schedule_day: p.scheduleDay,
    schedule_week: p.scheduleWeek,
  });
}

function outputsOf(p: BackupPolicyInputs, api: ApiBackupPolicy): BackupPolicyOutputs {
  return compact({
    serviceTokenId: p.serviceTokenId,
    serviceToken: p.serviceToken,
    organization: p.organization,
    database: p.database,
    name: api.name,
    target: api.target,
    retentionValue: api.retention_value,
    retentionUnit: api.retention_unit as BackupPolicyInputs["retentionUnit"],
    frequencyValue: api.frequency_value,
    frequencyUnit: api.frequency_unit as BackupPolicyInputs["frequencyUnit"],
    scheduleTime: api.schedule_time,
    scheduleDay: api.schedule_day ?? undefined,
    scheduleWeek: api.schedule_week ?? undefined,
    policyId: api.id,
    displayName: api.display_name,
    required: api.required,
    lastRanAt: api.last_ran_at,
    nextRunAt: api.next_run_at,
  });
}

export const createBackupPolicyProvider = defineProvider(
  checkBackupPolicyInputs,
  diffBackupPolicy,
  (s) => ({
    async create(inputs) {
      const p = inputs as unknown as BackupPolicyInputs;
      const creds = credentialsFrom(inputs, `create ${label(p)}`);
      const db = { organization: p.organization, database: p.database };
      const existing = (
        await listAll<ApiBackupPolicy>(s.client, creds, {
          operationId: "list_backup_policies",
          params: db,
          resource: `backup policies of database ${p.organization}/${p.database}`,
        })
      ).find((x) => !x.required && x.name === p.name);
      const res = existing
        ? await callApi<ApiBackupPolicy>(s.client, creds, {
            operationId: "update_backup_policy",
            params: { ...db, id: existing.id },
            body: bodyOf(p),
            resource: label(p),
          })
        : await callApi<ApiBackupPolicy>(s.client, creds, {
            operationId: "create_backup_policy",
            params: db,
            body: bodyOf(p),
            resource: label(p),
          });
      if (!res.body?.id) throw new Error(`PlanetScale returned no id for ${label(p)}.`);
      return {
        id: `${p.organization}/${p.database}/${res.body.id}`,
        outs: outputsOf(p, res.body),
      };
    },

    async read(id: string, props?: Props) {
      const p = (props ?? {}) as unknown as BackupPolicyOutputs;
      const [org, database, policyId] = id.split("/");
      const q = {
        ...p,
        organization: p.organization ?? org ?? "",
        database: p.database ?? database ?? "",
      };
      const creds = credentialsFrom(props ?? {}, `read ${label(q)}`);
      const api = await getOrUndefined<ApiBackupPolicy>(s.client, creds, {
        operationId: "get_backup_policy",
        params: { organization: q.organization, database: q.database, id: p.policyId ?? policyId },
        resource: label(q),
      });
      if (!api) return { id: "" };
      return { id, props: outputsOf(q, api) };
    },

    async update(_id, olds, news) {
      const p = news as unknown as BackupPolicyInputs;
      const creds = credentialsFrom(news, `update ${label(p)}`);
      const params = {
        organization: p.organization,
        database: p.database,
        id: String(olds["policyId"]),
      };
      const desired = bodyOf(p);
      const current = bodyOf(olds as unknown as BackupPolicyInputs);
      if (JSON.stringify(desired) === JSON.stringify(current)) {
        // Only credentials or provider code changed: refresh the state, write nothing.
        const res = await callApi<ApiBackupPolicy>(s.client, creds, {
          operationId: "get_backup_policy",
          params,
          resource: label(p),
        });
        if (!res.body) throw new Error(`PlanetScale returned no body for ${label(p)}.`);
        return { outs: outputsOf(p, res.body) };
      }
      const res = await callApi<ApiBackupPolicy>(s.client, creds, {
        operationId: "update_backup_policy",
        params,
        body: desired,
        resource: label(p),
      });
      if (!res.body) throw new Error(`PlanetScale returned no body for ${label(p)}.`);
      return { outs: outputsOf(p, res.body) };
    },

    async delete(_id, props) {
      const p = props as unknown as BackupPolicyOutputs;
      const creds = credentialsFrom(props, `delete ${label(p)}`);
      await deleteIfPresent(s.client, creds, {
        operationId: "delete_backup_policy",
        params: { organization: p.organization, database: p.database, id: p.policyId },
        resource: label(p),
      });
    },
  }),
);
