import { EMAIL, range, pattern, type TypeEntry } from "../rule";

/** The stack, our components, the random provider, and provider instances other than AWS's. */

const COMPONENT_NOTE =
  "a component resource (components/): it has no cloud API and no arguments; its children are checked";

const component = (file: string): TypeEntry => ({ source: file, args: {}, note: COMPONENT_NOTE });

export const pulumi: Record<string, TypeEntry> = {
  "pulumi:pulumi:Stack": {
    source: "node_modules/@pulumi/pulumi/runtime/stack.d.ts",
    args: {},
    note: "the stack's root resource: no arguments",
  },
  "ara:app:WebApp": component("components/web-app/index.ts"),
  "ara:cache:Cache": component("components/cache/index.ts"),
  "ara:database:Database": component("components/database/index.ts"),
  "ara:edge:Edge": component("components/edge/index.ts"),
  "ara:email:Email": component("components/email/index.ts"),
  "ara:monitoring:Monitoring": component("components/monitoring/index.ts"),
  "ara:storage:Storage": component("components/storage/index.ts"),
  "ara:worker:SignerWorker": component("components/worker/index.ts"),
  "random:index/randomBytes:RandomBytes": {
    source: "node_modules/@pulumi/random/randomBytes.d.ts",
    args: {
      length: [
        range(1, 1_048_576, {
          source:
            "https://github.com/hashicorp/terraform-provider-random/blob/main/internal/provider/resource_bytes.go",
          fix: "request at least 1 byte (32 or more for a signing key)",
        }),
      ],
    },
  },
  "pulumi:providers:random": {
    source: "node_modules/@pulumi/random/provider.d.ts",
    args: {},
    note: "takes no arguments",
  },
  "pulumi:providers:cloudflare": {
    source: "node_modules/@pulumi/cloudflare/provider.d.ts",
    args: {},
    note: "apiToken is a secret whose validity only the API can judge (a real preview)",
  },
  "pulumi:providers:vercel": {
    source: "node_modules/@pulumiverse/vercel/provider.d.ts",
    args: {
      team: [
        pattern(
          /^(team_[A-Za-z0-9]+|[a-z0-9][a-z0-9-]{0,47})$/,
          "a team id (team_…) or the team's URL slug",
          {
            source: "https://vercel.com/docs/accounts/create-a-team#find-your-team-id",
            fix: "set ara:vercelTeam to the team's slug or team_ id",
          },
        ),
      ],
    },
  },
  "pulumi:providers:upstash": {
    source: "node_modules/@upstash/pulumi/provider.d.ts",
    args: {
      email: [
        pattern(EMAIL, "the Upstash account's email address", {
          source: "https://upstash.com/docs/devops/developer-api/authentication",
          fix: "set ara:upstashEmail to the account's email",
        }),
      ],
    },
  },
};
