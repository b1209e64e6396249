import * as pulumi from "@pulumi/pulumi";
import { RedisDatabase } from "@upstash/pulumi/redisDatabase";
import { AraComponent, stateful, type Protection } from "../component";

/**
 * Settings of the `Cache` component. Each stack's values come from its preset and
 * `Pulumi.<stack>.yaml`; docs/configuration.md tables them per environment.
 */
export interface CacheArgs {
  /**
   * Primary region of the global database. Upstash refuses new regional databases, so the
   * database is always `region: "global"` with this primary.
   */
  primaryRegion: pulumi.Input<string>;
  /**
   * Read replicas in other regions; prod keeps one in us-west-1, ARA's backup region (docs/architecture.md).
   */
  readRegions: pulumi.Input<string[]>;
  /**
   * Evict keys when memory is full instead of refusing writes. Off where refresh tokens must
   * never silently disappear.
   */
  eviction: pulumi.Input<boolean>;
  /**
   * Monthly spend cap in USD; Upstash throttles the database when it is reached.
   */
  budgetUsd: pulumi.Input<number>;
  /**
   * Prod Pack: SLA, multi-zone HA and backups for $200 a month per database. Never implied
   * by the environment; the stack config must choose it.
   */
  prodPack: pulumi.Input<boolean>;
  /**
   * Let Upstash raise the plan's limits under load.
   */
  autoScale: pulumi.Input<boolean>;
  /** Protection for the database (stacks/presets.ts `protection`). */
  protection: Protection;
}

/**
 * The `Cache` component is the app's Redis on Upstash: sessions, refresh tokens, wizard
 * progress and rate-limit counters. TLS is always on; the connection URL is `rediss://`.
 *
 * #### Minimal example
 * ```ts
 * const cache = new Cache("cache", { primaryRegion: "us-east-1", readRegions: [], eviction: true,
 *   budgetUsd: 5, prodPack: false, autoScale: false, protection: { protect: false, retainOnDelete: false } },
 *   { providers: [upstashProvider] });
 * ```
 */
export class Cache extends AraComponent {
  /** `rediss://default:<password>@<host>:<port>`. Secret. */
  public readonly redisUrl: pulumi.Output<string>;
  /** REST endpoint for HTTP clients (edge functions). */
  public readonly restUrl: pulumi.Output<string>;
  /** REST token with full access. Secret. */
  public readonly restToken: pulumi.Output<string>;
  /** The physical database name. */
  public readonly databaseName: pulumi.Output<string>;

  constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ara:cache:Cache", name, opts);

    const db = new RedisDatabase(
      `${name}-redis`,
      {
        databaseName: this.physical("cache", "upstashDatabase"),
        region: "global",
        primaryRegion: args.primaryRegion,
        readRegions: args.readRegions,
        tls: true,
        eviction: args.eviction,
        budget: args.budgetUsd,
        prodPack: args.prodPack,
        autoScale: args.autoScale,
      },
      stateful(this, args.protection),
    );

    this.databaseName = db.databaseName;
    // The provider marks the password and tokens secret; derived strings must stay secret too.
    this.redisUrl = pulumi.secret(
      pulumi.interpolate`rediss://default:${db.password}@${db.endpoint}:${db.port}`,
    );
    this.restUrl = pulumi.interpolate`https://${db.endpoint}`;
    this.restToken = pulumi.secret(db.restToken);

    this.registerOutputs({
      databaseName: this.databaseName,
      redisUrl: this.redisUrl,
      restUrl: this.restUrl,
      restToken: this.restToken,
    });
  }
}
