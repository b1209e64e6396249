import type { StackConfig } from "../stacks/schema";

/**
 * What a provider's API accepts for one argument, written down as data with its source, so
 * the offline plan can refuse what `pulumi preview` or `pulumi up` would refuse (docs/preflight.md).
 * Rules only ever see known values: the checker skips unknowns and `undefined`.
 */

export type CloudflarePlan = StackConfig["edge"]["cloudflarePlan"];

/** What a rule may read besides the value: the stack's resolved config and today's date. */
export interface RuleContext {
  /** The stack's resolved config; plan-dependent rules fall back to their strictest reading without it. */
  config?: Pick<StackConfig, "edge"> & Partial<StackConfig>;
  /** UTC date as YYYY-MM-DD; dates "in the future" are judged against it. */
  today: string;
}

/** Returns the problem with `value`, or undefined when the provider accepts it. */
export type Test = (
  value: unknown,
  ctx: RuleContext,
  inputs: Record<string, unknown>,
) => string | undefined;

export interface ArgRule {
  /** The constraint in words, e.g. "3–63 characters: a-z, 0-9 and '-'". */
  rule: string;
  /** Where the constraint is documented: a `node_modules/...d.ts` path or a vendor URL. */
  source: string;
  /** What to change in this repository when the value breaks the rule. */
  fix: string;
  test: Test;
}

/** One resource type's rules, keyed by argument path (`name`, `rules[].action`, `a.b`). */
export interface TypeEntry {
  /** Where the type is defined (its `.d.ts`, or our provider's source). */
  source: string;
  args: Readonly<Record<string, readonly ArgRule[]>>;
  /** Rules over several arguments of the same resource (e.g. a DNS record's type and content). */
  relations?: readonly RelationRule[];
  /** Why a type has no argument rules (components, the stack, providers with secrets only). */
  note?: string;
}

export interface RelationRule {
  /** The argument a violation is reported against. */
  arg: string;
  rule: string;
  source: string;
  fix: string;
  /** Returns the problem, or undefined; reads only known values (unknowns arrive as undefined). */
  test: (inputs: Record<string, unknown>, ctx: RuleContext) => string | undefined;
}

type Meta = Pick<ArgRule, "source" | "fix">;

/**
 * A value as a message quotes it. Long strings keep their head and tail: a violation must stay
 * readable in a 120-column plan, and its length is what a length rule reports anyway.
 */
const show = (v: unknown): string => {
  if (typeof v === "string") {
    return v.length > 72
      ? `${JSON.stringify(`${v.slice(0, 40)}…${v.slice(-16)}`)} (${v.length} characters)`
      : JSON.stringify(v);
  }
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 72 ? `${text.slice(0, 60)}…` : text;
};

/** A rule from a test and its wording. */
export function rule(text: string, meta: Meta, test: Test): ArgRule {
  return { rule: text, ...meta, test };
}

/** The whole string matches `re`. */
export function pattern(re: RegExp, text: string, meta: Meta): ArgRule {
  return rule(text, meta, (v) => {
    if (typeof v !== "string") return `${show(v)} is not a string`;
    return re.test(v) ? undefined : `${show(v)} does not match`;
  });
}

/** A string length range, counting UTF-16 units as the APIs count characters. */
export function length(min: number, max: number, meta: Meta, text?: string): ArgRule {
  return rule(text ?? `${min}–${max} characters`, meta, (v) => {
    if (typeof v !== "string") return `${show(v)} is not a string`;
    if (v.length < min) return `${show(v)} has ${v.length} characters, fewer than ${min}`;
    if (v.length > max) return `${show(v)} has ${v.length} characters, more than ${max}`;
    return undefined;
  });
}

/**
 * At most `max` bytes of UTF-8, as the APIs measure a stored value. Never quotes the value:
 * the values so limited are often secrets.
 */
export function maxBytes(max: number, text: string, meta: Meta): ArgRule {
  return rule(text, meta, (v) => {
    if (typeof v !== "string") return "is not a string";
    const bytes = Buffer.byteLength(v);
    return bytes > max ? `is ${bytes} bytes` : undefined;
  });
}

/** One of the listed values, case-sensitive: the APIs compare exactly. */
export function oneOf(
  values: readonly (string | number | boolean)[],
  meta: Meta,
  text?: string,
): ArgRule {
  const set = new Set<unknown>(values);
  const listed =
    values.length > 12
      ? `${values.slice(0, 12).map(show).join(", ")}, …`
      : values.map(show).join(", ");
  return rule(text ?? `one of ${listed}`, meta, (v) => {
    if (set.has(v)) return undefined;
    const near =
      typeof v === "string"
        ? values.find((x) => typeof x === "string" && x.toLowerCase() === v.toLowerCase())
        : undefined;
    return near !== undefined
      ? `${show(v)} is not accepted; the API spells it ${show(near)}`
      : `${show(v)} is not allowed`;
  });
}

/** A number in [min, max]; `integer` also requires a whole number. */
export function range(
  min: number,
  max: number,
  meta: Meta,
  opts: { integer?: boolean; text?: string } = {},
): ArgRule {
  const integer = opts.integer ?? true;
  return rule(
    opts.text ?? `${integer ? "an integer" : "a number"} from ${min} to ${max}`,
    meta,
    (v) => {
      if (typeof v !== "number" || Number.isNaN(v)) return `${show(v)} is not a number`;
      if (integer && !Number.isInteger(v)) return `${v} is not a whole number`;
      if (v < min || v > max) return `${v} is outside ${min}..${max}`;
      return undefined;
    },
  );
}

/** A number whose allowed range depends on the stack's config (e.g. the zone's plan). */
export function rangeBy(
  text: string,
  meta: Meta,
  limits: (ctx: RuleContext) => {
    min: number;
    max: number;
    values?: readonly number[];
    why: string;
  },
): ArgRule {
  return rule(text, meta, (v, ctx) => {
    if (typeof v !== "number" || !Number.isInteger(v)) return `${show(v)} is not a whole number`;
    const l = limits(ctx);
    if (l.values && !l.values.includes(v))
      return `${v} is not one of ${l.values.join(", ")} (${l.why})`;
    if (v < l.min || v > l.max) return `${v} is outside ${l.min}..${l.max} (${l.why})`;
    return undefined;
  });
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date YYYY-MM-DD that exists; `notAfterToday` also refuses a future date. */
export function isoDate(meta: Meta, opts: { notAfterToday?: boolean } = {}): ArgRule {
  return rule(
    `a date YYYY-MM-DD${opts.notAfterToday ? ", not after today (UTC)" : ""}`,
    meta,
    (v, ctx) => {
      if (typeof v !== "string") return `${show(v)} is not a string`;
      const m = ISO_DATE.exec(v);
      if (!m) return `${show(v)} is not YYYY-MM-DD`;
      const d = new Date(`${v}T00:00:00Z`);
      if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v)
        return `${show(v)} is not a real date`;
      if (opts.notAfterToday && v > ctx.today) return `${show(v)} is after today (${ctx.today})`;
      return undefined;
    },
  );
}

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
/** Lowercase DNS name with at least two labels, ≤ 253 characters. */
export const HOSTNAME = new RegExp(`^(?=.{1,253}$)(?:${LABEL}\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$`);

export function hostname(meta: Meta): ArgRule {
  return pattern(
    HOSTNAME,
    "a lowercase hostname (labels a-z, 0-9, '-', ≤ 63 each, ≤ 253 in all)",
    meta,
  );
}

export function isIpv4(v: string): boolean {
  const parts = v.split(".");
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

export function isIpv6(v: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(v) || !v.includes(":")) return false;
  const halves = v.split("::");
  if (halves.length > 2) return false;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const all = halves.flatMap(groups);
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i]!;
    if (i === all.length - 1 && g.includes(".")) {
      if (!isIpv4(g)) return false;
      count += 2;
    } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) count += 1;
    else return false;
  }
  return halves.length === 2 ? count < 8 : count === 8;
}

export function ipv4(meta: Meta): ArgRule {
  return rule("an IPv4 address", meta, (v) =>
    typeof v === "string" && isIpv4(v) ? undefined : `${show(v)} is not an IPv4 address`,
  );
}

export function ipv6(meta: Meta): ArgRule {
  return rule("an IPv6 address", meta, (v) =>
    typeof v === "string" && isIpv6(v) ? undefined : `${show(v)} is not an IPv6 address`,
  );
}

export function cidr(meta: Meta): ArgRule {
  return rule("an IPv4 or IPv6 CIDR block", meta, (v) => {
    if (typeof v !== "string") return `${show(v)} is not a string`;
    const [ip, bits, extra] = v.split("/");
    if (extra !== undefined || ip === undefined || bits === undefined || !/^\d{1,3}$/.test(bits))
      return `${show(v)} is not address/prefix`;
    const max = isIpv4(ip) ? 32 : isIpv6(ip) ? 128 : -1;
    if (max < 0) return `${show(v)} does not start with an IP address`;
    return Number(bits) <= max ? undefined : `${show(v)} has a prefix longer than ${max}`;
  });
}

/** An ARN of the given service (`arn:<partition>:<service>:<region>:<account>:<resource>`). */
export function arn(service: string, meta: Meta): ArgRule {
  const re = new RegExp(`^arn:aws(?:-cn|-us-gov)?:${service}:[a-z0-9-]*:(?:\\d{12})?:.+$`);
  return pattern(re, `an ARN of ${service} (arn:aws:${service}:<region>:<account>:<name>)`, meta);
}

export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function email(meta: Meta): ArgRule {
  return pattern(EMAIL, "an email address", meta);
}

/** "HH:MM", 24-hour. */
export const HHMM = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

/**
 * An IAM-style JSON policy document: parses, Version "2012-10-17" (the only version that
 * supports policy variables; "2008-10-17" is legacy), and every statement has an Effect of
 * Allow or Deny and an Action or NotAction.
 */
export function jsonPolicy(meta: Meta): ArgRule {
  return rule(
    'a JSON policy with Version "2012-10-17" and statements with Effect Allow|Deny and Action',
    meta,
    (v) => {
      let doc: unknown = v;
      if (typeof v === "string") {
        try {
          doc = JSON.parse(v);
        } catch {
          return "is not valid JSON";
        }
      }
      if (!doc || typeof doc !== "object") return "is not a JSON object";
      const d = doc as { Version?: unknown; Statement?: unknown };
      if (d.Version !== "2012-10-17") return `has Version ${show(d.Version)}, not "2012-10-17"`;
      const statements = Array.isArray(d.Statement)
        ? d.Statement
        : d.Statement
          ? [d.Statement]
          : [];
      if (statements.length === 0) return "has no Statement";
      for (const [i, s] of statements.entries()) {
        const st = (s ?? {}) as Record<string, unknown>;
        if (st.Effect !== "Allow" && st.Effect !== "Deny")
          return `Statement[${i}] has Effect ${show(st.Effect)}, not Allow or Deny`;
        if (st.Action === undefined && st.NotAction === undefined)
          return `Statement[${i}] has no Action`;
      }
      return undefined;
    },
  );
}

/** A Go-style duration of whole units ("30s", "5m", "1h") within [min, max] seconds. */
export function duration(
  units: Record<string, number>,
  minSeconds: number,
  maxSeconds: number,
  meta: Meta,
  text: string,
): ArgRule {
  const re = new RegExp(`^(\\d+)(${Object.keys(units).join("|")})$`);
  return rule(text, meta, (v) => {
    if (typeof v !== "string") return `${show(v)} is not a string`;
    const m = re.exec(v);
    if (!m) return `${show(v)} is not <number><${Object.keys(units).join("|")}>`;
    const s = Number(m[1]) * units[m[2]!]!;
    return s < minSeconds || s > maxSeconds
      ? `${show(v)} is outside ${minSeconds}..${maxSeconds} s`
      : undefined;
  });
}

/** The argument is a string (or number) of a given shape; convenient for small one-offs. */
export function literal(value: unknown, meta: Meta, text?: string): ArgRule {
  return rule(text ?? `exactly ${show(value)}`, meta, (v) =>
    v === value ? undefined : `${show(v)} is not ${show(value)}`,
  );
}

/** A rule that applies to every element of an array argument. */
export function each(r: ArgRule): ArgRule {
  return rule(`each: ${r.rule}`, r, (v, ctx, inputs) => {
    if (!Array.isArray(v)) return `${show(v)} is not a list`;
    for (const [i, x] of v.entries()) {
      if (x === undefined) continue;
      const p = r.test(x, ctx, inputs);
      if (p) return `[${i}] ${p}`;
    }
    return undefined;
  });
}

export { show };
