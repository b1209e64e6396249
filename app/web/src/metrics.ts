import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface Metrics {
  registry: Registry;
  requests: Counter<"method" | "route" | "status">;
  duration: Histogram<"method" | "route" | "status">;
  dependencyUp: Gauge<"dependency">;
}

// One registry per app instance (not prom-client's global one) so several apps in one process,
// as in the tests, do not collide.
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "ara_web_" });
  const requests = new Counter({
    name: "ara_http_requests_total",
    help: "HTTP requests by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "ara_http_request_duration_seconds",
    help: "HTTP request latency by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const dependencyUp = new Gauge({
    name: "ara_dependency_up",
    help: "1 when the dependency answered its last health check, else 0",
    labelNames: ["dependency"] as const,
    registers: [registry],
  });
  return { registry, requests, duration, dependencyUp };
}
