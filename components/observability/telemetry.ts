import * as pulumi from "@pulumi/pulumi";
import { AccessPolicy } from "@pulumiverse/grafana/cloud/accessPolicy";
import { AccessPolicyToken } from "@pulumiverse/grafana/cloud/accessPolicyToken";
import { AraComponent } from "../component";

/** The scopes the app needs to send telemetry, and nothing else: it can write, never read. */
export const TELEMETRY_WRITE_SCOPES = ["metrics:write", "logs:write", "traces:write"] as const;

/**
 * Settings of the `GrafanaTelemetry` component: the existing Grafana Cloud stack the app sends
 * its metrics, traces and logs to (stack config `ara:grafana*`, identifiers only).
 */
export interface GrafanaTelemetryArgs {
  /** Numeric ID of the Grafana Cloud stack: the policy's realm and the OTLP user name. */
  stackId: pulumi.Input<string>;
  /** The stack's region, e.g. `prod-us-east-0`; access policies live in a region. */
  region: pulumi.Input<string>;
  /** The stack's OTLP gateway, e.g. `https://otlp-gateway-prod-us-east-0.grafana.net/otlp`. */
  otlpUrl: pulumi.Input<string>;
}

/**
 * The `GrafanaTelemetry` component gives the app a way into Grafana Cloud: an access policy on
 * this one Grafana Cloud stack with write scopes only, and a token for it. The app's OpenTelemetry
 * exporter sends to `otlpEndpoint` with `otlpHeaders`
 * (`Authorization=Basic base64(<stack id>:<token>)`, OTLP/HTTP basic auth as Grafana Cloud's
 * OpenTelemetry card describes it).
 *
 * #### Minimal example
 * ```ts
 * const telemetry = new GrafanaTelemetry("telemetry", { stackId: "123456",
 *   region: "prod-us-east-0", otlpUrl: "https://otlp-gateway-prod-us-east-0.grafana.net/otlp" },
 *   { providers: [grafanaCloud] });
 * ```
 */
export class GrafanaTelemetry extends AraComponent {
  /** `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  public readonly otlpEndpoint: pulumi.Output<string>;
  /** `OTEL_EXPORTER_OTLP_HEADERS`. Secret. */
  public readonly otlpHeaders: pulumi.Output<string>;

  constructor(name: string, args: GrafanaTelemetryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ara:observability:GrafanaTelemetry", name, opts);

    const token = this.createWriteToken(args);
    this.otlpEndpoint = pulumi.output(args.otlpUrl);
    this.otlpHeaders = otlpAuthorization(args.stackId, token.token);

    this.registerOutputs({ otlpEndpoint: this.otlpEndpoint, otlpHeaders: this.otlpHeaders });
  }

  private createWriteToken(args: GrafanaTelemetryArgs): AccessPolicyToken {
    const policy = new AccessPolicy(
      this.child("policy"),
      {
        name: this.physical("telemetry-write", "generic"),
        displayName: `ARA ${pulumi.getStack()}: app telemetry (write only)`,
        region: args.region,
        scopes: [...TELEMETRY_WRITE_SCOPES],
        // Scoped to the one Grafana Cloud stack, not the organization.
        realms: [{ type: "stack", identifier: args.stackId }],
      },
      { parent: this },
    );
    return new AccessPolicyToken(
      this.child("token"),
      {
        accessPolicyId: policy.policyId,
        region: args.region,
        name: this.physical("telemetry-write", "generic"),
      },
      { parent: this },
    );
  }
}

/**
 * `OTEL_EXPORTER_OTLP_HEADERS` for Grafana Cloud: `Authorization=Basic%20<base64(id:token)>`.
 * The OTLP exporter spec percent-decodes header values, so the space is encoded.
 */
export function otlpAuthorization(
  stackId: pulumi.Input<string>,
  token: pulumi.Input<string>,
): pulumi.Output<string> {
  return pulumi.secret(
    pulumi
      .all([stackId, token])
      .apply(([id, t]) => `Authorization=Basic%20${Buffer.from(`${id}:${t}`).toString("base64")}`),
  );
}
