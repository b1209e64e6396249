import { length, literal, oneOf, pattern, range, type TypeEntry } from "../rule";

const D = "node_modules/@upstash/pulumi";

/** Upstash's global-database regions (https://upstash.com/docs/redis/features/globaldatabase). */
export const UPSTASH_REGIONS = [
  "us-east-1",
  "us-west-1",
  "us-west-2",
  "eu-central-1",
  "eu-west-1",
  "sa-east-1",
  "ap-southeast-1",
  "ap-southeast-2",
] as const;

const REGION_SOURCE = "https://upstash.com/docs/redis/features/globaldatabase";
export const upstashRegion = oneOf(UPSTASH_REGIONS, {
  source: REGION_SOURCE,
  fix: "set ara:cache.primaryRegion/readRegions to Upstash region ids (lowercase, e.g. us-east-1)",
});

export const upstash: Record<string, TypeEntry> = {
  "upstash:index/redisDatabase:RedisDatabase": {
    source: `${D}/redisDatabase.d.ts`,
    args: {
      databaseName: [
        pattern(/^[A-Za-z0-9_-]+$/, "letters, digits, '-' and '_'", {
          source: "https://upstash.com/docs/devops/developer-api/redis/create_database_global",
          fix: "database names come from components/naming.ts",
        }),
        length(1, 64, {
          source: "https://upstash.com/docs/devops/developer-api/redis/create_database_global",
          fix: "keep the database name ≤ 64 characters",
        }),
      ],
      region: [
        literal(
          "global",
          {
            source: "https://github.com/upstash/terraform-provider-upstash/issues/45",
            fix: 'use region "global" with primaryRegion; regional databases can no longer be created',
          },
          'exactly "global" (regional creation is deprecated and refused)',
        ),
      ],
      primaryRegion: [upstashRegion],
      "readRegions[]": [upstashRegion],
      budget: [
        range(1, 1_000_000, {
          source: `${D}/redisDatabase.d.ts`,
          fix: "set ara:cache.budgetUsd to a whole number of dollars ≥ 1",
        }),
      ],
    },
    relations: [
      {
        arg: "readRegions",
        rule: "read regions do not repeat the primary region",
        source: REGION_SOURCE,
        fix: "remove the primary region from ara:cache.readRegions",
        test: (i) =>
          Array.isArray(i.readRegions) && i.readRegions.includes(i.primaryRegion)
            ? `${String(i.primaryRegion)} is both primary and read region`
            : undefined,
      },
      {
        arg: "tls",
        rule: "TLS cannot be disabled on new databases",
        source: `${D}/redisDatabase.d.ts`,
        fix: "set tls: true",
        test: (i) => (i.tls === false ? "tls is false" : undefined),
      },
    ],
  },
};
