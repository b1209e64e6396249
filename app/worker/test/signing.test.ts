import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalString,
  secretsEqual,
  signUrl,
  SIGNATURE_VERSION,
  timingSafeEqual,
  verifyUrl,
  type UrlClaims,
} from "../src/signing";

const SECRET = "unit-test-secret";
const NOW = Date.UTC(2026, 4, 1);
const put: UrlClaims = {
  method: "PUT",
  origin: "https://api.example.test",
  key: "reports/a b/ü.pdf",
  expires: NOW / 1000 + 900,
  contentType: "application/pdf",
  contentLength: 2048,
};

describe("signUrl and verifyUrl", () => {
  it("round-trips PUT and GET claims", async () => {
    const url = await signUrl(SECRET, put);
    expect(
      url.startsWith("https://api.example.test/r2/object/reports/a%20b/%C3%BC.pdf?expires="),
    ).toBe(true);
    expect(await verifyUrl(SECRET, "PUT", new URL(url), NOW)).toEqual({ ok: true, claims: put });

    const get: UrlClaims = {
      method: "GET",
      origin: put.origin,
      key: put.key,
      expires: put.expires,
    };
    const getUrl = await signUrl(SECRET, get);
    expect(new URL(getUrl).searchParams.has("ct")).toBe(false);
    const verified = await verifyUrl(SECRET, "GET", new URL(getUrl), NOW);
    expect(verified.ok && verified.claims.key).toBe(put.key);
  });

  it("refuses at and after the expiry second, not before", async () => {
    const url = new URL(await signUrl(SECRET, put));
    expect((await verifyUrl(SECRET, "PUT", url, put.expires * 1000 - 1)).ok).toBe(true);
    expect(await verifyUrl(SECRET, "PUT", url, put.expires * 1000)).toEqual({
      ok: false,
      reason: "expired",
    });
  });

  it("refuses another method, another secret", async () => {
    const url = new URL(await signUrl(SECRET, put));
    for (const m of ["GET", "POST", "HEAD", "put"]) {
      expect(await verifyUrl(SECRET, m, url, NOW)).toEqual({
        ok: false,
        reason: "invalid_signature",
      });
    }
    expect((await verifyUrl(`${SECRET}!`, "PUT", url, NOW)).ok).toBe(false);
  });

  it("refuses every single-character change to the URL", async () => {
    const signed = await signUrl(SECRET, put);
    const original = new URL(signed).href;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: signed.length - 1 }),
        fc.integer({ min: 0x20, max: 0x7e }),
        async (at, code) => {
          const mutated = signed.slice(0, at) + String.fromCharCode(code) + signed.slice(at + 1);
          let url: URL;
          try {
            url = new URL(mutated);
          } catch {
            return; // not a URL any client could send
          }
          // Case changes in scheme or host are the same URL; a client cannot tell them apart.
          fc.pre(url.href !== original);
          const result = await verifyUrl(SECRET, "PUT", url, NOW);
          expect(result.ok).toBe(false);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("signs a canonical string that starts with the version and separates fields", () => {
    expect(canonicalString("PUT", "https://h", "k", "1", "a/b", "2")).toBe(
      `${SIGNATURE_VERSION}\nPUT\nhttps://h\nk\n1\na/b\n2`,
    );
  });
});

describe("constant-time comparison", () => {
  it("is true only for identical bytes", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (a, at, flip) => {
          expect(timingSafeEqual(a, a.slice())).toBe(true);
          const b = a.slice();
          const i = at % b.length;
          b[i] = b[i]! ^ flip;
          expect(timingSafeEqual(a, b)).toBe(false);
          expect(timingSafeEqual(a, a.slice(1))).toBe(false);
        },
      ),
    );
  });

  it("compares secrets of any length", async () => {
    expect(await secretsEqual("token", "token")).toBe(true);
    expect(await secretsEqual("token", "token2")).toBe(false);
    expect(await secretsEqual("", "token")).toBe(false);
  });
});
