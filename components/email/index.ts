import * as pulumi from "@pulumi/pulumi";
import { AccessKey } from "@pulumi/aws/iam/accessKey";
import { User } from "@pulumi/aws/iam/user";
import { UserPolicy } from "@pulumi/aws/iam/userPolicy";
import { ConfigurationSet } from "@pulumi/aws/sesv2/configurationSet";
import { ConfigurationSetEventDestination } from "@pulumi/aws/sesv2/configurationSetEventDestination";
import { EmailIdentity } from "@pulumi/aws/sesv2/emailIdentity";
import { EmailIdentityMailFromAttributes } from "@pulumi/aws/sesv2/emailIdentityMailFromAttributes";
import { DnsRecord } from "@pulumi/cloudflare/dnsRecord";
import { AraComponent } from "../component";

/** Easy DKIM publishes exactly three tokens per identity (https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-easy.html). */
export const DKIM_TOKEN_COUNT = 3;
/** SES events that mean mail is not arriving: they page through the stack's alert topic. */
export const ALERT_EVENT_TYPES = ["BOUNCE", "COMPLAINT", "REJECT"];
/** SPF for the MAIL FROM domain (https://docs.aws.amazon.com/ses/latest/dg/mail-from.html). */
export const SPF_VALUE = "v=spf1 include:amazonses.com ~all";
/** DNS records are not proxied (mail is not HTTP) and change rarely. */
const DNS_TTL = 3600;

/**
 * Settings of the `Email` component. Each stack's values come from its preset
 * (stacks/presets.ts `email`); docs/operations.md says how to leave the SES sandbox.
 */
export interface EmailArgs {
  /** The verified sending domain, e.g. `mail.ara.example`. */
  domain: string;
  /** The MAIL FROM (bounce) domain under it, e.g. `bounce.mail.ara.example`. */
  mailFromDomain: string;
  /** The From address the app sends as; the IAM user may send as nothing else. */
  fromAddress: string;
  /** DMARC policy published at `_dmarc.<domain>`. */
  dmarcPolicy: "none" | "quarantine" | "reject";
  /** AWS region of the SES identity: the MX target and the SMTP host name follow it. */
  region: string;
  /** Cloudflare zone the records go in. */
  zoneId: pulumi.Input<string>;
  /** The stack's SNS alert topic (components/monitoring): bounces, complaints, rejects. */
  alertTopicArn: pulumi.Input<string>;
}

/**
 * The `Email` component: SES v2 for the app's mail.
 * - an email identity for the sending domain with Easy DKIM, its three DKIM CNAMEs in
 *   Cloudflare (not proxied), and a DMARC TXT record;
 * - a custom MAIL FROM domain with its MX (feedback-smtp.<region>.amazonses.com, priority 10)
 *   and SPF records, so SPF aligns with the From domain;
 * - a configuration set, the identity's default, sending bounce, complaint and reject events to
 *   the alert topic; no open or click tracking;
 * - an IAM user that may only send as the From address, and its SMTP password (secret).
 */
export class Email extends AraComponent {
  public readonly smtpHost: pulumi.Output<string>;
  public readonly smtpUser: pulumi.Output<string>;
  public readonly smtpPassword: pulumi.Output<string>;
  public readonly fromAddress: pulumi.Output<string>;
  public readonly identityArn: pulumi.Output<string>;

  constructor(name: string, args: EmailArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ara:email:Email", name, opts);
    const parent = { parent: this };

    const configSet = new ConfigurationSet(
      this.child("config-set"),
      { configurationSetName: this.physical("email", "aws") },
      parent,
    );
    new ConfigurationSetEventDestination(
      this.child("alerts"),
      {
        configurationSetName: configSet.configurationSetName,
        eventDestinationName: "alerts",
        eventDestination: {
          enabled: true,
          matchingEventTypes: ALERT_EVENT_TYPES,
          snsDestination: { topicArn: args.alertTopicArn },
        },
      },
      parent,
    );

    const identity = new EmailIdentity(
      this.child("identity"),
      {
        emailIdentity: args.domain,
        // Every message uses the set, SMTP included, without a header from the app.
        configurationSetName: configSet.configurationSetName,
        dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" },
      },
      parent,
    );
    const tokens = identity.dkimSigningAttributes.apply((d) => d.tokens);
    for (let i = 0; i < DKIM_TOKEN_COUNT; i++) {
      const token = tokens.apply((t) => {
        if (t.length !== DKIM_TOKEN_COUNT) {
          throw new Error(
            `SES returned ${t.length} DKIM tokens for ${args.domain}, expected ${DKIM_TOKEN_COUNT}; check the identity's Easy DKIM settings in the SES console`,
          );
        }
        return t[i]!;
      });
      new DnsRecord(
        this.child(`dkim-${i + 1}`),
        {
          zoneId: args.zoneId,
          name: pulumi.interpolate`${token}._domainkey.${args.domain}`,
          type: "CNAME",
          content: pulumi.interpolate`${token}.dkim.amazonses.com`,
          // SES must resolve the record itself: a proxied CNAME would answer Cloudflare's IPs.
          proxied: false,
          ttl: DNS_TTL,
          comment: "SES Easy DKIM (managed by Pulumi)",
        },
        parent,
      );
    }

    new EmailIdentityMailFromAttributes(
      this.child("mail-from"),
      {
        emailIdentity: identity.emailIdentity,
        mailFromDomain: args.mailFromDomain,
        // Until the MX resolves SES falls back to amazonses.com instead of refusing to send.
        behaviorOnMxFailure: "USE_DEFAULT_VALUE",
      },
      parent,
    );
    new DnsRecord(
      this.child("mail-from-mx"),
      {
        zoneId: args.zoneId,
        name: args.mailFromDomain,
        type: "MX",
        content: `feedback-smtp.${args.region}.amazonses.com`,
        priority: 10,
        ttl: DNS_TTL,
        comment: "SES custom MAIL FROM: bounces and complaints (managed by Pulumi)",
      },
      parent,
    );
    new DnsRecord(
      this.child("mail-from-spf"),
      {
        zoneId: args.zoneId,
        name: args.mailFromDomain,
        type: "TXT",
        content: SPF_VALUE,
        ttl: DNS_TTL,
        comment: "SPF for the SES MAIL FROM domain (managed by Pulumi)",
      },
      parent,
    );
    new DnsRecord(
      this.child("dmarc"),
      {
        zoneId: args.zoneId,
        name: `_dmarc.${args.domain}`,
        type: "TXT",
        content: dmarcValue(args.dmarcPolicy),
        ttl: DNS_TTL,
        comment: "DMARC for the sending domain (managed by Pulumi)",
      },
      parent,
    );

    // The app's sending identity: SendEmail/SendRawEmail (SMTP uses the latter) as the From
    // address only, through this identity and configuration set.
    const user = new User(this.child("smtp-user"), { name: this.physical("smtp", "aws") }, parent);
    new UserPolicy(
      this.child("smtp-policy"),
      {
        user: user.name,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "SendAsTheAppOnly",
              Effect: "Allow",
              Action: ["ses:SendEmail", "ses:SendRawEmail"],
              Resource: [identity.arn, configSet.arn],
              Condition: { StringEquals: { "ses:FromAddress": args.fromAddress } },
            },
          ],
        }),
      },
      parent,
    );
    const key = new AccessKey(
      this.child("smtp-key"),
      { user: user.name },
      // The secret key and the SMTP password derived from it are encrypted in state.
      { parent: this, additionalSecretOutputs: ["secret", "sesSmtpPasswordV4"] },
    );

    this.smtpHost = pulumi.output(`email-smtp.${args.region}.amazonaws.com`);
    this.smtpUser = pulumi.secret(key.id);
    this.smtpPassword = pulumi.secret(key.sesSmtpPasswordV4);
    this.fromAddress = pulumi.output(args.fromAddress);
    this.identityArn = identity.arn;
    this.registerOutputs({
      smtpHost: this.smtpHost,
      fromAddress: this.fromAddress,
      identityArn: this.identityArn,
    });
  }
}

/** The DMARC TXT value: relaxed alignment, the policy for subdomains too. */
export const dmarcValue = (policy: string) =>
  `v=DMARC1; p=${policy}; sp=${policy}; adkim=r; aspf=r`;
