import * as http from "node:http";
import * as https from "node:https";
import type { TLSSocket } from "node:tls";

/**
 * The post-deploy health gate's checks: the endpoints Cloudflare's health checks probe, the
 * edge's TLS and HSTS on both hosts, the page's security headers, and one real round trip
 * through the API (session → audit → report → download). Each check is retried until it passes
 * or the shared deadline runs out, so a deployment that is still warming up is not failed early.
 */

export interface Target {
  /** The app, e.g. https://app.<domain>. */
  appUrl: string;
  /** The signer's host, e.g. https://api.<domain>. */
  apiUrl: string;
  /** Extra CA certificates to trust (a test's self-signed proxy). */
  ca?: Buffer;
}

export interface CheckResult {
  name: string;
  status: "pass" | "fail" | "skip";
  /** What was seen; for a failure, the cause and what to do about it. */
  detail: string;
  attempts: number;
}

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** "TLSv1.3", or null over plain HTTP. */
  tls: string | null;
}

/** One HTTP(S) request on a fresh connection, so the TLS version seen is this request's. */
export function request(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    ca?: Buffer;
    timeoutMs?: number;
  } = {},
): Promise<Response> {
  const u = new URL(url);
  const secure = u.protocol === "https:";
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      u,
      {
        method: options.method ?? "GET",
        headers: {
          "user-agent": "ara-verify",
          ...(options.body !== undefined
            ? {
                "content-type": "application/json",
                "content-length": Buffer.byteLength(options.body),
              }
            : {}),
          ...options.headers,
        },
        agent: false,
        timeout: options.timeoutMs ?? 10_000,
        ...(secure && options.ca ? { ca: options.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            tls: secure ? ((res.socket as TLSSocket).getProtocol?.() ?? null) : null,
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () =>
      req.destroy(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms`)),
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** A check's failure: the message names the cause and, where known, the fix. */
export class CheckFailed extends Error {}

type Check = { name: string; run: () => Promise<string | { skip: string }> };

const json = (r: Response): any => {
  try {
    return JSON.parse(r.body.toString("utf8"));
  } catch {
    return undefined;
  }
};

function describeError(err: unknown, url: string): string {
  const e = err as NodeJS.ErrnoException;
  if (err instanceof CheckFailed) return e.message;
  if (e.code === "ECONNREFUSED") return `nothing answers at ${url} (connection refused)`;
  if (e.code === "ENOTFOUND") return `${new URL(url).hostname} does not resolve (DNS)`;
  if (e.code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(e.code))
    return `the TLS certificate of ${new URL(url).host} is not trusted (${e.code})`;
  return `${url}: ${e.message}`;
}

function expectStatus(r: Response, want: number, what: string): void {
  if (r.status === want) return;
  const body = json(r);
  const said = body?.message ?? body?.error ?? r.body.toString("utf8").slice(0, 200);
  throw new CheckFailed(`${what} answered ${r.status}, not ${want}${said ? `: ${said}` : ""}`);
}

const TLS_ORDER = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

export function buildChecks(t: Target): Check[] {
  const get = (url: string) => request(url, { ca: t.ca });
  const hosts = [
    { label: "app", url: t.appUrl },
    { label: "api", url: t.apiUrl },
  ];
  let page: Response | undefined;

  const checks: Check[] = [
    {
      name: "app /api/health",
      run: async () => {
        const r = await get(`${t.appUrl}/api/health`);
        expectStatus(r, 200, "GET /api/health");
        return "200 ok";
      },
    },
    {
      name: "app /api/ready",
      run: async () => {
        const r = await get(`${t.appUrl}/api/ready`);
        if (r.status === 503) {
          const failed: string[] = json(r)?.failed ?? [];
          const look = failed
            .map((f) => (f === "signer" ? "the signer's /r2/health" : `/api/health/${f}`))
            .join(", ");
          throw new CheckFailed(
            `GET /api/ready answered 503: ${json(r)?.message ?? "not ready"}` +
              (look ? `. Look at ${look}, then docs/operations.md "Health and diagnosis"` : ""),
          );
        }
        expectStatus(r, 200, "GET /api/ready");
        return "200: database, redis and signer answer";
      },
    },
    {
      name: "api /r2/health",
      run: async () => {
        const r = await get(`${t.apiUrl}/r2/health`);
        expectStatus(r, 200, "GET /r2/health (the signer)");
        return "200 ok";
      },
    },
    ...hosts.flatMap(({ label, url }): Check[] => [
      {
        name: `${label} TLS ≥ 1.2`,
        run: async () => {
          if (!url.startsWith("https://")) return { skip: `${url} is plain HTTP` };
          const r = await get(`${url}/`);
          const v = r.tls ?? "none";
          if (TLS_ORDER.indexOf(v) < TLS_ORDER.indexOf("TLSv1.2"))
            throw new CheckFailed(
              `${new URL(url).host} negotiated ${v}; set the zone's minimum TLS version to 1.2 (ara:edge.minTlsVersion)`,
            );
          return v;
        },
      },
      {
        name: `${label} HSTS`,
        run: async () => {
          if (!url.startsWith("https://")) return { skip: `${url} is plain HTTP` };
          const r = await get(`${url}/`);
          const hsts = r.headers["strict-transport-security"];
          const maxAge = Number(/max-age=(\d+)/i.exec(String(hsts ?? ""))?.[1] ?? 0);
          if (!hsts)
            throw new CheckFailed(
              `${new URL(url).host} sends no Strict-Transport-Security header; the zone's HSTS setting (ara:edge.hsts, components/edge) is off or the request bypassed Cloudflare`,
            );
          if (maxAge <= 0)
            throw new CheckFailed(
              `${new URL(url).host} sends HSTS with max-age=${maxAge}: "${hsts}"`,
            );
          return String(hsts);
        },
      },
    ]),
    {
      name: "app security headers",
      run: async () => {
        page = await get(`${t.appUrl}/`);
        expectStatus(page, 200, "GET /");
        const h = page.headers;
        const missing = [
          !String(h["content-security-policy"] ?? "").includes("default-src") &&
            "Content-Security-Policy (with default-src)",
          String(h["x-content-type-options"] ?? "").toLowerCase() !== "nosniff" &&
            "X-Content-Type-Options: nosniff",
          !h["referrer-policy"] && "Referrer-Policy",
        ].filter(Boolean);
        if (missing.length)
          throw new CheckFailed(
            `GET / lacks ${missing.join(", ")}; the app sets them (app/web/src/app.ts, and the route headers in app/web/build.mjs for Vercel)`,
          );
        return "CSP, X-Content-Type-Options, Referrer-Policy";
      },
    },
    {
      name: "round trip: session → audit → report → download",
      run: async () => {
        const call = async (method: string, path: string, body?: unknown, token?: string) =>
          request(`${t.appUrl}${path}`, {
            method,
            ca: t.ca,
            body: body === undefined ? undefined : JSON.stringify(body),
            headers: token ? { authorization: `Bearer ${token}` } : {},
          });
        const session = await call("POST", "/api/sessions");
        expectStatus(session, 201, "POST /api/sessions");
        const token = json(session)?.accessToken as string;
        const ids = questionIds((page ?? (await get(`${t.appUrl}/`))).body.toString("utf8"));
        const audit = await call(
          "POST",
          "/api/audits",
          {
            organization: "ARA post-deploy verification",
            answers: Object.fromEntries(ids.map((id) => [id, 2])),
          },
          token,
        );
        expectStatus(audit, 201, "POST /api/audits");
        const id = json(audit)?.id as string;
        const report = await call("POST", `/api/audits/${id}/report`, undefined, token);
        expectStatus(report, 201, `POST /api/audits/${id}/report`);
        const url = json(report)?.downloadUrl as string;
        const pdf = await get(url);
        expectStatus(pdf, 200, "GET of the signed download URL");
        if (pdf.body.subarray(0, 4).toString("latin1") !== "%PDF")
          throw new CheckFailed(
            `the downloaded report does not start with %PDF (got ${JSON.stringify(pdf.body.subarray(0, 16).toString("latin1"))})`,
          );
        return `audit ${id}: a ${pdf.body.length}-byte PDF`;
      },
    },
  ];
  return checks;
}

/** The question ids from the page's embedded questionnaire, as the browser reads them. */
export function questionIds(html: string): string[] {
  const m = /<script id="questionnaire" type="application\/json">([\s\S]*?)<\/script>/.exec(html);
  if (!m)
    throw new CheckFailed(
      'GET / has no <script id="questionnaire"> element; is this the ARA app (app/web/src/page.ts)?',
    );
  const data = JSON.parse(m[1]!) as { categories: { questions: { id: string }[] }[] };
  return data.categories.flatMap((c) => c.questions.map((q) => q.id));
}

/** Runs every check in order, retrying a failing one until it passes or `deadline` passes. */
export async function runChecks(
  t: Target,
  deadline: number,
  retryDelayMs = 2000,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of buildChecks(t)) {
    let attempts = 0;
    for (;;) {
      attempts++;
      try {
        const out = await check.run();
        results.push(
          typeof out === "string"
            ? { name: check.name, status: "pass", detail: out, attempts }
            : { name: check.name, status: "skip", detail: out.skip, attempts },
        );
        break;
      } catch (err) {
        const url = check.name.startsWith("api") ? t.apiUrl : t.appUrl;
        if (Date.now() + retryDelayMs >= deadline) {
          results.push({
            name: check.name,
            status: "fail",
            detail: describeError(err, url),
            attempts,
          });
          break;
        }
        await new Promise((r) => setTimeout(r, retryDelayMs));
      }
    }
  }
  return results;
}
