import type { Hono } from "hono";
import { z } from "zod";
import type { RouteDeps } from "../deps";
import { fail, parseWith, readJson, type AppEnv } from "../http";
import { hitLimit } from "../ratelimit";
import { redisAvailable } from "../redis";
import { KEY_PREFIX } from "../sessions";

// Core Web Vitals from the page (src/page.ts), as ara_web_vitals. Timings arrive in
// milliseconds, as the browser's PerformanceObserver gives them, and are stored in seconds;
// CLS is a unitless score. The rating is computed here from web.dev's thresholds, never taken
// from the client, so the label set stays bounded.
const THRESHOLDS = {
  LCP: [2500, 4000],
  INP: [200, 500],
  CLS: [0.1, 0.25],
  FCP: [1800, 3000],
  TTFB: [800, 1800],
} as const;
type VitalName = keyof typeof THRESHOLDS;
const NAMES = Object.keys(THRESHOLDS) as [VitalName, ...VitalName[]];

const vital = z.strictObject({
  name: z.enum(NAMES, { error: `name must be one of ${NAMES.join(", ")}` }),
  // An hour in ms bounds the timings; CLS is checked below.
  value: z.number().finite().min(0).max(3_600_000),
});
const vitalsBody = z.union([vital, z.array(vital).min(1).max(NAMES.length)]);

export const VITALS_PER_MINUTE = 30;
const VITALS_MAX_BYTES = 2048;

function rating(name: VitalName, value: number): string {
  const [good, poor] = THRESHOLDS[name];
  return value <= good ? "good" : value <= poor ? "needs-improvement" : "poor";
}

export function vitalsRoutes(app: Hono<AppEnv>, { clientIp, redis, telemetry }: RouteDeps) {
  app.post("/api/vitals", async (c) => {
    const parsed = parseWith(vitalsBody, await readJson(c, VITALS_MAX_BYTES));
    const vitals = Array.isArray(parsed) ? parsed : [parsed];
    if (vitals.some((v) => v.name === "CLS" && v.value > 100)) {
      return fail(c, 400, "invalid_request", "value: CLS must be a score from 0 to 100");
    }
    // Tighter than the API-wide limit: a page reports a handful of vitals per view. Without
    // Redis the vitals are dropped, not counted unlimited.
    if (!(await redisAvailable(redis, 500))) return c.body(null, 204);
    const limit = await hitLimit(
      redis,
      `${KEY_PREFIX}rl:vitals:${clientIp(c)}`,
      VITALS_PER_MINUTE,
      60_000,
    );
    if (!limit.allowed) {
      return fail(c, 429, "rate_limited", `Too many vitals; retry in ${limit.retryAfter} s`, {
        "Retry-After": String(limit.retryAfter),
      });
    }
    for (const v of vitals) {
      const value = v.name === "CLS" ? v.value : v.value / 1000;
      telemetry.webVitals.record(value, { metric: v.name, rating: rating(v.name, v.value) });
    }
    return c.body(null, 204);
  });
}
