import { connect } from "node:net";
import type { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import contract from "../contract.json";
import { MAX_KEY_BYTES } from "../src/keys";
import { signUrl } from "../src/signing";
import { expectBytes, expectError } from "./helpers/assert";
import {
  auth,
  bytes,
  ORIGIN,
  requestDownload,
  requestUpload,
  SIGNER_TOKEN,
  SIGNING_KEY,
  signerBindings,
  snapshot,
  startSigner,
} from "./helpers/signer";

const PDF = "application/pdf";
let mf: Miniflare;

// Waits for workerd to be up: the TTL tests compare the worker's clock with the test's, and a
// start-up on a busy machine would otherwise land inside the first request's measurement.
beforeAll(async () => {
  mf = startSigner();
  await mf.ready;
});
afterAll(async () => {
  await mf.dispose();
});

const post = (body: unknown, headers: Record<string, string> = auth) =>
  mf.dispatchFetch(`${ORIGIN}/r2/upload`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

async function bucket() {
  return mf.getR2Bucket(contract.bindings.bucket);
}

/** Runs `act` and asserts the bucket holds exactly what it held before. */
async function expectUnchanged(act: () => Promise<void>) {
  const before = await snapshot(mf);
  await act();
  expect(await snapshot(mf)).toEqual(before);
}

/** A PUT of `body` to a signed URL, stating the PDF type as the web app does. */
function putPdf(url: string, body: Uint8Array, worker: Miniflare = mf) {
  return worker.dispatchFetch(url, { method: "PUT", headers: { "content-type": PDF }, body });
}

async function putSigned(
  grant: { url: string; headers: Record<string, string> },
  body: Uint8Array,
) {
  return mf.dispatchFetch(grant.url, { method: "PUT", headers: grant.headers, body });
}

describe("POST /r2/upload", () => {
  it("signs a PUT URL for a generated reports/<uuid> key", async () => {
    const before = Date.now();
    const res = await post({ contentType: PDF, contentLength: 1234 });
    expect(res.status).toBe(200);
    const grant = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(grant).sort()).toEqual(["expiresAt", "headers", "key", "method", "url"]);
    expect(grant.key).toMatch(
      /^reports\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(grant.method).toBe("PUT");
    expect(grant.headers).toEqual({});
    const url = new URL(grant.url as string);
    expect(url.origin).toBe(ORIGIN);
    expect(url.pathname).toBe(`/r2/object/${grant.key as string}`);
    const expiresAt = Date.parse(grant.expiresAt as string);
    expect(grant.expiresAt).toBe(new Date(expiresAt).toISOString());
    // Default TTL (900 s), give or take the second boundary.
    expect(expiresAt - before).toBeGreaterThan((contract.defaults.URL_TTL_SECONDS - 2) * 1000);
    expect(expiresAt - before).toBeLessThanOrEqual((contract.defaults.URL_TTL_SECONDS + 1) * 1000);
  });

  it("uses the caller's key and normalizes the content type", async () => {
    const grant = await requestUpload(mf, {
      contentType: " Application/PDF ",
      contentLength: 10,
      key: "tenants/acme/2026 report (final).pdf",
    });
    expect(grant.key).toBe("tenants/acme/2026 report (final).pdf");
    expect(grant.headers).toEqual({});
    expect(new URL(grant.url).pathname).toBe("/r2/object/tenants/acme/2026%20report%20(final).pdf");
  });

  it("issues a different key for every call", async () => {
    const keys = new Set<string>();
    for (let i = 0; i < 5; i++)
      keys.add((await requestUpload(mf, { contentType: PDF, contentLength: 1 })).key);
    expect(keys.size).toBe(5);
  });

  it.each([
    ["no header", {}],
    ["wrong token", { authorization: `Bearer ${SIGNER_TOKEN}x` }],
    ["token prefix", { authorization: `Bearer ${SIGNER_TOKEN.slice(0, -1)}` }],
    ["other scheme", { authorization: `Basic ${SIGNER_TOKEN}` }],
    ["bare token", { authorization: SIGNER_TOKEN }],
    ["empty bearer", { authorization: "Bearer " }],
  ])("refuses %s with 401", async (_name, headers) => {
    const res = await post(
      { contentType: PDF, contentLength: 1 },
      headers as Record<string, string>,
    );
    await expectError(res, 401, "unauthorized");
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("accepts the bearer scheme in any case", async () => {
    const res = await post(
      { contentType: PDF, contentLength: 1 },
      { authorization: `bearer ${SIGNER_TOKEN}` },
    );
    expect(res.status).toBe(200);
  });

  it.each([
    ["text/html", "unsupported_content_type"],
    ["application/pdf; charset=binary", "unsupported_content_type"],
    ["", "unsupported_content_type"],
    [42, "unsupported_content_type"],
  ])("refuses content type %j with 400", async (contentType, code) => {
    await expectError(await post({ contentType, contentLength: 1 }), 400, code);
  });

  it.each([0, -1, 1.5, "10", null, contract.defaults.MAX_UPLOAD_BYTES + 1, 2 ** 60])(
    "refuses content length %j with 400",
    async (contentLength) => {
      await expectError(
        await post({ contentType: PDF, contentLength }),
        400,
        "invalid_content_length",
      );
    },
  );

  it("accepts exactly the maximum length", async () => {
    const grant = await requestUpload(mf, {
      contentType: PDF,
      contentLength: contract.defaults.MAX_UPLOAD_BYTES,
    });
    expect(new URL(grant.url).searchParams.get("len")).toBe(
      String(contract.defaults.MAX_UPLOAD_BYTES),
    );
  });

  it("refuses a missing content length", async () => {
    await expectError(await post({ contentType: PDF }), 400, "invalid_content_length");
  });

  it.each([
    "../etc/passwd",
    "a/../b",
    "a/./b",
    "..",
    "/abs",
    "a//b",
    "a/",
    "",
    "a\u0000b",
    "a\nb",
    "a\u007fb",
    "a\u0085b",
    "a\u202eb",
    "a\u200bb",
    "a\ud800b",
    "é".repeat(MAX_KEY_BYTES / 2) + "x",
    "x".repeat(MAX_KEY_BYTES + 1),
    7,
  ])("refuses key %j with 400", async (key) => {
    await expectError(await post({ contentType: PDF, contentLength: 1, key }), 400, "invalid_key");
  });

  it("accepts a key of exactly 512 UTF-8 bytes", async () => {
    const key = "é".repeat(MAX_KEY_BYTES / 2);
    expect((await requestUpload(mf, { contentType: PDF, contentLength: 1, key })).key).toBe(key);
  });

  it.each(["{", "", "not json", '{"contentType":', "\u00ff"])(
    "refuses malformed JSON %j with 400",
    async (body) => {
      await expectError(await post(body), 400, "invalid_json");
    },
  );

  it.each(["[]", "null", '"text"', "3"])(
    "refuses JSON %s that is not an object with 400",
    async (body) => {
      await expectError(await post(body), 400, "invalid_request");
    },
  );

  it("refuses a JSON body over 16 KiB with 413", async () => {
    const res = await post({ contentType: PDF, contentLength: 1, pad: "x".repeat(17 * 1024) });
    await expectError(res, 413, "payload_too_large");
  });

  it("checks the token before looking at the body", async () => {
    await expectError(await post("{", {}), 401, "unauthorized");
  });
});

describe("signed PUT and GET", () => {
  it("stores the exact bytes and type, then serves them back", async () => {
    const data = bytes(70_000, 7);
    const grant = await requestUpload(mf, { contentType: PDF, contentLength: data.length });
    const put = await putSigned(grant, data);
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ key: grant.key, size: data.length });

    const stored = await (await bucket()).get(grant.key);
    expect(stored).not.toBeNull();
    expect(stored?.httpMetadata?.contentType).toBe(PDF);
    expectBytes(new Uint8Array(await stored!.arrayBuffer()), data);

    const dl = await requestDownload(mf, grant.key);
    expect(Object.keys(dl).sort()).toEqual(["expiresAt", "key", "method", "url"]);
    expect(dl.method).toBe("GET");
    expect(dl.key).toBe(grant.key);
    expect(new URL(dl.url).origin).toBe(ORIGIN);
    expect(dl.expiresAt).toBe(new Date(Date.parse(dl.expiresAt)).toISOString());
    const get = await mf.dispatchFetch(dl.url);
    expect(get.status).toBe(200);
    expect(get.headers.get("content-type")).toBe(PDF);
    expect(get.headers.get("x-content-type-options")).toBe("nosniff");
    expectBytes(new Uint8Array(await get.arrayBuffer()), data);
  });

  it("round-trips keys with spaces, unicode and URL-special characters", async () => {
    for (const key of ["a b/c+d/e%20f", "ünï/cødé/文件.pdf", "q?x=1&y=#frag", "it's (1)!*~"]) {
      const data = bytes(33, key.length);
      const grant = await requestUpload(mf, { contentType: PDF, contentLength: data.length, key });
      expect((await putSigned(grant, data)).status).toBe(200);
      const obj = await (await bucket()).get(key);
      expect(new Uint8Array(await obj!.arrayBuffer())).toEqual(data);
      const get = await mf.dispatchFetch((await requestDownload(mf, key)).url);
      expectBytes(new Uint8Array(await get.arrayBuffer()), data);
    }
  });

  it("accepts a URL signed in Node with the same key (one signing scheme)", async () => {
    const data = bytes(5, 3);
    const url = await signUrl(SIGNING_KEY, {
      method: "PUT",
      origin: ORIGIN,
      key: "node-signed/x.pdf",
      expires: Math.floor(Date.now() / 1000) + 60,
      contentType: PDF,
      contentLength: 5,
    });
    const res = await putPdf(url, data);
    expect(res.status).toBe(200);
    expect((await (await bucket()).head("node-signed/x.pdf"))?.size).toBe(5);
  });

  it("answers 404 for a signed GET whose object was deleted", async () => {
    const grant = await requestUpload(mf, { contentType: PDF, contentLength: 3 });
    await putSigned(grant, bytes(3));
    const dl = await requestDownload(mf, grant.key);
    await (await bucket()).delete(grant.key);
    await expectError(await mf.dispatchFetch(dl.url), 404, "object_not_found");
  });
});

describe("refused signed requests change nothing", () => {
  const LEN = 64;
  let grant: Awaited<ReturnType<typeof requestUpload>>;
  beforeAll(async () => {
    grant = await requestUpload(mf, {
      contentType: PDF,
      contentLength: LEN,
      key: "tamper/target.pdf",
    });
  });

  function withParam(url: string, name: string, value: string) {
    const u = new URL(url);
    return u.toString().replace(`${name}=${u.searchParams.get(name)}`, `${name}=${value}`);
  }

  const cases: [string, (url: string) => string][] = [
    ["key", (u) => u.replace("/tamper/target.pdf", "/tamper/target.pdx")],
    ["key prefix", (u) => u.replace("/tamper/", "/tamperx/")],
    ["key re-encoded", (u) => u.replace("target.pdf", "target%2Epdf")],
    [
      "expires +1",
      (u) => withParam(u, "expires", String(Number(new URL(u).searchParams.get("expires")) + 1)),
    ],
    [
      "expires leading zero",
      (u) => withParam(u, "expires", `0${new URL(u).searchParams.get("expires")}`),
    ],
    ["content type", (u) => u.replace("ct=application%2Fpdf", "ct=application%2Fpdfx")],
    ["length +1", (u) => withParam(u, "len", String(LEN + 1))],
    ["length -1", (u) => withParam(u, "len", String(LEN - 1))],
    ["signature", (u) => u.replace(/sig=(.)/, (_m, c: string) => `sig=${c === "A" ? "B" : "A"}`)],
    ["signature truncated", (u) => u.slice(0, -1)],
    ["signature removed", (u) => u.replace(/&sig=[^&]*/, "")],
    ["extra parameter", (u) => `${u}&x=1`],
    ["duplicated parameter", (u) => `${u}&sig=${new URL(u).searchParams.get("sig")}`],
    [
      "reordered parameters",
      (u) => {
        const url = new URL(u);
        const p = url.searchParams;
        return `${url.origin}${url.pathname}?ct=${encodeURIComponent(p.get("ct")!)}&expires=${p.get("expires")}&len=${p.get("len")}&sig=${p.get("sig")}`;
      },
    ],
    ["host", (u) => u.replace("r2.example.test", "r3.example.test")],
    ["scheme", (u) => u.replace("https://", "http://")],
    ["port", (u) => u.replace("r2.example.test", "r2.example.test:8443")],
  ];

  it.each(cases)("refuses a changed %s with 403", async (_name, change) => {
    const changed = change(grant.url);
    expect(changed).not.toBe(grant.url);
    await expectUnchanged(async () => {
      const res = await mf.dispatchFetch(changed, {
        method: "PUT",
        headers: grant.headers,
        body: bytes(LEN),
      });
      await expectError(res, 403, "invalid_signature");
    });
  });

  it.each(["GET", "POST", "DELETE", "PATCH", "HEAD"])(
    "refuses the PUT URL used with %s with 403",
    async (method) => {
      await expectUnchanged(async () => {
        const res = await mf.dispatchFetch(grant.url, {
          method,
          headers: grant.headers,
          body: method === "GET" || method === "HEAD" ? undefined : bytes(LEN),
        });
        expect(res.status).toBe(403);
        if (method !== "HEAD") await expectError(res, 403, "invalid_signature");
      });
    },
  );

  it("refuses a GET URL used with PUT, and a changed GET URL", async () => {
    const g = await requestUpload(mf, {
      contentType: PDF,
      contentLength: 4,
      key: "tamper/get.pdf",
    });
    expect((await putSigned(g, bytes(4, 9))).status).toBe(200);
    const dl = await requestDownload(mf, "tamper/get.pdf");
    await expectUnchanged(async () => {
      const put = await putPdf(dl.url, bytes(4, 1));
      await expectError(put, 403, "invalid_signature");
      const del = await mf.dispatchFetch(dl.url, { method: "DELETE" });
      await expectError(del, 403, "invalid_signature");
    });
    const other = dl.url.replace("tamper/get.pdf", "tamper/target.pdf");
    await expectError(await mf.dispatchFetch(other), 403, "invalid_signature");
    const addedType = `${dl.url}&ct=application%2Fpdf&len=4`;
    await expectError(await mf.dispatchFetch(addedType), 403, "invalid_signature");
  });

  it("refuses a URL whose expiry has passed with 403 expired", async () => {
    const past = Math.floor(Date.now() / 1000) - 1;
    const base = { origin: ORIGIN, key: "expired/x.pdf", expires: past };
    const putUrl = await signUrl(SIGNING_KEY, {
      ...base,
      method: "PUT",
      contentType: PDF,
      contentLength: 3,
    });
    await expectUnchanged(async () => {
      const res = await putPdf(putUrl, bytes(3));
      await expectError(res, 403, "expired");
    });
    await (await bucket()).put("expired/x.pdf", bytes(3));
    const getUrl = await signUrl(SIGNING_KEY, { ...base, method: "GET" });
    await expectError(await mf.dispatchFetch(getUrl), 403, "expired");
  });

  it("refuses a URL signed with another key even before expiry", async () => {
    const url = await signUrl("not-the-signing-key", {
      method: "PUT",
      origin: ORIGIN,
      key: "forged/x.pdf",
      expires: Math.floor(Date.now() / 1000) + 600,
      contentType: PDF,
      contentLength: 3,
    });
    await expectUnchanged(async () => {
      const res = await putPdf(url, bytes(3));
      await expectError(res, 403, "invalid_signature");
    });
  });

  it("refuses a longer body with 413", async () => {
    await expectUnchanged(async () => {
      await expectError(await putSigned(grant, bytes(LEN + 1)), 413, "payload_too_large");
      await expectError(await putSigned(grant, bytes(LEN * 100)), 413, "payload_too_large");
    });
  });

  it("refuses a shorter body with 403", async () => {
    await expectUnchanged(async () => {
      await expectError(await putSigned(grant, bytes(LEN - 1)), 403, "length_mismatch");
    });
  });

  it("refuses a request that states another content type with 403", async () => {
    await expectUnchanged(async () => {
      const other = await mf.dispatchFetch(grant.url, {
        method: "PUT",
        headers: { "content-type": "text/html" },
        body: bytes(LEN),
      });
      await expectError(other, 403, "content_type_mismatch");
    });
  });

  it("stores the signed type whether the PUT states it or states none", async () => {
    const stated = await putPdf(grant.url, bytes(LEN));
    expect(stated.status).toBe(200);
    expect((await (await bucket()).head(grant.key))?.httpMetadata?.contentType).toBe(PDF);
  });

  function chunked(total: number, chunk = 16): ReadableStream<Uint8Array> {
    let sent = 0;
    return new ReadableStream({
      pull(controller) {
        if (sent >= total) return controller.close();
        const n = Math.min(chunk, total - sent);
        controller.enqueue(bytes(n, sent + 1));
        sent += n;
      },
    });
  }

  const putStream = (body: ReadableStream<Uint8Array>) =>
    mf.dispatchFetch(grant.url, {
      method: "PUT",
      headers: grant.headers,
      body,
      duplex: "half",
    } as Parameters<Miniflare["dispatchFetch"]>[1]);

  it("refuses a chunked body that runs past the signed length, storing nothing", async () => {
    await expectUnchanged(async () => {
      await expectError(await putStream(chunked(LEN + 1)), 413, "payload_too_large");
      // The worker answers 413 without reading the rest, so a client still sending a large
      // body may see the connection close (EPIPE) before it reads the answer.
      try {
        await expectError(await putStream(chunked(LEN * 50, 1000)), 413, "payload_too_large");
      } catch (err) {
        expect(String((err as Error).cause ?? err)).toMatch(/EPIPE|ECONNRESET|other side closed/);
      }
    });
  });

  it("refuses a chunked body that ends short, storing nothing", async () => {
    await expectUnchanged(async () => {
      await expectError(await putStream(chunked(LEN - 1)), 403, "length_mismatch");
    });
  });

  it("stores a chunked body of exactly the signed length", async () => {
    const res = await putStream(chunked(LEN, 7));
    expect(res.status).toBe(200);
    expect((await (await bucket()).head(grant.key))?.size).toBe(LEN);
    await (await bucket()).delete(grant.key);
  });
});

describe("raw HTTP: a lying Content-Length cannot store more than signed", () => {
  /** Sends bytes on a fresh connection; resolves with the first complete response, or "" on close. */
  async function raw(port: number, head: string, body: Uint8Array, endEarly = false) {
    return new Promise<string>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1");
      let text = "";
      const done = (out: string) => {
        socket.destroy();
        resolve(out);
      };
      socket.on("data", (d: Buffer) => {
        text += d.toString("latin1");
        const split = text.indexOf("\r\n\r\n");
        const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, split));
        if (split >= 0 && length && text.length - split - 4 >= Number(length[1])) done(text);
      });
      socket.on("error", reject);
      socket.on("close", () => resolve(text));
      socket.write(head);
      socket.write(body);
      if (endEarly) socket.end();
    });
  }

  it("keeps exactly the signed bytes when more follow the declared length", async () => {
    const url = await mf.ready;
    const origin = url.origin;
    const grant = await requestUpload(mf, { contentType: PDF, contentLength: 10 }, origin);
    const u = new URL(grant.url);
    const data = bytes(40, 5);
    const head =
      `PUT ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: ${PDF}\r\n` +
      `Content-Length: 10\r\nConnection: close\r\n\r\n`;
    const response = await raw(Number(url.port), head, data);
    expect(response).toMatch(/^HTTP\/1\.1 200/);
    const stored = await (await bucket()).get(grant.key);
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(data.slice(0, 10));
  });

  it("refuses a chunked body longer than signed even when it also declares the signed Content-Length", async () => {
    const url = await mf.ready;
    const grant = await requestUpload(mf, { contentType: PDF, contentLength: 10 }, url.origin);
    const u = new URL(grant.url);
    const chunk = Buffer.from("x".repeat(40));
    const head =
      `PUT ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: ${PDF}\r\n` +
      `Content-Length: 10\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
    const body = Buffer.concat([Buffer.from("28\r\n"), chunk, Buffer.from("\r\n0\r\n\r\n")]);
    const response = await raw(Number(url.port), head, body);
    const stored = await (await bucket()).get(grant.key);
    // Transfer-Encoding wins over Content-Length (RFC 9112), so the streaming guard runs.
    expect(response).toMatch(/^HTTP\/1\.1 413/);
    expect(stored).toBeNull();
  });

  it("stores nothing when the connection ends before the declared length", async () => {
    const url = await mf.ready;
    const grant = await requestUpload(mf, { contentType: PDF, contentLength: 10 }, url.origin);
    const u = new URL(grant.url);
    const head =
      `PUT ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: ${PDF}\r\n` +
      `Content-Length: 10\r\n\r\n`;
    await expectUnchanged(async () => {
      await raw(Number(url.port), head, bytes(4), true);
      await new Promise((r) => setTimeout(r, 200));
    });
    expect(await (await bucket()).head(grant.key)).toBeNull();
  });
});

describe("GET /r2/download and DELETE /r2/delete", () => {
  const KEY = "reports/delete-me.pdf";
  beforeAll(async () => {
    await (await bucket()).put(KEY, bytes(8), { httpMetadata: { contentType: PDF } });
  });

  it("answers 404 for a key that does not exist", async () => {
    const res = await mf.dispatchFetch(`${ORIGIN}/r2/download?key=reports/none.pdf`, {
      headers: auth,
    });
    await expectError(res, 404, "object_not_found");
  });

  it("needs the token", async () => {
    await expectError(
      await mf.dispatchFetch(`${ORIGIN}/r2/download?key=${KEY}`),
      401,
      "unauthorized",
    );
  });

  it.each(["", "a//b", "../x", "/x"])("refuses key %j with 400", async (key) => {
    const res = await mf.dispatchFetch(`${ORIGIN}/r2/download?key=${encodeURIComponent(key)}`, {
      headers: auth,
    });
    await expectError(res, 400, "invalid_key");
  });

  it("refuses a missing key parameter with 400", async () => {
    await expectError(
      await mf.dispatchFetch(`${ORIGIN}/r2/download`, { headers: auth }),
      400,
      "missing_key",
    );
    await expectError(
      await mf.dispatchFetch(`${ORIGIN}/r2/delete`, { method: "DELETE", headers: auth }),
      400,
      "missing_key",
    );
  });

  it("refuses to delete without the right token, deleting nothing", async () => {
    await expectUnchanged(async () => {
      const none = await mf.dispatchFetch(`${ORIGIN}/r2/delete?key=${KEY}`, { method: "DELETE" });
      await expectError(none, 401, "unauthorized");
      const wrong = await mf.dispatchFetch(`${ORIGIN}/r2/delete?key=${KEY}`, {
        method: "DELETE",
        headers: { authorization: "Bearer nope" },
      });
      await expectError(wrong, 401, "unauthorized");
      const bad = await mf.dispatchFetch(
        `${ORIGIN}/r2/delete?key=${encodeURIComponent("reports/../x")}`,
        {
          method: "DELETE",
          headers: auth,
        },
      );
      await expectError(bad, 400, "invalid_key");
    });
  });

  it("deletes an existing object with 204, then answers 404", async () => {
    const first = await mf.dispatchFetch(`${ORIGIN}/r2/delete?key=${KEY}`, {
      method: "DELETE",
      headers: auth,
    });
    expect(first.status).toBe(204);
    expect(await first.text()).toBe("");
    expect(await (await bucket()).head(KEY)).toBeNull();
    const again = await mf.dispatchFetch(`${ORIGIN}/r2/delete?key=${KEY}`, {
      method: "DELETE",
      headers: auth,
    });
    await expectError(again, 404, "object_not_found");
  });
});

describe("routing and health", () => {
  it("reports health without a token", async () => {
    const res = await mf.dispatchFetch(`${ORIGIN}/r2/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it.each(["/", "/r2", "/r2/", "/r2/uploads", "/r2/health/", "/api/r2/upload"])(
    "answers 404 JSON for %s",
    async (path) => {
      await expectError(await mf.dispatchFetch(`${ORIGIN}${path}`), 404, "not_found");
    },
  );

  it.each([
    ["GET", "/r2/upload", "POST"],
    ["PUT", "/r2/upload", "POST"],
    ["POST", "/r2/download", "GET"],
    ["GET", "/r2/delete", "DELETE"],
    ["POST", "/r2/health", "GET"],
    ["DELETE", "/r2/health", "GET"],
  ])("answers %s %s with 405 and Allow: %s", async (method, path, allow) => {
    const res = await mf.dispatchFetch(`${ORIGIN}${path}`, { method, headers: auth });
    await expectError(res, 405, "method_not_allowed");
    expect(res.headers.get("allow")).toBe(allow);
  });
});

describe("configuration from bindings", () => {
  let custom: Miniflare;
  beforeAll(() => {
    custom = startSigner({
      bindings: signerBindings({
        [contract.bindings.allowedContentTypes]: "application/pdf, image/png",
        [contract.bindings.maxUploadBytes]: "1000",
        [contract.bindings.urlTtlSeconds]: "60",
      }),
    });
  });
  afterAll(async () => {
    await custom.dispose();
  });

  const sign = (body: unknown) =>
    custom.dispatchFetch(`${ORIGIN}/r2/upload`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify(body),
    });

  it("honours ALLOWED_CONTENT_TYPES, MAX_UPLOAD_BYTES and URL_TTL_SECONDS", async () => {
    const ok = await sign({ contentType: "image/png", contentLength: 1000 });
    expect(ok.status).toBe(200);
    const grant = (await ok.json()) as { expiresAt: string; url: string };
    expect(Date.parse(grant.expiresAt) - Date.now()).toBeLessThanOrEqual(61_000);
    expect(Date.parse(grant.expiresAt) - Date.now()).toBeGreaterThan(55_000);
    await expectError(
      await sign({ contentType: "image/png", contentLength: 1001 }),
      400,
      "invalid_content_length",
    );
    await expectError(
      await sign({ contentType: "image/jpeg", contentLength: 10 }),
      400,
      "unsupported_content_type",
    );
  });

  it("refuses a PUT URL's type swapped for another allowed type", async () => {
    const res = await sign({ contentType: "image/png", contentLength: 4, key: "swap/x" });
    const grant = (await res.json()) as { url: string };
    const swapped = grant.url.replace("ct=image%2Fpng", "ct=application%2Fpdf");
    expect(swapped).not.toBe(grant.url);
    const put = await putPdf(swapped, bytes(4), custom);
    await expectError(put, 403, "invalid_signature");
    expect(await (await custom.getR2Bucket("REPORTS")).head("swap/x")).toBeNull();
  });

  it.each([
    [{ [contract.bindings.signingKey]: "" }, "SIGNING_KEY"],
    [{ [contract.bindings.signerToken]: undefined }, "SIGNER_TOKEN"],
    [{ [contract.bindings.urlTtlSeconds]: "15m" }, "URL_TTL_SECONDS"],
    [{ [contract.bindings.maxUploadBytes]: "-5" }, "MAX_UPLOAD_BYTES"],
    [{ [contract.bindings.allowedContentTypes]: " , " }, "ALLOWED_CONTENT_TYPES"],
  ])("answers 500 misconfigured naming the binding (%j)", async (override, name) => {
    const bindings = signerBindings(override);
    for (const k of Object.keys(bindings)) if (bindings[k] === undefined) delete bindings[k];
    await custom.setOptions({
      modules: true,
      scriptPath: (await import("./helpers/signer")).DIST_INDEX,
      compatibilityDate: contract.compatibilityDate,
      r2Buckets: ["REPORTS"],
      bindings,
      host: "127.0.0.1",
      port: 0,
    });
    const res = await sign({ contentType: PDF, contentLength: 1 });
    const body = await expectError(res, 500, "misconfigured");
    expect(body.message).toContain(name);
    expect(body.message).not.toContain(SIGNING_KEY);
    expect(body.message).not.toContain(SIGNER_TOKEN);
  });
});
