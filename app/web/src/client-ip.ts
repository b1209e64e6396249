import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";

// Trust model (docs/app.md): behind a proxy that overwrites X-Forwarded-For / X-Real-IP with the
// address it saw (Vercel does), the first hop of X-Forwarded-For is the client. Anywhere else
// those headers are attacker-controlled, so the socket address is used.

const socketAddress = (c: Context): string | undefined => {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
};

const normalise = (ip: string) =>
  ip
    .trim()
    .replace(/^::ffff:/, "")
    .slice(0, 64);

export function fromHeaders(c: Context): string {
  const xff = c.req.header("x-forwarded-for");
  const first = xff?.split(",")[0]?.trim();
  if (first) return normalise(first);
  const real = c.req.header("x-real-ip")?.trim();
  if (real) return normalise(real);
  return normalise(socketAddress(c) ?? "unknown");
}

export function fromSocket(c: Context): string {
  return normalise(socketAddress(c) ?? "unknown");
}

/**
 * The address a named header carries (e.g. Cloudflare's CF-Connecting-IP), for an app that
 * is reachable only through that proxy; without the header, the usual proxy headers.
 */
export const fromHeader =
  (name: string) =>
  (c: Context): string => {
    const value = c.req.header(name)?.split(",")[0]?.trim();
    return value ? normalise(value) : fromHeaders(c);
  };

export const clientIpResolver = (trustProxy: boolean) => (trustProxy ? fromHeaders : fromSocket);
