import * as pulumi from "@pulumi/pulumi";
import { Cache } from "../components/cache";
import { Database } from "../components/database";
import { Edge } from "../components/edge";
import { Email } from "../components/email";
import { Monitoring } from "../components/monitoring";
import { OnCall } from "../components/oncall";
import { AlertRouting } from "../components/oncall/grafana";
import { SOURCES } from "../observability/escalation";
import { SEVERITY_RANK } from "../observability/alerts";
import { GrafanaAlerting } from "../components/observability/alerting";
import { LogArchive } from "../components/observability/logs";
import { ErrorTracking } from "../components/observability/sentry";
import { SyntheticChecks } from "../components/observability/synthetics";
import { GrafanaTelemetry } from "../components/observability/telemetry";
import { stackAlerts, stackJobs } from "../observability/alerts";
import { Storage } from "../components/storage";
import { WebApp } from "../components/web-app";
import { SignerWorker } from "../components/worker";
import { WORKER_CONTRACT } from "../components/worker/contract";
import type { StackConfig } from "../stacks/schema";
import type { SecretName } from "../stacks/secrets";
import { namer } from "../components/naming";
import { createProviders, type Providers } from "./providers";

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

  // --- On-call: first, so every alert source can route to its PagerDuty service ----------
  const oncall = new OnCall(
    "oncall",
    { settings: config.oncall },
    { providers: providers.pagerduty ? [providers.pagerduty] : [] },
  );
  // The topic carries several sources (observability/escalation.ts SOURCES); it routes at the
  // most severe of them. Health checks route at their own severity.
  const topicSeverity = SOURCES.filter((s) => s.path === "sns")
    .map((s) => s.severity)
    .reduce((a, b) => (SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b));
  const topicService = oncall.endpointsFor(topicSeverity);
  const healthService = oncall.endpointsFor(
    SOURCES.find((s) => s.path === "cloudflare-email")!.severity,
  );

  // --- Monitoring: so every tier can send its alerts to the topic -----------------------
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
      // ARA's cost alerts, from the one source the plan-time policies read too.
      budgetAlertPercents: [
        ...new Set([...config.monitoring.budgetAlertPercents, config.budget.warnAtPercent]),
      ].sort((a, b) => a - b),
      dailyBudgetUsd: config.budget.dailyUsd,
      email: config.oncall.email,
      sesEvents: config.email.enabled,
      ...(topicService && {
        pager: { topicEndpoint: topicService.snsEndpoint, healthEmail: healthService?.email },
      }),
    },
    { providers: [providers.cloudflare, providers.aws] },
  );

  // --- Email: SES for the report link and session recovery (where the stack turns it on) ---
  const sendingDomain = config.email.sendingSubdomain
    ? `${config.email.sendingSubdomain}.${config.domain}`
    : config.domain;
  const email = config.email.enabled
    ? new Email(
        "email",
        {
          domain: sendingDomain,
          mailFromDomain: `${config.email.mailFromSubdomain}.${sendingDomain}`,
          fromAddress: `${config.email.fromLocalPart}@${sendingDomain}`,
          dmarcPolicy: config.email.dmarcPolicy,
          region: config.accounts.awsRegion,
          zoneId: config.accounts.cloudflareZoneId,
          alertTopicArn: monitoring.alertTopicArn,
        },
        { providers: [providers.cloudflare, providers.aws] },
      )
    : undefined;

  // --- Observability: telemetry, alerts, error tracking, the log archive -----------------
  const observability = buildObservability(config, secrets, providers, hosts, names.stack);
  if (providers.grafana) {
    new AlertRouting(
      "routing",
      {
        stack: names.stack,
        pagerduty: Object.fromEntries(
          oncall.routes.map((r) => {
            const e = oncall.endpoints[r.urgency]!;
            return [r.severity, { service: e.serviceName, key: e.eventsKey }];
          }),
        ),
        emails: config.oncall.email ? config.monitoring.alertEmails : [],
        maintenance: config.oncall.maintenance,
      },
      { provider: providers.grafana.stack },
    );
  }

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
    { providers: [providers.aws] },
  );
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
      logpush: config.observability.logs.workerArchive,
      sentryDsn: observability.errors?.dsn,
      storage,
      // The app's log batches go to the stack's log archive (POST /r2/logs/app).
      logArchive: observability.logs,
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
        // Telemetry and error reporting: absent where the stack turns the integration off.
        OTEL_SERVICE_NAME: observability.jobs.appJob,
        OTEL_EXPORTER_OTLP_ENDPOINT: observability.telemetry?.otlpEndpoint,
        OTEL_EXPORTER_OTLP_HEADERS: observability.telemetry?.otlpHeaders,
        SENTRY_DSN: observability.errors?.dsn,
        SENTRY_ENVIRONMENT: config.environment,
        // The app's log batches, kept for the stack's retention where it has a log archive.
        LOG_ARCHIVE_URL:
          observability.logs &&
          pulumi.interpolate`${worker.signerUrl}${WORKER_CONTRACT.appLogsPath}`,
        LOG_ARCHIVE_TOKEN: observability.logs?.ingestToken,
        // What the storage alert compares with: the storage this stack is planned and priced for.
        REPORT_STORAGE_CAPACITY_BYTES: String(Math.round(config.usage.reportStorageGb * 1024 ** 3)),
        REPORT_RETENTION_DAYS: String(config.storage.objectExpiryDays),
        // Emailed links point at the app's public host, never at a request's Host header.
        APP_URL: `https://${hosts.app}`,
        // Mail: absent where the stack has no email tier (the app then answers 503 to mail).
        SMTP_HOST: email?.smtpHost,
        SMTP_PORT: email && "587",
        SMTP_USER: email?.smtpUser,
        SMTP_PASSWORD: email?.smtpPassword,
        MAIL_FROM: email?.fromAddress,
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
    // npm run backup's ARA_BACKUP_BUCKET and ARA_BACKUP_REGION.
    ...(database.backupBucket && {
      databaseBackupBucket: database.backupBucket.bucket,
      databaseBackupRegion: database.backupBucket.region,
    }),
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
    ...(email && { emailIdentityArn: email.identityArn, emailFromAddress: email.fromAddress }),
    // Monitoring and observability
    alertTopicArn: monitoring.alertTopicArn,
    ...(observability.alerting && { grafanaFolderUid: observability.alerting.folderUid }),
    ...(observability.errors && { sentryProject: observability.errors.projectSlug }),
    ...(observability.logs && { logArchiveBucket: observability.logs.bucketName }),
  };
}

/**
 * The observability tier: each integration exists only where the stack's config turns it on
 * (stacks/presets.ts `observability`), so a stack without Grafana or Sentry has none of their
 * resources and the app simply exports nothing.
 */
function buildObservability(
  config: StackConfig,
  secrets: Record<SecretName, pulumi.Output<string>>,
  providers: Providers,
  hosts: { app: string; api: string },
  stack: string,
) {
  const o = config.observability;
  const jobs = stackJobs(stack);
  const grafana = providers.grafana;
  const telemetry =
    grafana &&
    new GrafanaTelemetry(
      "telemetry",
      {
        stackId: config.accounts.grafanaStackId,
        region: config.accounts.grafanaRegion,
        otlpUrl: config.accounts.grafanaOtlpUrl,
      },
      { provider: grafana.cloud },
    );
  const alerting =
    grafana &&
    new GrafanaAlerting(
      "alerting",
      {
        alerts: stackAlerts(o.alerting, "grafana", jobs, o.runbookBaseUrl),
        evaluationIntervalSeconds: o.alerting.evaluationIntervalSeconds,
        datasourceUid: o.grafana.prometheusDatasourceUid,
        slos: o.grafana.slos,
        jobs,
        runbookBaseUrl: o.runbookBaseUrl,
      },
      { provider: grafana.stack },
    );
  if (grafana?.sm) {
    const [appJob, signerJob] = jobs.probeJobs;
    new SyntheticChecks(
      "synthetics",
      {
        endpoints: [
          { job: appJob!, url: `https://${hosts.app}/api/ready` },
          { job: signerJob!, url: `https://${hosts.api}/r2/health` },
        ],
        probes: o.grafana.synthetics.probes,
        frequencySeconds: o.grafana.synthetics.frequencySeconds,
      },
      { provider: grafana.sm },
    );
  }
  const errors =
    providers.sentry &&
    new ErrorTracking(
      "errors",
      { organization: config.accounts.sentryOrganization },
      { provider: providers.sentry },
    );
  // The archive holds the app's log lines (appArchive) and, with a Logpush job, the workers'
  // trace events (workerArchive); only the Logpush job needs the R2 API token.
  const logs =
    o.logs.appArchive || o.logs.workerArchive
      ? new LogArchive(
          "logs",
          {
            accountId: config.accounts.cloudflareAccountId,
            location: config.storage.location,
            retentionDays: o.logs.retentionDays,
            ...(o.logs.workerArchive && {
              workers: {
                scriptPrefix: `ara-${stack}-`,
                r2AccessKeyId: secrets.logArchiveAccessKeyId,
                r2SecretAccessKey: secrets.logArchiveSecretAccessKey,
              },
            }),
            protection: config.protection,
          },
          // random: the token of the app's log batches (LOG_INGEST_TOKEN).
          { providers: [providers.cloudflare, providers.random] },
        )
      : undefined;
  return { jobs, telemetry, alerting, errors, logs };
}
