import type { DestinationStream } from "pino";

// How `npm run dev` shows its logs. A person at a terminal reads lines such as
//   14:02:07  postgres: PGlite ready in 2.4 s
//   14:02:11  POST /api/audits 201 18 ms
// while a pipe or a file gets pino's JSON, one object per line, for tools. ARA_DEV_LOG=pretty or
// ARA_DEV_LOG=json overrides the choice.

export type DevLogFormat = "pretty" | "json";

export function devLogFormat(
  env: Record<string, string | undefined>,
  isTTY: boolean,
): DevLogFormat {
  if (env.ARA_DEV_LOG === "pretty" || env.ARA_DEV_LOG === "json") return env.ARA_DEV_LOG;
  if (env.ARA_DEV_LOG) {
    throw new Error(
      `ARA_DEV_LOG must be "pretty" or "json" (got "${env.ARA_DEV_LOG}"); unset it to choose by terminal`,
    );
  }
  return isTTY ? "pretty" : "json";
}

// Carried by every line, or shown another way; the trace and request ids are for following a
// request through deployed logs, noise on a terminal.
const OMIT = new Set([
  "level",
  "time",
  "service",
  "msg",
  "pid",
  "hostname",
  "request_id",
  "trace_id",
  "span_id",
]);
const LEVEL_LABEL: Record<string, [string, string]> = {
  warn: ["WARN", "\x1b[33m"],
  error: ["ERROR", "\x1b[31m"],
  fatal: ["FATAL", "\x1b[31m"],
};

function clock(time: unknown): string {
  const d = typeof time === "string" || typeof time === "number" ? new Date(time) : new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function value(v: unknown): string {
  if (typeof v === "string") return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

// One pino JSON line as one readable line. Anything that is not a JSON object passes unchanged.
export function formatLine(line: string, color = false): string {
  let o: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return line;
    o = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const paint = (code: string, s: string) => (color ? `${code}${s}\x1b[0m` : s);
  const parts = [paint("\x1b[2m", clock(o.time))];
  const level = LEVEL_LABEL[String(o.level)];
  if (level) parts.push(paint(level[1], level[0]));
  const shown = new Set(OMIT);
  if (o.msg === "request" && typeof o.method === "string") {
    // The access log: the request itself is the message.
    parts.push(`${o.method} ${String(o.route)} ${String(o.status)} ${String(o.ms)} ms`);
    for (const k of ["method", "route", "status", "ms"]) shown.add(k);
  } else if (typeof o.msg === "string") {
    parts.push(o.msg);
  }
  const err = o.err as { type?: string; message?: string; code?: string } | undefined;
  if (err && typeof err === "object") {
    parts.push(
      paint(
        level?.[1] ?? "",
        `${err.type ?? "Error"}${err.code ? ` ${err.code}` : ""}: ${err.message ?? ""}`,
      ),
    );
    shown.add("err");
  }
  const fields = Object.entries(o)
    .filter(([k]) => !shown.has(k))
    .map(([k, v]) => `${k}=${value(v)}`);
  if (fields.length) parts.push(paint("\x1b[2m", fields.join(" ")));
  return parts.join("  ");
}

export function prettyDestination(
  out: { write(s: string): unknown },
  color: boolean,
): DestinationStream {
  return {
    write(chunk: string) {
      for (const line of chunk.split("\n")) if (line) out.write(formatLine(line, color) + "\n");
    },
  };
}
