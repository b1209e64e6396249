import * as pulumi from "@pulumi/pulumi";
import { RandomBytes } from "@pulumi/random/randomBytes";
import { Deployment } from "@pulumiverse/vercel/deployment";
import { FirewallConfig } from "@pulumiverse/vercel/firewallConfig";
import { getPrebuiltProjectOutput } from "@pulumiverse/vercel/getPrebuiltProject";
import { Project } from "@pulumiverse/vercel/project";
import { ProjectDomain } from "@pulumiverse/vercel/projectDomain";
import { ProjectEnvironmentVariable } from "@pulumiverse/vercel/projectEnvironmentVariable";
import { AraComponent, stateful, type Protection } from "../component";
import {
  contractGenerated,
  GENERATED_VARIABLES,
  isOptional,
  isSensitive,
  WEB_CONTRACT,
  type ProvidedVariable,
  type WebVariable,
} from "./contract";

/**
 * Settings of the `WebApp` component. Each stack's values come from its preset and
 * `Pulumi.<stack>.yaml`; docs/configuration.md tables them per environment.
 */
export interface WebAppArgs {
  /**
   * The directory holding the prebuilt Vercel output (`<dir>/.vercel/output`), relative to the
   * project root. `npm run build` produces it; the deployment uploads exactly those files.
   */
  artifactDir: string;
  /** The production hostname, e.g. `app.ara-audit.com`. */
  hostname: pulumi.Input<string>;
  /**
   * Vercel region of the app's functions, next to the database (PlanetScale us-east).
   */
  functionRegion: pulumi.Input<string>;
  /**
   * Which deployments Vercel Authentication protects; previews are always protected.
   */
  deploymentProtection: pulumi.Input<string>;
  /**
   * Vercel firewall limits on `/api`, behind the Cloudflare WAF's own per-client limit.
   * `requestsPerWindow` is per IP for clients that reach Vercel directly;
   * `proxyCeilingPerWindow` is per Cloudflare egress address, which many users share.
   */
  firewallRateLimit: {
    requestsPerWindow: pulumi.Input<number>;
    windowSeconds: pulumi.Input<number>;
    proxyCeilingPerWindow: pulumi.Input<number>;
  };
  /**
   * Values of the app's environment from the other tiers, one per variable that
   * app/web/contract.json says they provide. The contract decides which variables exist and
   * which are sensitive; `JWT_SECRET` and `DATA_KEY` are generated here. A variable the
   * contract marks `optional` may be `undefined` (its integration is off) and is then not set.
   */
  variables: Record<ProvidedVariable, pulumi.Input<string> | undefined>;
  /**
   * Protection for `DATA_KEY`: replacing it would make every stored contact email unreadable.
   */
  protection: Protection;
}

/**
 * The `WebApp` component is the ARA app on Vercel: the project (functions in one region,
 * deployment protection), its environment (credentials `sensitive`), a production deployment
 * of the prebuilt artifact in `<artifactDir>/.vercel/output` (built from the working tree by
 * `npm run build`; nothing here ties it to a tested commit), the custom domain and firewall
 * rate limits on /api.
 *
 * #### Minimal example
 * ```ts
 * const app = new WebApp("app", { artifactDir: "app/web", hostname: "app.ara-audit.com",
 *   functionRegion: "iad1", deploymentProtection: "standardProtectionNew",
 *   firewallRateLimit: { requestsPerWindow: 100, windowSeconds: 60, proxyCeilingPerWindow: 6000 },
 *   variables: { DATABASE_URL: db.connectionString, REDIS_URL: cache.redisUrl, ... },
 *   protection }, { providers: [vercel, random] });
 * ```
 */
export class WebApp extends AraComponent {
  /** `https://<hostname>`. */
  public readonly url: pulumi.Output<string>;
  /** The Vercel project ID. */
  public readonly projectId: pulumi.Output<string>;
  /** The deployment's own `*.vercel.app` URL. */
  public readonly deploymentUrl: pulumi.Output<string>;

  constructor(name: string, args: WebAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ara:app:WebApp", name, opts);

    const generated = [...GENERATED_VARIABLES].sort();
    if (contractGenerated().join() !== generated.join()) {
      throw new Error(
        `WebApp ${name}: app/web/contract.json marks ${contractGenerated().join(", ")} as generated, but the component generates ${generated.join(", ")}. Make them agree.`,
      );
    }

    const project = new Project(
      `${name}-project`,
      {
        name: this.physical("web", "vercelProject"),
        // The prebuilt function declares runtime nodejs20.x (app/web/build.mjs); keep the
        // project on the same major so nothing Vercel runs differs from what was tested.
        nodeVersion: "20.x",
        resourceConfig: { functionDefaultRegions: [args.functionRegion] },
        vercelAuthentication: { deploymentType: args.deploymentProtection },
        // Every request reaches the app through app.<domain>; a public *.vercel.app alias would
        // bypass the Cloudflare WAF.
        autoAssignCustomDomains: false,
      },
      { parent: this },
    );

    const jwtSecret = new RandomBytes(`${name}-jwt-secret`, { length: 48 }, { parent: this });
    const dataKey = new RandomBytes(
      `${name}-data-key`,
      { length: 32 },
      stateful(this, args.protection),
    );

    const values: Record<WebVariable, pulumi.Input<string> | undefined> = {
      ...args.variables,
      JWT_SECRET: jwtSecret.base64,
      DATA_KEY: dataKey.base64,
    };
    const present = (Object.keys(WEB_CONTRACT.variables) as WebVariable[]).filter((key) => {
      if (values[key] !== undefined) return true;
      if (isOptional(key)) return false;
      throw new Error(
        `WebApp ${name}: ${key} has no value, but app/web/contract.json does not mark it optional. Pass its value in infra/program.ts.`,
      );
    });
    const env = present.map((key) => {
      const sensitive = isSensitive(key);
      const value = values[key] as pulumi.Input<string>;
      return new ProjectEnvironmentVariable(
        `${name}-env-${key.toLowerCase().replace(/_/g, "-")}`,
        {
          projectId: project.id,
          key,
          value: sensitive ? pulumi.secret(value) : value,
          sensitive,
          // Production only: previews never receive production credentials.
          targets: ["production"],
        },
        { parent: this },
      );
    });

    const artifact = getPrebuiltProjectOutput({ path: args.artifactDir }, { parent: this });
    const deployment = new Deployment(
      `${name}-deployment`,
      {
        projectId: project.id,
        files: artifact.output,
        pathPrefix: artifact.path,
        production: true,
      },
      // Functions read their environment when the deployment is created.
      { parent: this, dependsOn: env },
    );

    new ProjectDomain(
      `${name}-domain`,
      { projectId: project.id, domain: args.hostname },
      { parent: this },
    );

    createFirewall(name, this, project.id, args.firewallRateLimit);

    this.url = pulumi.interpolate`https://${args.hostname}`;
    this.projectId = project.id;
    this.deploymentUrl = deployment.url;
    this.registerOutputs({
      url: this.url,
      projectId: this.projectId,
      deploymentUrl: this.deploymentUrl,
    });
  }
}

/**
 * Cloudflare's autonomous system (https://www.cloudflare.com/ips/ lists its ranges; AS13335 is
 * the network they are announced from). Vercel derives `geo_as_number` from the connecting
 * address, which a client cannot forge the way it can forge a header.
 */
const CLOUDFLARE_ASN = "13335";

/**
 * Two `/api` rules that never overlap. Traffic from Cloudflare arrives from a few egress
 * addresses shared by every user of a data centre, so keying it on `ip` would let one busy
 * address lock out unrelated users: it gets only a coarse ceiling with a short block, while the
 * per-client limits live in the WAF (`ip.src`) and the app (`CF-Connecting-IP`). Traffic from
 * anywhere else bypassed the proxy (a `*.vercel.app` URL, say), so its address is the client's
 * own and the per-IP limit applies in full.
 */
function createFirewall(
  name: string,
  parent: pulumi.Resource,
  projectId: pulumi.Input<string>,
  limits: WebAppArgs["firewallRateLimit"],
): FirewallConfig {
  const viaCloudflare = (neg: boolean) => ({
    type: "geo_as_number",
    op: "eq",
    value: CLOUDFLARE_ASN,
    ...(neg ? { neg: true } : {}),
  });
  const apiPath = { type: "path", op: "pre", value: "/api" };
  const rateLimit = (limit: pulumi.Input<number>) => ({
    limit,
    window: limits.windowSeconds,
    keys: ["ip"],
    algo: "fixed_window",
    action: "deny",
  });
  return new FirewallConfig(
    `${name}-firewall`,
    {
      projectId,
      enabled: true,
      rules: {
        rules: [
          {
            name: "api-direct-rate-limit",
            description:
              "Per-IP limit on /api for clients that reach Vercel without Cloudflare's proxy.",
            active: true,
            conditionGroups: [{ conditions: [apiPath, viaCloudflare(true)] }],
            action: {
              action: "rate_limit",
              rateLimit: rateLimit(limits.requestsPerWindow),
              actionDuration: "5m",
            },
          },
          {
            name: "api-proxy-ceiling",
            description:
              "Coarse ceiling per Cloudflare egress address, far above any single client; per-client limits are the WAF's and the app's.",
            active: true,
            conditionGroups: [{ conditions: [apiPath, viaCloudflare(false)] }],
            action: {
              action: "rate_limit",
              rateLimit: rateLimit(limits.proxyCeilingPerWindow),
              actionDuration: "1m",
            },
          },
        ],
      },
    },
    { parent },
  );
}
