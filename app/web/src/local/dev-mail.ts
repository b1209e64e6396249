import type { Mail, Mailer } from "../mail";

// `npm run dev` has no mail service: this transport prints each mail to the terminal instead,
// with its links, so a person can follow "Email me the report" and "Recover my audits" end to
// end. Development only: production sends through SES (src/mail.ts), and nothing here is
// imported by server.ts or vercel.ts (test/architecture.test.ts keeps src/local/ out of them).

/** A mail as a block of text: the headers a reader needs, then the plain-text body. */
export function formatDevMail(mail: Mail, from: string): string {
  const rule = "-".repeat(72);
  return [
    rule,
    "dev mail (printed, not sent)",
    `From: ${from}`,
    `To: ${mail.to}`,
    `Subject: ${mail.subject}`,
    "",
    mail.text.trimEnd(),
    rule,
    "",
  ].join("\n");
}

export function printingMailer(
  write: (text: string) => void,
  from = "ara@localhost.test",
): Mailer & { sent: Mail[] } {
  const sent: Mail[] = [];
  return {
    enabled: true,
    sent,
    async send(mail) {
      sent.push(mail);
      write(formatDevMail(mail, from));
    },
  };
}
