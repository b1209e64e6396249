import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NAME_RULES, physicalName, type NameKind } from "../../components/naming";

const kinds = Object.keys(NAME_RULES) as NameKind[];

describe("physicalName", () => {
  it("is ara-<stack>-<name>", () => {
    expect(physicalName("ara", "prod", "reports", "r2Bucket")).toBe("ara-prod-reports");
    expect(physicalName("ara", "Dev", "Cache_DB", "upstashDatabase")).toBe("ara-dev-cache-db");
  });

  it("keeps a long name under the limit and unique", () => {
    const long = "x".repeat(80);
    const a = physicalName("ara", "staging", `${long}a`, "planetscaleDatabase");
    const b = physicalName("ara", "staging", `${long}b`, "planetscaleDatabase");
    expect(a.length).toBeLessThanOrEqual(32);
    expect(a).not.toBe(b);
    expect(a.startsWith("ara-staging-")).toBe(true);
  });

  it("always respects each provider's length and alphabet, deterministically", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.constantFrom("dev", "staging", "prod", "pr-1234"),
        fc.string({ minLength: 1, maxLength: 120 }),
        (kind, stack, name) => {
          const out = physicalName("ara", stack, name, kind);
          const rule = NAME_RULES[kind];
          expect(out.length).toBeLessThanOrEqual(rule.max);
          expect(out.replace(rule.invalid, "")).toBe(out);
          expect(out).not.toMatch(/^-|-$|--/);
          expect(physicalName("ara", stack, name, kind)).toBe(out);
        },
      ),
      { numRuns: 500 },
    );
  });
});
