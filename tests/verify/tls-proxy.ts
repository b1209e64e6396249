import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as path from "node:path";

/**
 * A stand-in for Cloudflare's edge in front of a local service: HTTPS with a self-signed
 * certificate, minimum TLS 1.2, and the HSTS header the zone adds (components/edge). `hsts:
 * false` is the broken variant: a zone whose HSTS setting is off.
 */
export interface TlsProxy {
  url: string;
  close(): Promise<void>;
}

/** A throwaway certificate for 127.0.0.1, made with the system's openssl. */
export function selfSignedCertificate(dir: string): {
  key: Buffer;
  cert: Buffer;
  certFile: string;
} {
  const key = path.join(dir, "key.pem");
  const cert = path.join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  return { key: readFileSync(key), cert: readFileSync(cert), certFile: cert };
}

export async function startTlsProxy(
  target: string,
  tls: { key: Buffer; cert: Buffer },
  options: { hsts: boolean },
): Promise<TlsProxy> {
  const upstream = new URL(target);
  const server = https.createServer({ ...tls, minVersion: "TLSv1.2" }, (req, res) => {
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: upstream.host },
      },
      (up) => {
        const headers = { ...up.headers };
        if (options.hsts) headers["strict-transport-security"] = "max-age=31536000";
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res);
      },
    );
    forward.on("error", () => {
      // What Cloudflare answers when the origin refuses the connection.
      res.writeHead(521, { "content-type": "text/plain" });
      res.end("origin is down");
    });
    req.pipe(forward);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
