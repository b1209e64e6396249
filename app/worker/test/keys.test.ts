import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkKey, decodeKeyPath, encodeKeyPath, MAX_KEY_BYTES } from "../src/keys";

const utf8 = (s: string) => new TextEncoder().encode(s).byteLength;

/** Printable characters other than "/" (ASCII, Latin, CJK, emoji). */
const printable = fc
  .oneof(
    fc.integer({ min: 0x20, max: 0x7e }),
    fc.integer({ min: 0xa1, max: 0xac }),
    fc.integer({ min: 0xae, max: 0x2ff }),
    fc.integer({ min: 0x4e00, max: 0x4fff }),
    fc.integer({ min: 0x1f600, max: 0x1f64f }),
  )
  .map((c) => String.fromCodePoint(c))
  .filter((c) => c !== "/");

const segment = fc
  .array(printable, { minLength: 1, maxLength: 12 })
  .map((cs) => cs.join(""))
  .filter((s) => s !== "." && s !== "..");

const validKey = fc
  .array(segment, { minLength: 1, maxLength: 6 })
  .map((ss) => ss.join("/"))
  .filter((k) => utf8(k) <= MAX_KEY_BYTES);

/** Characters a key must never contain. */
const unprintable = fc
  .oneof(
    fc.integer({ min: 0x00, max: 0x1f }),
    fc.constant(0x7f),
    fc.integer({ min: 0x80, max: 0x9f }),
    fc.constant(0xad),
    fc.integer({ min: 0x200b, max: 0x200f }),
    fc.integer({ min: 0x202a, max: 0x202e }),
    fc.integer({ min: 0x2060, max: 0x2064 }),
    fc.constant(0x2028),
    fc.constant(0x2029),
    fc.constant(0xfeff),
    fc.integer({ min: 0xe000, max: 0xf8ff }),
    fc.integer({ min: 0xd800, max: 0xdfff }),
  )
  .map((c) => String.fromCharCode(c));

function insertAt(s: string, at: number, piece: string): string {
  const i = Math.min(at, s.length);
  return s.slice(0, i) + piece + s.slice(i);
}

describe("checkKey", () => {
  it("accepts printable segments up to 512 bytes, and the path encoding round-trips", () => {
    fc.assert(
      fc.property(validKey, (key) => {
        expect(checkKey(key)).toEqual({ ok: true, key });
        const path = encodeKeyPath(key);
        expect(path).toMatch(/^[A-Za-z0-9\-_.!~*'()%/]+$/);
        expect(decodeKeyPath(path)).toBe(key);
      }),
      { numRuns: 500 },
    );
  });

  it("refuses any key with an unprintable character", () => {
    fc.assert(
      fc.property(validKey, fc.nat(), unprintable, (key, at, bad) => {
        expect(checkKey(insertAt(key, at, bad)).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("refuses empty, '.' and '..' segments anywhere, and a leading '/'", () => {
    fc.assert(
      fc.property(validKey, fc.nat(), fc.constantFrom("", ".", ".."), (key, at, bad) => {
        const segments = key.split("/");
        segments.splice(at % (segments.length + 1), 0, bad);
        expect(checkKey(segments.join("/")).ok).toBe(false);
        expect(checkKey(`/${key}`).ok).toBe(false);
        expect(checkKey(`${key}/`).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses keys over 512 UTF-8 bytes", () => {
    fc.assert(
      fc.property(validKey, segment, (key, pad) => {
        let long = key;
        while (utf8(long) <= MAX_KEY_BYTES) long += `/${pad}`;
        expect(checkKey(long).ok).toBe(false);
      }),
      { numRuns: 100 },
    );
    expect(checkKey("a".repeat(MAX_KEY_BYTES)).ok).toBe(true);
    expect(checkKey("€".repeat(170) + "ab").ok).toBe(true); // 512 bytes
    expect(checkKey("€".repeat(170) + "abc").ok).toBe(false); // 513 bytes
  });

  it("never throws, and whatever it accepts satisfies every rule", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 80 }), validKey), (key) => {
        const result = checkKey(key);
        if (!result.ok) return;
        expect(utf8(key)).toBeLessThanOrEqual(MAX_KEY_BYTES);
        expect(key.startsWith("/")).toBe(false);
        for (const s of key.split("/")) expect(["", ".", ".."]).not.toContain(s);
        for (const ch of key) {
          const c = ch.codePointAt(0)!;
          expect(c < 0x20 || c === 0x7f || (c >= 0x80 && c <= 0x9f)).toBe(false);
          expect(c >= 0xd800 && c <= 0xdfff).toBe(false);
        }
        expect(decodeKeyPath(encodeKeyPath(key))).toBe(key);
      }),
      { numRuns: 1000 },
    );
  });

  it.each([42, null, undefined, {}, ["a"]])("refuses the non-string %j", (key) => {
    expect(checkKey(key).ok).toBe(false);
  });
});

describe("decodeKeyPath", () => {
  it("accepts only the canonical encoding", () => {
    fc.assert(
      fc.property(validKey, (key) => {
        const path = encodeKeyPath(key);
        // Lower-case hex, or an unreserved character written as %XX, names the same key in
        // another spelling; both must be refused.
        const lower = path.replace(/%[0-9A-F]{2}/, (m) => m.toLowerCase());
        if (lower !== path) expect(decodeKeyPath(lower)).toBeNull();
        const spelled = path.replace(
          /[A-Za-z0-9]/,
          (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
        );
        if (spelled !== path) expect(decodeKeyPath(spelled)).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it.each(["%", "%zz", "a%2Fb", "a/%2E%2E/b", "%E0%A4%A", "a//b", "/a"])("refuses %j", (raw) => {
    expect(decodeKeyPath(raw)).toBeNull();
  });
});
