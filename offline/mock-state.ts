import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * What the offline plan's fake clouds answer. Only values a program reads back are modelled
 * (hostnames, ports, generated credentials, IDs); everything else echoes the inputs, as a
 * provider's Create would. Values are derived from the resource's name so runs are stable.
 */
type StateFn = (name: string, inputs: Record<string, any>) => Record<string, unknown>;

const fake = (name: string, salt: string, length = 32) =>
  createHash("sha256").update(`${salt}:${name}`).digest("hex").slice(0, length);

const STATE: Record<string, StateFn> = {
  // PagerDuty assigns each integration its routing key (32 hex) or inbound address.
  "pagerduty:index/serviceIntegration:ServiceIntegration": (name, i) => ({
    integrationKey: fake(name, "key", 32),
    ...(i.type === "generic_email_inbound_integration" && {
      integrationEmail: `${fake(name, "email", 12)}@ara.pagerduty.com`,
    }),
  }),
  "upstash:index/redisDatabase:RedisDatabase": (name, i) => ({
    databaseId: fake(name, "id", 36),
    endpoint: `${String(i.databaseName ?? name)}-mock.upstash.io`,
    port: 6379,
    password: fake(name, "password"),
    restToken: fake(name, "rest"),
    readOnlyRestToken: fake(name, "rorest"),
    state: "active",
  }),
  "random:index/randomBytes:RandomBytes": (name, i) => {
    const bytes = createHash("sha512")
      .update(name)
      .digest()
      .subarray(0, Number(i.length ?? 32));
    return { base64: bytes.toString("base64"), hex: bytes.toString("hex") };
  },
  "random:index/randomPassword:RandomPassword": (name) => ({
    result: fake(name, "password"),
    bcryptHash: `$2a$10$${fake(name, "bcrypt", 53)}`,
  }),
  "random:index/randomId:RandomId": (name, i) => {
    const hex = fake(name, "randomid", Number(i.byteLength ?? 4) * 2);
    return {
      hex,
      b64Url: Buffer.from(hex, "hex").toString("base64url"),
      dec: BigInt(`0x${hex}`).toString(),
    };
  },
  "aws:s3/bucket:Bucket": (name, i) => {
    const bucket = String(i.bucket ?? `${i.bucketPrefix ?? name}${fake(name, "suffix", 8)}`);
    return {
      bucket,
      arn: `arn:aws:s3:::${bucket}`,
      bucketDomainName: `${bucket}.s3.amazonaws.com`,
      region: i.region,
    };
  },
  "aws:sns/topic:Topic": (name, i) => ({
    arn: `arn:aws:sns:us-east-1:123456789012:${String(i.name ?? name)}`,
  }),
  "aws:iam/user:User": (name, i) => ({
    arn: `arn:aws:iam::123456789012:user/${String(i.name ?? name)}`,
  }),
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (_name, i) => ({
    arn: `arn:aws:iam::123456789012:oidc-provider/${String(i.url).replace(/^https:\/\//, "")}`,
  }),
  "aws:iam/role:Role": (name, i) => ({
    arn: `arn:aws:iam::123456789012:role/${String(i.name ?? name)}`,
  }),
  "aws:iam/accessKey:AccessKey": (name) => ({
    secret: fake(name, "aws-secret", 40),
    sesSmtpPasswordV4: `B${fake(name, "ses-smtp", 43)}`,
  }),
  // Easy DKIM: SES answers three tokens per domain identity.
  "aws:sesv2/emailIdentity:EmailIdentity": (name, i) => ({
    arn: `arn:aws:ses:us-east-1:123456789012:identity/${String(i.emailIdentity)}`,
    identityType: "DOMAIN",
    verifiedForSendingStatus: false,
    dkimSigningAttributes: {
      ...i.dkimSigningAttributes,
      tokens: [1, 2, 3].map((n) => fake(name, `dkim-${n}`, 32)),
      status: "PENDING",
      signingAttributesOrigin: "AWS_SES",
    },
  }),
  "aws:sesv2/configurationSet:ConfigurationSet": (_name, i) => ({
    arn: `arn:aws:ses:us-east-1:123456789012:configuration-set/${String(i.configurationSetName)}`,
  }),
  "aws:kms/key:Key": (name) => ({
    arn: `arn:aws:kms:us-west-2:123456789012:key/${fake(name, "kms", 36)}`,
    keyId: fake(name, "kms", 36),
  }),
  "cloudflare:index/queue:Queue": (name, i) => ({
    queueId: fake(name, "queue"),
    queueName: i.queueName,
  }),
  "cloudflare:index/workersScript:WorkersScript": (name, i) => ({
    etag: fake(name, "etag"),
    handlers: ["fetch"],
    scriptName: i.scriptName,
  }),
  "vercel:index/project:Project": (name) => ({ id: `prj_${fake(name, "prj", 24)}` }),
  "pulumi-nodejs:dynamic/planetscale:Database": (name, i) => ({
    databaseId: fake(name, "psdb", 12),
    kind: "postgresql",
    state: "ready",
    ready: true,
    defaultBranch: "main",
    htmlUrl: `https://app.planetscale.com/${String(i.organization)}/${String(i.name)}`,
  }),
  "pulumi-nodejs:dynamic/planetscale:Branch": (name, i) => ({
    branchId: fake(name, "branch", 12),
    production: i.name === "main",
    state: "ready",
    ready: true,
    lifecycle: i.name === "main" ? "database-default" : "managed",
  }),
  "pulumi-nodejs:dynamic/planetscale:Role": (name, i) => {
    const username = `${String(i.name ?? "role")}.${fake(name, "user", 8)}`;
    const password = fake(name, "pscale_pw");
    const host = "aws-us-east-1.pg.psdb.cloud";
    return {
      roleId: fake(name, "role", 12),
      username,
      password,
      host,
      port: 5432,
      databaseName: "postgres",
      connectionString: `postgresql://${username}:${password}@${host}:5432/postgres?sslmode=verify-full`,
    };
  },
  "pulumi-nodejs:dynamic/planetscale:BackupPolicy": (name, i) => ({
    policyId: fake(name, "policy", 12),
    displayName: String(i.name),
    required: false,
  }),
  "grafana:cloud/accessPolicy:AccessPolicy": (name) => ({ policyId: fake(name, "policy", 36) }),
  "grafana:cloud/accessPolicyToken:AccessPolicyToken": (name) => ({
    token: `glc_${fake(name, "glc", 48)}`,
  }),
  "grafana:oss/folder:Folder": (name, i) => ({
    uid: String(i.uid ?? fake(name, "folder", 14)),
    url: `https://placeholder.grafana.net/dashboards/f/${String(i.uid ?? name)}`,
  }),
  "sentry:index/sentryTeam:SentryTeam": (name, i) => ({ slug: String(i.slug ?? name) }),
  "sentry:index/sentryProject:SentryProject": (name, i) => ({
    slug: String(i.slug ?? name),
    projectId: String(parseInt(fake(name, "project", 7), 16)),
  }),
  "sentry:index/sentryKey:SentryKey": (name) => ({
    public: fake(name, "public"),
    dsnPublic: `https://${fake(name, "public")}@o0.ingest.us.sentry.io/${parseInt(fake(name, "project", 7), 16)}`,
  }),
  "vercel:index/deployment:Deployment": (name) => ({
    url: `${fake(name, "dpl", 12)}.vercel.app`,
    domains: [],
  }),
};

/** IDs for resources whose ID a program reads back (e.g. a project ID used by its env vars). */
const ID: Record<string, (name: string, state: Record<string, unknown>) => string> = {
  "vercel:index/project:Project": (_n, s) => String(s.id),
  "aws:s3/bucket:Bucket": (_n, s) => String(s.bucket),
};

export function mockResourceState(
  type: string,
  name: string,
  inputs: Record<string, any>,
): { id: string; state: Record<string, unknown> } {
  const state = { ...inputs, ...(STATE[type]?.(name, inputs) ?? {}) };
  const id = ID[type]?.(name, state) ?? `${name}-${fake(name, type, 8)}`;
  return { id, state };
}

type CallFn = (inputs: Record<string, any>, root: string) => Record<string, unknown>;

const CALLS: Record<string, CallFn> = {
  // A PagerDuty user, found by login email; the id is derived from it, as stable as the real one.
  "pagerduty:index/getUser:getUser": (inputs) => ({
    id: `P${fake(String(inputs.email), "user", 6).toUpperCase()}`,
    email: inputs.email,
    name: String(inputs.email).split("@")[0],
  }),
  // Grafana Synthetic Monitoring's public probes, by name (a few of the real ones).
  "grafana:syntheticMonitoring/getProbes:getProbes": () => ({
    id: "probes",
    probes: { Frankfurt: 1, London: 2, NorthVirginia: 3, Ohio: 4, Oregon: 5, Singapore: 6 },
  }),
  // The real invoke walks `<path>/.vercel/output` and returns each file with its size and
  // digest; computing the same here makes an artifact change show up in the plan diff.
  "vercel:index/getPrebuiltProject:getPrebuiltProject": (inputs, root) => {
    const base = join(root, String(inputs.path), ".vercel", "output");
    return { id: base, path: String(inputs.path), output: digestTree(base) };
  },
};

export function mockCall(
  token: string,
  inputs: Record<string, any>,
  root: string,
): Record<string, unknown> {
  const fn = CALLS[token];
  if (!fn)
    throw new Error(
      `The offline plan has no mock for the invoke ${token}; add one to offline/mock-state.ts.`,
    );
  return fn(inputs, root);
}

function digestTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      const p = join(d, entry);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const bytes = readFileSync(p);
        out[relative(dir, p)] = `${bytes.length}~${createHash("sha1").update(bytes).digest("hex")}`;
      }
    }
  };
  try {
    walk(dir);
  } catch {
    throw new Error(`${dir} does not exist: build the app first with \`npm run build\`.`);
  }
  return out;
}
