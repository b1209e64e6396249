import fc from "fast-check";
import type { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkKey, MAX_KEY_BYTES } from "../src/keys";
import {
  auth,
  bytes,
  ORIGIN,
  requestDownload,
  requestUpload,
  snapshot,
  startSigner,
} from "./helpers/signer";

const PDF = "application/pdf";
let mf: Miniflare;

beforeAll(() => {
  mf = startSigner();
});
afterAll(async () => {
  await mf.dispose();
});

/** One character replaced: printable ASCII, a tab (URL parsers drop it), or non-ASCII. */
const mutation = (length: number) =>
  fc.record({
    at: fc.nat({ max: length - 1 }),
    char: fc.oneof(
      fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      fc.constantFrom("\t", "é", "\u2028", "%"),
    ),
  });

function mutate(url: string, at: number, char: string): string | null {
  const out = url.slice(0, at) + char + url.slice(at + 1);
  let parsed: URL;
  try {
    parsed = new URL(out);
  } catch {
    return null;
  }
  // Same URL after parsing (e.g. an upper-cased host letter): not a change.
  return parsed.href === new URL(url).href ? null : out;
}

describe("fuzz: single-character changes to a signed URL in workerd", () => {
  it("never store a PUT", async () => {
    const data = bytes(32, 4);
    const grant = await requestUpload(mf, {
      contentType: PDF,
      contentLength: data.length,
      key: "fuzz/put.pdf",
    });
    const before = await snapshot(mf);
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(mutation(grant.url.length), async ({ at, char }) => {
        const url = mutate(grant.url, at, char);
        if (url === null) return;
        tried++;
        let status = 0;
        try {
          const res = await mf.dispatchFetch(url, {
            method: "PUT",
            headers: grant.headers,
            body: data,
          });
          status = res.status;
          await res.arrayBuffer();
        } catch {
          status = -1; // the client refused to send it
        }
        expect(status === -1 || status >= 400).toBe(true);
        expect(await snapshot(mf)).toEqual(before);
      }),
      { numRuns: 150 },
    );
    expect(tried).toBeGreaterThan(90);
    // The unchanged URL still works, so the refusals above were about the changes.
    const ok = await mf.dispatchFetch(grant.url, {
      method: "PUT",
      headers: grant.headers,
      body: data,
    });
    expect(ok.status).toBe(200);
  });

  it("never return the object for a changed GET URL", async () => {
    const secret = new TextEncoder().encode(`secret-report-${"x".repeat(40)}`);
    const grant = await requestUpload(mf, {
      contentType: PDF,
      contentLength: secret.length,
      key: "fuzz/get.pdf",
    });
    expect(
      (await mf.dispatchFetch(grant.url, { method: "PUT", headers: grant.headers, body: secret }))
        .status,
    ).toBe(200);
    const dl = await requestDownload(mf, grant.key);
    const marker = "secret-report-";
    await fc.assert(
      fc.asyncProperty(mutation(dl.url.length), async ({ at, char }) => {
        const url = mutate(dl.url, at, char);
        if (url === null) return;
        let text = "";
        let status = -1;
        try {
          const res = await mf.dispatchFetch(url);
          status = res.status;
          text = await res.text();
        } catch {
          return;
        }
        expect(status).toBeGreaterThanOrEqual(400);
        expect(text).not.toContain(marker);
      }),
      { numRuns: 120 },
    );
    const ok = await mf.dispatchFetch(dl.url);
    expect(await ok.text()).toContain(marker);
  });
});

describe("fuzz: key validation in workerd matches the rules", () => {
  const nasty = fc.constantFrom(
    "/",
    "//",
    ".",
    "..",
    "\u0000",
    "\n",
    "\u007f",
    "\u200b",
    "\u202e",
    "\ud800",
    "é",
    "文",
    "😀",
    "%",
    "?",
    "#",
    " ",
    "+",
    "\\",
  );
  const piece = fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), nasty);
  const key = fc.oneof(
    fc.array(piece, { minLength: 1, maxLength: 8 }).map((p) => p.join("")),
    fc
      .array(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 })
      .map((p) => p.join("/")),
    fc.string({ minLength: MAX_KEY_BYTES - 4, maxLength: MAX_KEY_BYTES + 4 }),
  );

  it("signs exactly the keys checkKey accepts, and every signed key round-trips", async () => {
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(key, async (k) => {
        const res = await mf.dispatchFetch(`${ORIGIN}/r2/upload`, {
          method: "POST",
          headers: auth,
          body: JSON.stringify({ contentType: PDF, contentLength: 3, key: k }),
        });
        if (!checkKey(k).ok) {
          refused++;
          expect(res.status).toBe(400);
          expect(((await res.json()) as { error: string }).error).toBe("invalid_key");
          return;
        }
        accepted++;
        expect(res.status).toBe(200);
        const grant = (await res.json()) as {
          key: string;
          url: string;
          headers: Record<string, string>;
        };
        expect(grant.key).toBe(k);
        const data = bytes(3, k.length);
        const put = await mf.dispatchFetch(grant.url, {
          method: "PUT",
          headers: grant.headers,
          body: data,
        });
        expect(put.status).toBe(200);
        const get = await mf.dispatchFetch((await requestDownload(mf, k)).url);
        expect(new Uint8Array(await get.arrayBuffer())).toEqual(data);
      }),
      { numRuns: 100 },
    );
    expect(accepted).toBeGreaterThan(15);
    expect(refused).toBeGreaterThan(15);
  });
});
