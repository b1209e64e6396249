import * as pulumi from "@pulumi/pulumi";
import { Cache } from "../components/cache";
import { Database } from "../components/database";
import { Storage } from "../components/storage";
import { SignerWorker } from "../components/worker";
import type { StackConfig } from "../stacks/schema";
import type { SecretName } from "../stacks/secrets";
import { namer } from "./naming";
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

  // --- Data tier ------------------------------------------------------------------------
  const database = new Database(
    "database",
    {
      ...config.database,
      organization: config.accounts.planetscaleOrganization,
      serviceTokenId: secrets.planetscaleServiceTokenId,
      serviceToken: secrets.planetscaleServiceToken,
      protection: config.protection,
    },
    { names },
  );
  const cache = new Cache(
    "cache",
    { ...config.cache, protection: config.protection },
    { names, providers: [providers.upstash] },
  );
  // --- Cloudflare tier (storage, worker, edge) ---------------------------------------------
  // One place for the hostnames: the app is app.<domain>, the signer api.<domain>.
  const hosts = { app: `app.${config.domain}`, api: `api.${config.domain}` };
  const cloudflareTier = {
    names,
    providers: [providers.cloudflare, providers.aws, providers.random],
  };
  const storage = new Storage(
    "storage",
    {
      ...config.storage,
      accountId: config.accounts.cloudflareAccountId,
      corsOrigins: [`https://${hosts.app}`],
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
  // --- end Cloudflare tier -----------------------------------------------------------------

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
    // end Cloudflare tier
  };
}
