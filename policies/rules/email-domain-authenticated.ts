import type { StackValidationPolicy } from "@pulumi/policy";
import { asObject, asString, stackRule, type RuleMeta } from "../lib/define";
import { T } from "../lib/types";

export const meta: RuleMeta = {
  name: "email-domain-authenticated",
  description:
    "Every SES sending domain signs with DKIM (its three CNAMEs in DNS) and publishes DMARC at quarantine or reject.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediation:
    "Keep Easy DKIM on the sesv2.EmailIdentity and its three `<token>._domainkey` CNAMEs in components/email, and set ara:email.dmarcPolicy to quarantine or reject.",
};

/** DMARC policies strong enough that receivers act on mail that fails authentication. */
const ENFORCING = new Set(["quarantine", "reject"]);

/**
 * Mail from an unauthenticated domain lands in spam or is spoofed in the app's name: in prod,
 * receivers must be able to verify ARA's mail (DKIM) and be told to refuse forgeries (DMARC).
 * Easy DKIM is on unless the identity brings its own key (`dkimSigningAttributes.domainSigning*`),
 * and it only works once its three CNAMEs resolve, so the records are checked too.
 * @severity high
 */
export function emailDomainAuthenticated(): StackValidationPolicy {
  return stackRule(meta, (args, report) => {
    const identities = args.resources.filter((r) => r.type === T.sesEmailIdentity);
    if (identities.length === 0) args.notApplicable("the stack sends no email");
    const txt = new Map<string, string[]>();
    const dkimNames: string[] = [];
    for (const r of args.resources.filter((x) => x.type === T.dnsRecord)) {
      const name = asString(r.props.name)?.toLowerCase() ?? "";
      const content = asString(r.props.content) ?? "";
      if (r.props.type === "TXT") txt.set(name, [...(txt.get(name) ?? []), content]);
      if (r.props.type === "CNAME" && /\.dkim\.amazonses\.com$/.test(content)) dkimNames.push(name);
    }
    for (const identity of identities) {
      const domain = asString(identity.props.emailIdentity)?.toLowerCase() ?? "";
      const signing = asObject(identity.props.dkimSigningAttributes);
      if (signing?.domainSigningPrivateKey !== undefined || signing?.domainSigningSelector)
        report(`SES identity ${domain} brings its own DKIM key; this stack must use Easy DKIM.`);
      const cnames = dkimNames.filter((n) => n.endsWith(`._domainkey.${domain}`)).length;
      if (cnames < 3)
        report(
          `SES identity ${domain} has ${cnames} of its 3 Easy DKIM CNAME records (<token>._domainkey.${domain}).`,
        );
      const dmarc = (txt.get(`_dmarc.${domain}`) ?? []).find((v) => /^v=DMARC1\b/i.test(v));
      const policy = dmarc?.match(/(?:^|;)\s*p=([a-z]+)/i)?.[1]?.toLowerCase();
      if (!dmarc) report(`SES identity ${domain} has no DMARC record at _dmarc.${domain}.`);
      else if (!policy || !ENFORCING.has(policy))
        report(
          `SES identity ${domain} publishes DMARC p=${policy ?? "(none)"}; prod needs quarantine or reject.`,
        );
    }
  });
}
