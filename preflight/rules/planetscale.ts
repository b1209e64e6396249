import {
  BACKUP_TARGETS,
  FREQUENCY_UNITS,
  RETENTION_UNITS,
} from "../../providers/planetscale/backup-policy";
import { INHERITED_ROLES } from "../../providers/planetscale/role";
import { HHMM, length, oneOf, pattern, range, type TypeEntry } from "../rule";

/**
 * PlanetScale's argument rules. Our dynamic provider (providers/planetscale) checks the same
 * shapes in its `check` step; listing them here lets the plan and the policy pack see them
 * without running the provider. The enumerations its `check` holds as data are its own, taken
 * from PlanetScale's OpenAPI description (excerpt in tests/fixtures/planetscale/openapi.json).
 */

const API = "https://api-docs.planetscale.com/reference";
const SPEC = "tests/fixtures/planetscale/openapi.json";

export const PLANETSCALE_SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const slug = (what: string, fix: string) =>
  pattern(
    PLANETSCALE_SLUG,
    `a ${what}: 1–64 characters, a-z, 0-9, '-' and '_', starting with a letter or digit`,
    {
      source:
        "providers/planetscale/common.ts (slugRule); https://planetscale.com/docs/concepts/branching",
      fix,
    },
  );

/** Region slugs (https://planetscale.com/docs/plans/regions). */
export const PLANETSCALE_REGIONS = [
  "us-east",
  "aws-us-east-2",
  "us-west",
  "eu-west",
  "aws-eu-west-2",
  "eu-central",
  "ap-south",
  "ap-southeast",
  "aws-ap-southeast-2",
  "ap-northeast",
  "aws-ca-central-1",
  "aws-sa-east-1",
  "gcp-us-central1",
  "gcp-us-east4",
  "gcp-us-east1",
  "gcp-northamerica-northeast1",
  "gcp-asia-northeast3",
  "gcp-europe-west1",
  "gcp-europe-west4",
] as const;
export const planetscaleRegion = oneOf(PLANETSCALE_REGIONS, {
  source: "https://planetscale.com/docs/plans/regions",
  fix: "set ara:database.region to a PlanetScale region slug such as us-east",
});

/** Postgres SKUs are qualified by cloud and architecture; Vitess names like PS_10 are refused. */
export const POSTGRES_SKU =
  /^PS_(DEV|5|10|20|40|80|160|320|400|640|1280|2560)_(AWS|GCP)_(ARM|X86|AMD)$/;
export const postgresSku = pattern(
  POSTGRES_SKU,
  "a Postgres SKU PS_<DEV|5|10|20|40|80|160|…|2560>_<AWS|GCP>_<ARM|X86|AMD>",
  {
    source: `${API}/list_cluster_size_skus; providers/planetscale/common.ts (postgresClusterSizeRule)`,
    fix: "set ara:database.clusterSize to a SKU from GET /organizations/{org}/cluster-size-skus?engine=postgresql, e.g. PS_10_AWS_ARM",
  },
);

/** Postgres major versions PlanetScale offers. */
export const POSTGRES_MAJOR_VERSIONS = ["17", "18"] as const;
export const postgresMajor = oneOf(POSTGRES_MAJOR_VERSIONS, {
  source: "https://planetscale.com/docs/postgres/postgres-compatibility",
  fix: 'set ara:database.majorVersion to a major version PlanetScale offers (a string such as "17")',
});

export const replicas = range(0, 16, {
  source: `${SPEC} (create_database: replicas)`,
  fix: "set ara:database.replicas to 0 or 2 or more",
});

const organization = slug(
  "organization slug",
  "set ara:planetscaleOrganization to the organization's URL slug",
);
const database = slug(
  "database name",
  "database names come from components/naming.ts (ara-<stack>-system)",
);
const branch = slug("branch name", "name branches in lowercase (main, development)");

const UNITS = `${SPEC} (create_backup_policy)`;

export const planetscale: Record<string, TypeEntry> = {
  "pulumi-nodejs:dynamic/planetscale:Database": {
    source: "providers/planetscale/database.ts",
    args: {
      organization: [organization],
      name: [database],
      region: [planetscaleRegion],
      clusterSize: [postgresSku],
      majorVersion: [postgresMajor],
      replicas: [replicas],
    },
    relations: [
      {
        arg: "replicas",
        rule: "0 replicas (single node) or 2 or more (HA); there is no 1-replica cluster",
        source: `${SPEC} (create_database: "0 for non-HA, 2+ for HA")`,
        fix: "set ara:database.replicas to 0 or 2+",
        test: (i) => (i.replicas === 1 ? "replicas is 1" : undefined),
      },
    ],
  },
  "pulumi-nodejs:dynamic/planetscale:Branch": {
    source: "providers/planetscale/branch.ts",
    args: {
      organization: [organization],
      database: [database],
      name: [branch],
      parentBranch: [branch],
      clusterSize: [postgresSku],
      region: [planetscaleRegion],
    },
  },
  "pulumi-nodejs:dynamic/planetscale:Role": {
    source: "providers/planetscale/role.ts",
    args: {
      organization: [organization],
      database: [database],
      branch: [branch],
      name: [
        pattern(
          /^[a-z_][a-z0-9_-]{0,62}$/,
          "a Postgres role name: 1–63 characters, a-z, 0-9, '_' and '-', starting with a letter or '_'",
          {
            source:
              "https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS; providers/planetscale/role.ts",
            fix: "role names are lowercase identifiers such as ara_app",
          },
        ),
      ],
      "inheritedRoles[]": [
        oneOf(INHERITED_ROLES, {
          source: `${API}/create_role`,
          fix: "inherit a role PlanetScale lets you grant (e.g. postgres, pg_read_all_data)",
        }),
      ],
    },
  },
  "pulumi-nodejs:dynamic/planetscale:BackupPolicy": {
    source: "providers/planetscale/backup-policy.ts",
    args: {
      organization: [organization],
      database: [database],
      name: [length(1, 255, { source: UNITS, fix: "name the backup policy (≤ 255 characters)" })],
      target: [
        oneOf(BACKUP_TARGETS, {
          source: UNITS,
          fix: 'use "production" for the production branch',
        }),
      ],
      retentionUnit: [
        oneOf(RETENTION_UNITS, {
          source: UNITS,
          fix: "use a lowercase singular unit such as day",
        }),
      ],
      frequencyUnit: [
        oneOf(FREQUENCY_UNITS, {
          source: UNITS,
          fix: "use a lowercase singular unit such as day or week",
        }),
      ],
      retentionValue: [
        range(1, 10_000, {
          source: UNITS,
          fix: "set ara:database.backup.retentionDays to 1 or more",
        }),
      ],
      frequencyValue: [
        range(1, 10_000, { source: UNITS, fix: "use a frequency of 1 or more units" }),
      ],
      scheduleTime: [
        pattern(HHMM, 'a UTC time "HH:MM" (24-hour)', {
          source: UNITS,
          fix: 'set ara:database.backup.scheduleTime to "HH:MM", e.g. "03:00"',
        }),
      ],
      scheduleDay: [range(0, 6, { source: UNITS, fix: "use 0 (Sunday) to 6 (Saturday)" })],
      scheduleWeek: [range(0, 3, { source: UNITS, fix: "use 0 to 3 (week of the month)" })],
    },
    relations: [
      {
        arg: "retentionValue",
        rule: "backups are kept at least as long as the interval between them",
        source: "https://planetscale.com/docs/concepts/back-up-and-restore",
        fix: "raise ara:database.backup.retentionDays to cover the backup interval",
        test: (i) => {
          const hours: Record<string, number> = {
            hour: 1,
            day: 24,
            week: 168,
            month: 720,
            year: 8760,
          };
          const keep = Number(i.retentionValue) * (hours[String(i.retentionUnit)] ?? NaN);
          const every = Number(i.frequencyValue) * (hours[String(i.frequencyUnit)] ?? NaN);
          return keep < every
            ? `kept ${i.retentionValue} ${String(i.retentionUnit)}(s), taken every ${i.frequencyValue} ${String(i.frequencyUnit)}(s)`
            : undefined;
        },
      },
    ],
  },
};
