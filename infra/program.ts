import * as pulumi from "@pulumi/pulumi";
import { Cache } from "../components/cache";
import { Database } from "../components/database";
import { Edge } from "../components/edge";
import { Monitoring } from "../components/monitoring";
import { Storage } from "../components/storage";
import { WebApp } from "../components/web-app";
import { SignerWorker } from "../components/worker";
import type { StackConfig } from "../stacks/schema";
import type { SecretName } from "../stacks/secrets";
import { namer } from "../components/naming";
import { createProviders } from "./providers";

export interface EnvironmentInputs {
  config: StackConfig;
  secrets: Record<SecretName, pulumi.Output<string>>;
}

/**
 * Builds one ARA environment from a validated config. This is the whole program; the
 * entry point (infra/index.ts) only loads the config and exports what this returns, so
 * tests and the offline plan run exactly what `pulumi up` runs.
 */
export function buildEnvironment({ config, secrets }: EnvironmentInputs) {
  const names = namer(pulumi.getProject(), pulumi.getStack());
  const tags = {
    project: names.project,
    stack: names.stack,
    environment: config.environment,
    "managed-by": "pulumi",
  };
  const providers = createProviders(config, secrets, tags);
  // One place for the hostnames: the app is app.<domain>, the signer api.<domain>.
  const hosts = { app: `app.${config.domain}`, api: `api.${config.domain}` };

  // --- Monitoring: first, so every tier can send its alerts to the topic ----------------
  const monitoring = new Monitoring(
    "monitoring",
    {
      ...config.monitoring,
      accountId: config.accounts.cloudflareAccountId,
      zoneId: config.accounts.cloudflareZoneId,
      endpoints: [
        { role: "app", host: hosts.app, path: "/api/ready" },
        { role: "signer", host: hosts.api, path: "/r2/health" },
      ],
      stackTag: names.stack,
    },
    { providers: [providers.cloudflare, providers.aws] },
  );

  // --- Data tier ------------------------------------------------------------------------
  const database = new Database("database", {
    ...config.database,
    organization: config.accounts.planetscaleOrganization,
    serviceTokenId: secrets.planetscaleServiceTokenId,
    serviceToken: secrets.planetscaleServiceToken,
    protection: config.protection,
  });
  const cache = new Cache(
    "cache",
    { ...config.cache, protection: config.protection },
    { providers: [providers.upstash] },
  );

  // --- Cloudflare tier: storage, the signer worker, the edge ----------------------------
  const cloudflareTier = {
    providers: [providers.cloudflare, providers.aws, providers.random],
  };
  const storage = new Storage(
    "storage",
    {
      ...config.storage,
      accountId: config.accounts.cloudflareAccountId,
      corsOrigins: [`https://${hosts.app}`],
      alertTopicArn: monitoring.alertTopicArn,
      protection: config.protection,
    },
    cloudflareTier,
  );
  const worker = new SignerWorker(
    "worker",
    {
      ...config.worker,
      accountId: config.accounts.cloudflareAccountId,
      zoneId: config.accounts.cloudflareZoneId,
      hostname: hosts.api,
      storage,
    },
    cloudflareTier,
  );
  const edge = new Edge(
    "edge",
    {
      ...config.edge,
      zoneId: config.accounts.cloudflareZoneId,
      appHostname: hosts.app,
      apiHostname: hosts.api,
    },
    cloudflareTier,
  );

  // --- App tier ---------------------------------------------------------------------------
  const app = new WebApp(
    "app",
    {
      artifactDir: "app/web",
      hostname: hosts.app,
      functionRegion: config.app.functionRegion,
      deploymentProtection: config.app.deploymentProtection,
      firewallRateLimit: config.app.firewallRateLimit,
      variables: {
        DATABASE_URL: database.connectionString,
        MIGRATION_DATABASE_URL: database.migrationConnectionString,
        REDIS_URL: cache.redisUrl,
        SIGNER_URL: worker.signerUrl,
        SIGNER_TOKEN: worker.signerToken,
        REFRESH_TOKEN_TTL_SECONDS: String(config.app.refreshTokenTtlSeconds),
        // app.<domain> is proxied by Cloudflare: the client's address is in CF-Connecting-IP.
        TRUST_PROXY: "true",
        CLIENT_IP_HEADER: "cf-connecting-ip",
      },
      protection: config.protection,
    },
    { providers: [providers.vercel, providers.random] },
  );

  return {
    environment: config.environment,
    // Data tier
    databaseName: database.databaseName,
    databaseBranches: database.branches,
    databaseConnectionString: database.connectionString,
    databaseMigrationConnectionString: database.migrationConnectionString,
    cacheRedisUrl: cache.redisUrl,
    cacheRestUrl: cache.restUrl,
    cacheRestToken: cache.restToken,
    // Cloudflare tier
    reportsBucketName: storage.bucketName,
    ...(storage.replication && {
      reportsReplicaBucket: storage.replication.bucket,
      reportsReplicaRegion: storage.replication.region,
    }),
    // The web app's SIGNER_URL and SIGNER_TOKEN.
    signerUrl: worker.signerUrl,
    signerToken: worker.signerToken,
    signerScriptName: worker.scriptName,
    edgeRateLimitRulesetId: edge.rateLimitRulesetId,
    // App tier
    appUrl: app.url,
    appDeploymentUrl: app.deploymentUrl,
    appProjectId: app.projectId,
    // Monitoring
    alertTopicArn: monitoring.alertTopicArn,
  };
}
