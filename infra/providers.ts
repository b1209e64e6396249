import * as pulumi from "@pulumi/pulumi";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { Provider as CloudflareProvider } from "@pulumi/cloudflare/provider";
import { Provider as PagerDutyProvider } from "@pulumi/pagerduty/provider";
import { Provider as RandomProvider } from "@pulumi/random/provider";
import { Provider as GrafanaProvider } from "@pulumiverse/grafana/provider";
import { Provider as SentryProvider } from "@pulumiverse/sentry/provider";
import { Provider as VercelProvider } from "@pulumiverse/vercel/provider";
import { Provider as UpstashProvider } from "@upstash/pulumi/provider";
import type { StackConfig } from "../stacks/schema";
import type { SecretName } from "../stacks/secrets";

/**
 * One explicit provider instance per cloud, per stack. No resource falls back to a default
 * provider, so credentials and account scope come only from this stack's config.
 */
export interface Providers {
  cloudflare: CloudflareProvider;
  vercel: VercelProvider;
  upstash: UpstashProvider;
  aws: AwsProvider;
  random: RandomProvider;
  /**
   * Grafana's three credential scopes, each its own provider: the Cloud API (access policies),
   * the Grafana Cloud stack (folders, alert rules, SLOs) and Synthetic Monitoring (checks).
   * Absent when the stack turns the integration off.
   */
  grafana?: { cloud: GrafanaProvider; stack: GrafanaProvider; sm?: GrafanaProvider };
  sentry?: SentryProvider;
  /** The stack's PagerDuty account; absent where `ara:oncall.pagerduty` is "none". */
  pagerduty?: PagerDutyProvider;
}

export function createProviders(
  config: StackConfig,
  secrets: Record<SecretName, pulumi.Output<string>>,
  tags: Record<string, string>,
): Providers {
  return {
    cloudflare: new CloudflareProvider("cloudflare", { apiToken: secrets.cloudflareApiToken }),
    vercel: new VercelProvider("vercel", {
      apiToken: secrets.vercelApiToken,
      team: config.accounts.vercelTeam,
    }),
    upstash: new UpstashProvider("upstash", {
      email: config.accounts.upstashEmail,
      apiKey: secrets.upstashApiKey,
    }),
    // AWS credentials come from the standard chain (env, profile, SSO), as every AWS tool expects.
    aws: new AwsProvider("aws", {
      region: config.accounts.awsRegion as pulumi.Input<string>,
      defaultTags: { tags },
    }),
    random: new RandomProvider("random", {}),
    grafana: createGrafanaProviders(config, secrets),
    ...(config.observability.sentry.enabled && {
      sentry: new SentryProvider("sentry", { token: secrets.sentryAuthToken }),
    }),
    ...(config.oncall.pagerduty !== "none" && {
      // 3.4.0 neither reads an environment variable nor marks the token secret: pass the secret
      // Output from stacks/secrets.ts, which keeps it secret in state.
      pagerduty: new PagerDutyProvider("pagerduty", { token: secrets.pagerdutyToken }),
    }),
  };
}

function createGrafanaProviders(
  config: StackConfig,
  secrets: Record<SecretName, pulumi.Output<string>>,
): Providers["grafana"] {
  const { grafana } = config.observability;
  if (!grafana.enabled) return undefined;
  return {
    cloud: new GrafanaProvider("grafana-cloud", {
      cloudAccessPolicyToken: secrets.grafanaCloudAccessPolicyToken,
    }),
    stack: new GrafanaProvider("grafana-stack", {
      url: `https://${config.accounts.grafanaStackSlug}.grafana.net`,
      auth: secrets.grafanaStackToken,
    }),
    ...(grafana.synthetics.enabled && {
      sm: new GrafanaProvider("grafana-sm", {
        smAccessToken: secrets.grafanaSmAccessToken,
        smUrl: config.accounts.grafanaSmUrl,
      }),
    }),
  };
}
