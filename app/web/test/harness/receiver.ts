import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gunzipSync } from "node:zlib";

// A stand-in for Grafana Cloud's OTLP endpoint and Sentry's envelope endpoint, on loopback:
// it records every request it is sent and answers as told (accept, refuse, or never answer),
// so the tests can read exactly what the app sends out and break the collector at will.

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Mode = "accept" | "refuse" | "hang";

export interface Receiver {
  url: string;
  received: Received[];
  mode: Mode;
  /** Resolves with the first request matching `pred`, or rejects after `timeoutMs`. */
  waitFor(pred: (r: Received) => boolean, timeoutMs?: number): Promise<Received>;
  close(): Promise<void>;
}

export async function startReceiver(mode: Mode = "accept"): Promise<Receiver> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const waiters: { pred: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];
  const state = { mode };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let raw = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") raw = gunzipSync(raw);
      const r: Received = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: raw.toString("utf8"),
        at: performance.now(),
      };
      received.push(r);
      for (const w of [...waiters]) {
        if (w.pred(r)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(r);
        }
      }
      if (state.mode === "hang") return; // never answers; the socket is destroyed on close()
      if (state.mode === "refuse") {
        res.writeHead(503, { "content-type": "text/plain" }).end("unavailable");
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    get mode() {
      return state.mode;
    },
    set mode(m: Mode) {
      state.mode = m;
    },
    waitFor(pred, timeoutMs = 5000) {
      const found = received.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve };
        waiters.push(w);
        setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(new Error(`no matching request within ${timeoutMs} ms`));
          }
        }, timeoutMs).unref();
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Every string value anywhere in an OTLP JSON payload (attribute values, names, ids). */
export function otlpStrings(body: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(JSON.parse(body));
  return out;
}
