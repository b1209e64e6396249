import nodemailer from "nodemailer";
import type { Config } from "./config";
import { withTimeout } from "./telemetry";

// Outgoing mail. Production sends through Amazon SES's SMTP interface (docs/decisions/0015),
// with credentials from components/email; without SMTP_HOST the app has no mail and the mail
// routes say so. `npm run dev` hands in a transport that prints each mail (src/local/dev-mail.ts).

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /** False when no mail service is configured: mail routes answer 503 instead of trying. */
  readonly enabled: boolean;
  /** Sends one mail or rejects (service down, refused, timed out); never logs the address. */
  send(mail: Mail): Promise<void>;
}

export class MailUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MailUnavailableError";
  }
}

export const disabledMailer: Mailer = {
  enabled: false,
  send: () =>
    Promise.reject(
      new MailUnavailableError(
        "email is not configured: set SMTP_HOST, SMTP_USER, SMTP_PASSWORD, MAIL_FROM and APP_URL",
      ),
    ),
};

export function createSmtpMailer(config: Config): Mailer {
  if (!config.SMTP_HOST || !config.MAIL_FROM) return disabledMailer;
  const from = config.MAIL_FROM;
  const transport = nodemailer.createTransport({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    // 465 is TLS from the first byte; 587 upgrades with STARTTLS, which requireTLS insists on
    // so credentials never cross the network in clear text.
    secure: config.SMTP_PORT === 465,
    requireTLS: config.SMTP_REQUIRE_TLS,
    ...(config.SMTP_USER ? { auth: { user: config.SMTP_USER, pass: config.SMTP_PASSWORD } } : {}),
    // A request waits for the send: a dead server must fail it in seconds, not minutes.
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 10_000,
    // Nothing in a mail is ever read from disk or fetched from a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    enabled: true,
    async send(mail) {
      try {
        await withTimeout(
          transport.sendMail({
            from,
            to: mail.to,
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
          }),
          15_000,
        );
      } catch (err) {
        // SMTP replies can quote the recipient; keep only what says what went wrong.
        const code = (err as { code?: unknown }).code;
        const e = new MailUnavailableError(
          `the mail service did not accept the message${typeof code === "string" ? ` (${code})` : ""}`,
        );
        throw e;
      }
    },
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// No tracking: no pixels, no rewritten links, no remote images. The subject names no person and
// no organization (subjects show on lock screens and in notifications).
function layout(title: string, paragraphs: string[], link: { href: string; label: string }) {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;color:#1b1b24;max-width:36rem">
<h1 style="font-size:1.25rem">${escapeHtml(title)}</h1>
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("\n")}
<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>
<p style="color:#4b4b5a;font-size:.9rem">If you did not ask for this email, you can ignore it.</p>
</body></html>`;
  const text = `${title}\n\n${paragraphs.join("\n\n")}\n\n${link.label}: ${link.href}\n\nIf you did not ask for this email, you can ignore it.\n`;
  return { html, text };
}

export function reportMail(to: string, organization: string, link: string, days: number): Mail {
  const title = "Your Agent Readiness report";
  return {
    to,
    subject: title,
    ...layout(
      title,
      [
        `Here is the readiness report for ${organization}.`,
        `The link below works for ${days} days; each time you open it, it prepares a fresh download.`,
      ],
      { href: link, label: "Download the PDF report" },
    ),
  };
}

export function recoveryMail(to: string, link: string, minutes: number): Mail {
  const title = "Recover your Agent Readiness audits";
  return {
    to,
    subject: title,
    ...layout(
      title,
      [
        "Someone (hopefully you) asked to open the audits made with this email address on another device.",
        `The link below works once, within ${minutes} minutes.`,
      ],
      { href: link, label: "Recover my audits" },
    ),
  };
}
