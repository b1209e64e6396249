import * as pulumi from "@pulumi/pulumi";
import { Check } from "@pulumiverse/grafana/syntheticmonitoring/check";
import { getProbesOutput } from "@pulumiverse/grafana/syntheticmonitoring/getProbes";
import { AraComponent } from "../component";

/** An HTTPS endpoint that answers 200 only when its service and its dependencies are healthy. */
export interface SyntheticEndpoint {
  /** The check's `job` label, which the "application down" alert selects. */
  job: string;
  /** Full URL, e.g. `https://app.ara.example/api/ready`. */
  url: pulumi.Input<string>;
}

/** Settings of the `SyntheticChecks` component. */
export interface SyntheticChecksArgs {
  endpoints: SyntheticEndpoint[];
  /** Public probe names (e.g. `Ohio`); at least 3, so that two can agree. */
  probes: string[];
  /** How often each probe runs each check. */
  frequencySeconds: number;
}

/**
 * The `SyntheticChecks` component probes the app's readiness and the signer's health from
 * Grafana Synthetic Monitoring's public probes. The results are the `probe_success` series the
 * "application down" alert reads; SM's own alerting stays off (`alertSensitivity: none`), so the
 * catalog is the one place that decides what pages.
 *
 * #### Minimal example
 * ```ts
 * new SyntheticChecks("synthetics", { endpoints: [{ job: "ara-prod-app",
 *   url: "https://app.ara.example/api/ready" }], probes: ["Ohio", "NorthVirginia", "Oregon"],
 *   frequencySeconds: 300 }, { provider: grafanaSm });
 * ```
 */
export class SyntheticChecks extends AraComponent {
  /** IDs of the checks. */
  public readonly checkIds: pulumi.Output<string[]>;

  constructor(name: string, args: SyntheticChecksArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ara:observability:SyntheticChecks", name, opts);

    const probeIds = this.lookupProbes(args.probes);
    const checks = args.endpoints.map((e) => this.createCheck(e, probeIds, args.frequencySeconds));

    this.checkIds = pulumi.all(checks.map((c) => c.id));
    this.registerOutputs({ checkIds: this.checkIds });
  }

  private lookupProbes(names: string[]): pulumi.Output<number[]> {
    return getProbesOutput({ filterDeprecated: true }, { parent: this }).probes.apply((all) =>
      names.map((n) => {
        const id = all[n];
        if (id === undefined) {
          throw new Error(
            `Synthetic Monitoring has no probe named "${n}" (ara:observability.grafana.synthetics.probes); the public probes are: ${Object.keys(all).sort().join(", ")}`,
          );
        }
        return id;
      }),
    );
  }

  private createCheck(
    e: SyntheticEndpoint,
    probes: pulumi.Output<number[]>,
    frequencySeconds: number,
  ): Check {
    return new Check(
      this.child(e.job.replace(/^ara-[a-z0-9-]+?-(app|signer)$/, "$1")),
      {
        job: e.job,
        target: e.url,
        probes,
        enabled: true,
        frequency: frequencySeconds * 1000,
        timeout: 5000,
        alertSensitivity: "none",
        settings: {
          http: {
            method: "GET",
            validStatusCodes: [200],
            failIfNotSsl: true,
            noFollowRedirects: true,
            ipVersion: "V4",
          },
        },
      },
      { parent: this },
    );
  }
}
