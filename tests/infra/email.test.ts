import { beforeAll, describe, expect, it } from "vitest";
import type { ProgramRun } from "../../offline/engine";
import { one, ofType, planAll, STACKS, type StackName } from "../harness";

// components/email under mocks: the exact DNS records per stack, the IAM condition, and the
// SMTP password's secrecy.

const T = {
  identity: "aws:sesv2/emailIdentity:EmailIdentity",
  mailFrom: "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes",
  configSet: "aws:sesv2/configurationSet:ConfigurationSet",
  eventDestination: "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination",
  dns: "cloudflare:index/dnsRecord:DnsRecord",
  user: "aws:iam/user:User",
  userPolicy: "aws:iam/userPolicy:UserPolicy",
  accessKey: "aws:iam/accessKey:AccessKey",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  vercelEnv: "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable",
};
// Every Pulumi.<stack>.yaml sets ara:awsRegion: us-east-1.
const REGION = "us-east-1";
const DMARC = { dev: "none", staging: "quarantine", prod: "reject" } as const;

let runs: Record<StackName, ProgramRun>;
beforeAll(async () => {
  runs = await planAll();
});

const emailRecords = (run: ProgramRun) =>
  ofType(run, T.dns).filter((r) => r.name.startsWith("email-"));

describe("dev has no email tier", () => {
  it("creates no SES resource, no mail DNS record and no SMTP variable", () => {
    const run = runs.dev;
    for (const type of [T.identity, T.mailFrom, T.configSet, T.eventDestination]) {
      expect(ofType(run, type)).toHaveLength(0);
    }
    expect(emailRecords(run)).toHaveLength(0);
    const keys = ofType(run, T.vercelEnv).map((v) => v.inputs.key);
    expect(keys).not.toContain("SMTP_PASSWORD");
    expect(keys).toContain("APP_URL");
  });
});

describe.each(["staging", "prod"] as const)("email in %s", (stack) => {
  const run = () => runs[stack];
  const domain = () => String(one(run(), T.identity).inputs.emailIdentity);

  it("verifies mail.<domain> with Easy DKIM: three CNAMEs from the identity's tokens, not proxied", () => {
    const identity = one(run(), T.identity);
    expect(domain()).toMatch(/^mail\./);
    const tokens = (identity.outputs.dkimSigningAttributes as { tokens: string[] }).tokens;
    expect(tokens).toHaveLength(3);
    const dkim = emailRecords(run())
      .filter((r) => r.name.startsWith("email-dkim-"))
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(
      dkim.map((r) => ({
        name: r.inputs.name,
        type: r.inputs.type,
        content: r.inputs.content,
        proxied: r.inputs.proxied,
      })),
    ).toEqual(
      tokens.map((t) => ({
        name: `${t}._domainkey.${domain()}`,
        type: "CNAME",
        content: `${t}.dkim.amazonses.com`,
        proxied: false,
      })),
    );
  });

  it("has a MAIL FROM domain with its MX (priority 10) and SPF records, and DMARC per environment", () => {
    const region = REGION;
    const mailFrom = `bounce.${domain()}`;
    expect(one(run(), T.mailFrom).inputs).toMatchObject({
      mailFromDomain: mailFrom,
      behaviorOnMxFailure: "USE_DEFAULT_VALUE",
    });
    const byName = Object.fromEntries(emailRecords(run()).map((r) => [r.name, r.inputs]));
    expect(byName["email-mail-from-mx"]).toMatchObject({
      name: mailFrom,
      type: "MX",
      content: `feedback-smtp.${region}.amazonses.com`,
      priority: 10,
    });
    expect(byName["email-mail-from-spf"]).toMatchObject({
      name: mailFrom,
      type: "TXT",
      content: "v=spf1 include:amazonses.com ~all",
    });
    expect(byName["email-dmarc"]).toMatchObject({
      name: `_dmarc.${domain()}`,
      type: "TXT",
      content: `v=DMARC1; p=${DMARC[stack]}; sp=${DMARC[stack]}; adkim=r; aspf=r`,
    });
    for (const r of emailRecords(run())) expect(r.inputs.proxied ?? false).toBe(false);
  });

  it("sends bounces, complaints and rejects to the alert topic, which lets SES publish", () => {
    const topic = one(run(), T.topic);
    const dest = one(run(), T.eventDestination);
    expect(dest.inputs.eventDestination).toEqual({
      enabled: true,
      matchingEventTypes: ["BOUNCE", "COMPLAINT", "REJECT"],
      snsDestination: { topicArn: topic.outputs.arn },
    });
    expect(one(run(), T.identity).inputs.configurationSetName).toBe(
      one(run(), T.configSet).inputs.configurationSetName,
    );
    const policy = JSON.parse(String(one(run(), T.topicPolicy).inputs.policy));
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({
        Principal: { Service: "ses.amazonaws.com" },
        Action: "SNS:Publish",
      }),
    );
  });

  it("lets the SMTP user send only as the stack's From address", () => {
    const user = ofType(run(), T.user).find((u) => u.name === "email-smtp-user")!;
    const policy = ofType(run(), T.userPolicy).find((p) => p.name === "email-smtp-policy")!;
    expect(policy.inputs.user).toBe(user.inputs.name);
    const doc = JSON.parse(String(policy.inputs.policy));
    expect(doc.Statement).toEqual([
      {
        Sid: "SendAsTheAppOnly",
        Effect: "Allow",
        Action: ["ses:SendEmail", "ses:SendRawEmail"],
        Resource: [one(run(), T.identity).outputs.arn, one(run(), T.configSet).outputs.arn],
        Condition: { StringEquals: { "ses:FromAddress": `ara@${domain()}` } },
      },
    ]);
  });

  it("keeps the SMTP password secret in state and hands the app sensitive variables", () => {
    const key = ofType(run(), T.accessKey).find((k) => k.name === "email-smtp-key")!;
    expect(key.additionalSecretOutputs).toEqual(
      expect.arrayContaining(["secret", "sesSmtpPasswordV4"]),
    );
    const vars = Object.fromEntries(
      ofType(run(), T.vercelEnv).map((v) => [String(v.inputs.key), v]),
    );
    for (const k of ["SMTP_USER", "SMTP_PASSWORD"]) {
      expect(vars[k]!.inputs.value, k).toBe("[secret]");
      expect(vars[k]!.secretInputs, k).toContain("value");
      expect(vars[k]!.inputs.sensitive, k).toBe(true);
    }
    const plain = (k: string) => (vars[k] as unknown as { props: { value: string } }).props.value;
    expect(plain("SMTP_HOST")).toBe(`email-smtp.${REGION}.amazonaws.com`);
    expect(plain("MAIL_FROM")).toBe(`ara@${domain()}`);
    expect(plain("SMTP_PORT")).toBe("587");
    expect(plain("APP_URL")).toMatch(/^https:\/\/app\./);
    expect(key.outputs.sesSmtpPasswordV4).toBe("[secret]");
  });
});

it.each(STACKS)("%s: the email tier follows the stack config", (stack) => {
  expect(ofType(runs[stack], T.identity)).toHaveLength(stack === "dev" ? 0 : 1);
});
