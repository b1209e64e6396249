import * as pulumi from "@pulumi/pulumi";
import { SentryKey } from "@pulumiverse/sentry/sentryKey";
import { SentryProject } from "@pulumiverse/sentry/sentryProject";
import { SentryTeam } from "@pulumiverse/sentry/sentryTeam";
import { AraComponent } from "../component";

/** Settings of the `ErrorTracking` component. */
export interface ErrorTrackingArgs {
  /** Sentry organization slug (stack config `ara:sentryOrganization`). */
  organization: pulumi.Input<string>;
}

/**
 * The `ErrorTracking` component is the stack's Sentry project (`ara-<stack>-web`), owned by a
 * team of the same name, and the client key the app reports with. The DSN is handed to the app
 * as `SENTRY_DSN`; it is public by design in browsers, but this one is server-side, so it
 * travels as a secret like every other credential.
 *
 * #### Minimal example
 * ```ts
 * const errors = new ErrorTracking("errors", { organization: "ara" }, { provider: sentry });
 * ```
 */
export class ErrorTracking extends AraComponent {
  /** `SENTRY_DSN`. Secret. */
  public readonly dsn: pulumi.Output<string>;
  /** The project's slug. */
  public readonly projectSlug: pulumi.Output<string>;

  constructor(name: string, args: ErrorTrackingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ara:observability:ErrorTracking", name, opts);

    const project = this.createProject(args);
    const key = new SentryKey(
      this.child("key"),
      {
        organization: args.organization,
        project: project.slug,
        name: this.physical("web", "generic"),
      },
      { parent: this },
    );

    this.projectSlug = project.slug;
    this.dsn = pulumi.secret(key.dsnPublic);
    this.registerOutputs({ dsn: this.dsn, projectSlug: this.projectSlug });
  }

  private createProject(args: ErrorTrackingArgs): SentryProject {
    const slug = this.physical("web", "generic");
    const team = new SentryTeam(
      this.child("team"),
      { organization: args.organization, name: slug, slug },
      { parent: this },
    );
    return new SentryProject(
      this.child("project"),
      {
        organization: args.organization,
        teams: [team.slug],
        name: slug,
        slug,
        platform: "node",
        // An issue untouched for 30 days resolves itself; a recurrence reopens it as a regression.
        resolveAge: 720,
      },
      { parent: this },
    );
  }
}
