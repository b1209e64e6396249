import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BodyTooLargeError, ClientAbortedError, readBody } from "../src/body";

// The reader on each of its three paths: the Node stream (@hono/node-server), a body the host
// buffered beforehand (rawBody), and the web Request (app.request, other runtimes).
const LIMIT = 1024;
const app = new Hono();
const outcomes: string[] = [];
app.post("/echo", async (c) => {
  try {
    const body = await readBody(c, LIMIT);
    outcomes.push("read");
    return c.json({ bytes: body.length, text: body.toString("utf8") });
  } catch (err) {
    outcomes.push(err instanceof Error ? err.name : "unknown");
    if (err instanceof BodyTooLargeError) return c.json({ error: "too_large" }, 413);
    if (err instanceof ClientAbortedError) return c.json({ error: "client_closed" }, 400);
    throw err;
  }
});

let server: Server;
let buffered: Server;
const listener = getRequestListener(app.fetch);
beforeAll(async () => {
  server = createServer(listener);
  // A host that reads the body before the app runs, as some serverless runtimes do.
  buffered = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      (req as typeof req & { rawBody: Buffer }).rawBody = Buffer.concat(chunks);
      void listener(req, res);
    });
  });
  await Promise.all(
    [server, buffered].map((s) => new Promise<void>((r) => s.listen(0, "127.0.0.1", r))),
  );
});
afterAll(async () => {
  await Promise.all([server, buffered].map((s) => new Promise((r) => s.close(r))));
});

function post(
  target: Server,
  chunks: string[],
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const { port } = target.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, path: "/echo", method: "POST", headers },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on("error", reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe("readBody", () => {
  it("reads a Node stream body, declared or chunked, byte for byte", async () => {
    const text = "héllo ".repeat(100); // multi-byte characters split across chunks
    const declared = await post(server, [text], {
      "content-length": String(Buffer.byteLength(text)),
    });
    expect(declared).toEqual({ status: 200, body: { bytes: Buffer.byteLength(text), text } });
    const chunked = await post(server, [text.slice(0, 7), text.slice(7)], {
      "transfer-encoding": "chunked",
    });
    expect(chunked.body.text).toBe(text);
  });

  it("refuses a Node stream body over the limit, declared or chunked", async () => {
    const big = "x".repeat(LIMIT + 1);
    expect((await post(server, [big], { "content-length": String(big.length) })).status).toBe(413);
    const chunks = Array.from({ length: 8 }, () => "y".repeat(300));
    expect((await post(server, chunks, { "transfer-encoding": "chunked" })).status).toBe(413);
    // Exactly at the limit is allowed.
    const edge = "z".repeat(LIMIT);
    expect((await post(server, [edge], { "transfer-encoding": "chunked" })).body.bytes).toBe(LIMIT);
  });

  it("settles, instead of waiting forever, when the client disconnects mid-body", async () => {
    const { port } = server.address() as AddressInfo;
    const before = outcomes.length;
    const req = httpRequest({
      host: "127.0.0.1",
      port,
      path: "/echo",
      method: "POST",
      headers: { "transfer-encoding": "chunked" },
    });
    req.on("error", () => {}); // the socket is destroyed on purpose
    req.write("partial");
    await new Promise((r) => setTimeout(r, 50));
    req.destroy();
    await expect
      .poll(() => outcomes.slice(before), { timeout: 5000 })
      .toEqual(["ClientAbortedError"]);
  });

  it("uses a body the host already buffered, with the same limit", async () => {
    expect((await post(buffered, ["buffered"])).body).toEqual({ bytes: 8, text: "buffered" });
    const big = "x".repeat(LIMIT + 1);
    expect((await post(buffered, [big], { "transfer-encoding": "chunked" })).status).toBe(413);
  });

  it("reads a web Request body, with the same limit", async () => {
    const ok = await app.request("/echo", { method: "POST", body: "web body" });
    expect(await ok.json()).toEqual({ bytes: 8, text: "web body" });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(new Uint8Array(300));
        controller.close();
      },
    });
    const big = await app.request("/echo", {
      method: "POST",
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(big.status).toBe(413);
  });
});
