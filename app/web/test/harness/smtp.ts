import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

// A real SMTP server on loopback that keeps every message it is sent, so the tests read the mail
// exactly as SES would receive it (envelope, headers, MIME parts), and can be stopped to play a
// mail-service outage.

export interface ReceivedMail {
  from: string;
  to: string[];
  user: string | undefined;
  raw: string;
  headers: Record<string, string>;
  text: string;
  html: string;
}

export interface SmtpSink {
  port: number;
  user: string;
  password: string;
  mails: ReceivedMail[];
  /** Resolves with the first mail to `to` (compared without case), or rejects after `timeoutMs`. */
  waitFor(to: string, timeoutMs?: number): Promise<ReceivedMail>;
  /** Accepts each later message only after `ms`, as a slow relay would (0: at once). */
  slowDown(ms: number): void;
  close(): Promise<void>;
}

function decodeQp(s: string): string {
  const bytes = Buffer.from(
    s
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    "latin1",
  );
  return bytes.toString("utf8");
}

function splitHeaders(part: string): { headers: Record<string, string>; body: string } {
  const at = part.indexOf("\r\n\r\n");
  const head = part.slice(0, at).replace(/\r\n[ \t]+/g, " ");
  const headers: Record<string, string> = {};
  for (const line of head.split("\r\n")) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body: part.slice(at + 4) };
}

function decodeBody(headers: Record<string, string>, body: string): string {
  const enc = (headers["content-transfer-encoding"] ?? "7bit").toLowerCase();
  if (enc === "quoted-printable") return decodeQp(body);
  if (enc === "base64") return Buffer.from(body, "base64").toString("utf8");
  return body;
}

/** Headers plus the text/plain and text/html parts of a (possibly multipart) message. */
export function parseMail(raw: string) {
  const { headers, body } = splitHeaders(raw);
  let text = "";
  let html = "";
  const boundary = /boundary="?([^";]+)"?/i.exec(headers["content-type"] ?? "")?.[1];
  const parts = boundary
    ? body
        .split(`--${boundary}`)
        .slice(1, -1)
        .map((p) => splitHeaders(p.replace(/^\r\n/, "")))
    : [{ headers, body }];
  for (const p of parts) {
    const type = (p.headers["content-type"] ?? "text/plain").toLowerCase();
    if (type.startsWith("text/plain")) text = decodeBody(p.headers, p.body);
    if (type.startsWith("text/html")) html = decodeBody(p.headers, p.body);
  }
  return { headers, text, html };
}

/** Whether `mail` went to `address`; case is ignored, as mail systems do in practice. */
export const sentTo = (mail: ReceivedMail, address: string) =>
  mail.to.some((t) => t.toLowerCase() === address.toLowerCase());

export async function startSmtp(): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const waiters: { to: string; resolve: (m: ReceivedMail) => void }[] = [];
  const user = "AKIATESTSMTPUSER";
  const password = "smtp-test-password-0000";
  let acceptDelayMs = 0;
  const server = new SMTPServer({
    // Loopback only, no certificate: the app is told SMTP_REQUIRE_TLS=false for this server.
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authMethods: ["PLAIN", "LOGIN"],
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === password) return cb(null, { user });
      return cb(new Error("535 Authentication credentials invalid"));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const mail: ReceivedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === "string" ? session.user : undefined,
          raw,
          ...parseMail(raw),
        };
        setTimeout(() => {
          mails.push(mail);
          for (const w of [...waiters]) {
            if (sentTo(mail, w.to)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(mail);
            }
          }
          cb();
        }, acceptDelayMs);
      });
    },
    logger: false,
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    user,
    password,
    mails,
    waitFor(to, timeoutMs = 5000) {
      const found = mails.find((m) => sentTo(m, to));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { to, resolve };
        waiters.push(w);
        setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(new Error(`no mail within ${timeoutMs} ms`));
          }
        }, timeoutMs).unref();
      });
    },
    slowDown(ms) {
      acceptDelayMs = ms;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
