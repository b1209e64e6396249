import * as pulumi from "@pulumi/pulumi";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { Provider as CloudflareProvider } from "@pulumi/cloudflare/provider";
import { Provider as RandomProvider } from "@pulumi/random/provider";
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
  };
}
