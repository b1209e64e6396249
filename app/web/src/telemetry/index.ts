import {
  context,
  propagation,
  type Counter,
  type Histogram,
  type Tracer,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  ExportResultCode,
  W3CTraceContextPropagator,
  type ExportResult,
} from "@opentelemetry/core";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  MeterProvider,
  type InstrumentType,
  type PushMetricExporter,
  type ResourceMetrics,
} from "@opentelemetry/sdk-metrics";
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type ReadableSpan,
  type SpanExporter,
} from "@opentelemetry/sdk-trace";
import type pg from "pg";
import contract from "../../telemetry.json";
import type { Config } from "../config";
import type { Logger } from "../logger";
import { flushScheduler } from "./flush";
import { serialize } from "./prometheus";
import { metricPusher } from "./push";
import { createErrorReporter } from "./sentry";

export { seriesName } from "./prometheus";

const I = contract.instruments;

// One context manager and one propagator per process: they hold no per-app state, and spans
// must follow `await` (AsyncLocalStorage) for pg, Redis and signer spans to find their request.
let installed = false;
function installGlobals() {
  if (installed) return;
  installed = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

export { logIds, propagationHeaders, REQUEST_ID } from "./context";

/** The `kind` of ara_emails_sent_total and ara_email_failures_total. */
export const EMAIL_KINDS = ["report", "recovery"] as const;

export type Signal = "metrics" | "traces";

/** The `kind` of ara_errors_total: what the error handler made of a 5xx (see middleware.ts). */
export const ERROR_KINDS = ["unhandled", "dependency_unavailable", "signer", "http_5xx"] as const;

/** Counts every batch an exporter reports as failed (refused, timed out, unreachable). */
class CountingSpanExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly onDrop: (signal: Signal, error?: Error) => void,
  ) {}
  export(spans: ReadableSpan[], done: (r: ExportResult) => void) {
    this.inner.export(spans, (r) => {
      if (r.code !== ExportResultCode.SUCCESS) this.onDrop("traces", r.error);
      done(r);
    });
  }
  shutdown() {
    return this.inner.shutdown();
  }
  forceFlush() {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

class CountingMetricExporter implements PushMetricExporter {
  constructor(
    private readonly inner: OTLPMetricExporter,
    private readonly onDrop: (signal: Signal, error?: Error) => void,
  ) {}
  export(metrics: ResourceMetrics, done: (r: ExportResult) => void) {
    this.inner.export(metrics, (r) => {
      if (r.code !== ExportResultCode.SUCCESS) this.onDrop("metrics", r.error);
      done(r);
    });
  }
  selectAggregationTemporality(type: InstrumentType) {
    return this.inner.selectAggregationTemporality(type);
  }
  selectAggregation(type: InstrumentType) {
    return this.inner.selectAggregation(type);
  }
  shutdown() {
    return this.inner.shutdown();
  }
  forceFlush() {
    return this.inner.forceFlush();
  }
}

/** A value read from somewhere slow (the database), at most every `maxAgeMs`, bounded in time. */
function cached<T>(load: () => Promise<T>, maxAgeMs: number, timeoutMs: number) {
  let value: T | undefined;
  let at = -Infinity;
  let inflight: Promise<void> | undefined;
  return {
    async get(): Promise<T | undefined> {
      if (performance.now() - at < maxAgeMs) return value;
      inflight ??= withTimeout(load(), timeoutMs)
        .then(
          (v) => {
            value = v;
          },
          () => undefined, // keep the last value; a failed read is retried after maxAgeMs
        )
        .finally(() => {
          at = performance.now();
          inflight = undefined;
        });
      await inflight;
      return value;
    },
    set(v: T) {
      value = v;
      at = performance.now();
    },
  };
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

export type Dependency = "database" | "redis" | "signer";

export interface TelemetryProbes {
  pool: pg.Pool;
  /** Checks every dependency, each within its own time limit. */
  checkDependencies: () => Promise<Record<Dependency, boolean>>;
}

export interface Telemetry {
  tracer: Tracer;
  /** True when anything leaves the process: an OTLP endpoint or a Sentry DSN is configured. */
  exporting: boolean;
  /** Sends an unexpected error to Sentry (when SENTRY_DSN is set), scrubbed. */
  reportError(err: unknown, request?: { method: string; route: string }): void;
  httpDuration: Histogram;
  errors: Counter;
  cacheRequests: Counter;
  sessionsCreated: Counter;
  wizardCompletions: Counter;
  auditsCreated: Counter;
  reportsGenerated: Counter;
  emailsSent: Counter;
  emailFailures: Counter;
  webVitals: Histogram;
  dropped: Counter;
  setDependencyUp(dependency: Dependency, up: boolean): void;
  /** Every instrument in the Prometheus text format, named as in telemetry.json. */
  metricsText(): Promise<string>;
  /**
   * Pushes what is pending to the collector; never rejects. A flush already running is waited
   * for, then one more runs (shared by everyone who asked meanwhile); each export gives up after
   * OTEL_EXPORTER_OTLP_TIMEOUT. `timeoutMs` bounds the whole wait instead.
   */
  flush(timeoutMs?: number): Promise<void>;
  shutdown(): Promise<void>;
}

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export function createTelemetry(
  config: Config,
  logger: Logger,
  probes: TelemetryProbes,
): Telemetry {
  installGlobals();
  const resource = resourceFromAttributes({
    "service.name": config.OTEL_SERVICE_NAME,
    "deployment.environment.name": config.SENTRY_ENVIRONMENT,
  });
  const endpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  const timeoutMillis = config.OTEL_EXPORTER_OTLP_TIMEOUT;

  let lastDropLog = -Infinity;
  // The counter needs the meter, which needs the exporters: set below, before any export.
  const drops: { counter?: Counter } = {};
  const onDrop = (signal: Signal, error?: Error) => {
    drops.counter?.add(1, { signal });
    // A collector outage fails every batch; one line a minute says so without flooding.
    const now = performance.now();
    if (now - lastDropLog > 60_000) {
      lastDropLog = now;
      logger.warn(
        { signal, err: error ?? new Error("export failed") },
        "telemetry export failed; batch dropped",
      );
    }
  };

  // Serves /api/metrics: collects on demand, never listens on a port of its own. The only
  // reader: the OTLP export pushes what it collects (push.ts).
  const scrape = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ resource, readers: [scrape] });
  const pusher = endpoint
    ? metricPusher(
        scrape,
        new CountingMetricExporter(
          new OTLPMetricExporter({
            url: `${endpoint}/v1/metrics`,
            headers: config.OTEL_EXPORTER_OTLP_HEADERS,
            timeoutMillis,
            concurrencyLimit: 4,
          }),
          onDrop,
        ),
        config.OTEL_METRIC_EXPORT_INTERVAL,
        timeoutMillis,
      )
    : undefined;
  const spanProcessors = endpoint
    ? [
        new BatchSpanProcessor({
          exporter: new CountingSpanExporter(
            new OTLPTraceExporter({
              url: `${endpoint}/v1/traces`,
              headers: config.OTEL_EXPORTER_OTLP_HEADERS,
              timeoutMillis,
              concurrencyLimit: 4,
            }),
            onDrop,
          ),
          // Bounded memory: when the collector is away, spans past this are dropped.
          maxQueueSize: 2048,
          // Small batches, sent as soon as they fill: a batch is serialized in one go, blocking
          // every request waiting meanwhile. At 512 (the SDK's default) the flush after a busy
          // second serialized all of that second's sampled spans at once, and put 13-17 % on
          // the p95 of POST /api/audits (npm run bench -w app/web).
          maxExportBatchSize: 128,
          scheduledDelayMillis: 5000,
          exportTimeoutMillis: timeoutMillis,
        }),
      ]
    : [];
  // Spans are created (and their ids logged) even when nothing is exported.
  const tracerProvider = new TracerProvider({
    resource,
    spanProcessors,
    sampler: new ParentBasedSampler({
      root: new TraceIdRatioBasedSampler(config.OTEL_TRACES_SAMPLER_ARG),
    }),
  });
  const tracer = tracerProvider.getTracer("ara-web");

  const meter = meterProvider.getMeter("ara-web");
  const httpDuration = meter.createHistogram(I.httpServerDuration.name, {
    unit: I.httpServerDuration.unit,
    description: I.httpServerDuration.description,
    advice: { explicitBucketBoundaries: contract.durationBucketsSeconds },
  });
  const counter = (i: { name: string; description: string; unit?: string }) =>
    meter.createCounter(i.name, {
      description: i.description,
      ...(i.unit ? { unit: i.unit } : {}),
    });
  const errors = counter(I.errors);
  const cacheRequests = counter(I.cacheRequests);
  const sessionsCreated = counter(I.sessionsCreated);
  const wizardCompletions = counter(I.wizardCompletions);
  const auditsCreated = counter(I.auditsCreated);
  const reportsGenerated = counter(I.reportsGenerated);
  const emailsSent = counter(I.emailsSent);
  const emailFailures = counter(I.emailFailures);
  const dropped = counter(I.telemetryDropped);
  drops.counter = dropped;
  const webVitals = meter.createHistogram(I.webVitals.name, {
    description: I.webVitals.description,
    advice: { explicitBucketBoundaries: contract.webVitalsBuckets },
  });

  // Every series exists from the start, at zero: an increase() over a series that appears with
  // its first increment misses that increment, and the alert catalog may rely on each series.
  for (const c of [sessionsCreated, wizardCompletions, auditsCreated, reportsGenerated]) c.add(0);
  for (const kind of ERROR_KINDS) errors.add(0, { kind });
  for (const cache of ["session", "wizard"]) {
    for (const result of ["hit", "miss"]) cacheRequests.add(0, { cache, result });
  }
  for (const signal of ["metrics", "traces"]) dropped.add(0, { signal });
  for (const kind of EMAIL_KINDS) {
    emailsSent.add(0, { kind });
    emailFailures.add(0, { kind });
  }

  const pool = probes.pool;
  meter
    .createObservableGauge(I.dbPoolConnections.name, {
      description: I.dbPoolConnections.description,
    })
    .addCallback((r) => {
      r.observe(pool.totalCount - pool.idleCount, { state: "in_use" });
      r.observe(pool.idleCount, { state: "idle" });
    });
  meter
    .createObservableGauge(I.dbPoolMax.name, { description: I.dbPoolMax.description })
    .addCallback((r) => r.observe(config.DATABASE_POOL_MAX));

  // The health routes and the error handler record what they find; a scrape or an export that
  // finds a dependency unchecked for 30 s checks all of them itself (bounded), so the gauge
  // exists and is current without anyone calling /api/ready.
  const DEPENDENCIES = ["database", "redis", "signer"] as const;
  const up = new Map<Dependency, { value: boolean; at: number }>();
  const record = (d: Dependency, value: boolean) => up.set(d, { value, at: performance.now() });
  let checking: Promise<void> | undefined;
  meter
    .createObservableGauge(I.dependencyUp.name, { description: I.dependencyUp.description })
    .addCallback(async (r) => {
      const now = performance.now();
      if (DEPENDENCIES.some((d) => !(now - (up.get(d)?.at ?? -Infinity) < 30_000))) {
        checking ??= withTimeout(probes.checkDependencies(), 5000)
          .then(
            (found) => DEPENDENCIES.forEach((d) => record(d, found[d])),
            () => undefined,
          )
          .finally(() => {
            checking = undefined;
          });
        await checking;
      }
      for (const d of DEPENDENCIES) {
        const v = up.get(d);
        if (v) r.observe(v.value ? 1 : 0, { dependency: d });
      }
    });

  const storageUsed = cached(
    async () => {
      const { rows } = await pool.query<{ used: string }>({
        name: "report-storage-used",
        text: `SELECT COALESCE(sum(size_bytes), 0)::bigint::text AS used FROM audit_reports
                WHERE created_at > now() - make_interval(days => $1)`,
        values: [config.REPORT_RETENTION_DAYS],
      });
      return Number(rows[0]?.used ?? 0);
    },
    60_000,
    3000,
  );
  meter
    .createObservableGauge(I.reportStorageUsed.name, {
      unit: I.reportStorageUsed.unit,
      description: I.reportStorageUsed.description,
    })
    .addCallback(async (r) => {
      const used = await storageUsed.get();
      if (used !== undefined) r.observe(used);
    });
  meter
    .createObservableGauge(I.reportStorageCapacity.name, {
      unit: I.reportStorageCapacity.unit,
      description: I.reportStorageCapacity.description,
    })
    .addCallback((r) => r.observe(config.REPORT_STORAGE_CAPACITY_BYTES));

  meter
    .createObservableGauge(I.processMemory.name, {
      unit: I.processMemory.unit,
      description: I.processMemory.description,
    })
    .addCallback((r) => {
      const m = process.memoryUsage();
      r.observe(m.rss, { type: "rss" });
      r.observe(m.heapUsed, { type: "heap_used" });
      r.observe(m.heapTotal, { type: "heap_total" });
    });
  meter
    .createObservableCounter(I.processCpu.name, {
      unit: I.processCpu.unit,
      description: I.processCpu.description,
    })
    .addCallback((r) => {
      const cpu = process.cpuUsage();
      r.observe(cpu.user / 1e6, { mode: "user" });
      r.observe(cpu.system / 1e6, { mode: "system" });
    });

  const reporter = createErrorReporter(
    { dsn: config.SENTRY_DSN, environment: config.SENTRY_ENVIRONMENT },
    logger,
  );

  // Exports already bound themselves by timeoutMillis; this bounds the wait for all of them.
  const flushes = flushScheduler(() =>
    withTimeout(
      Promise.allSettled([
        reporter.flush(timeoutMillis),
        ...(endpoint ? [pusher?.push(), tracerProvider.forceFlush()] : []),
      ]),
      timeoutMillis,
    ).then(() => undefined),
  );
  // The Vercel function's flush after each round of responses has no limit of its own: the
  // flush it shares is bounded already (above).
  const flush = (timeoutMs?: number) =>
    timeoutMs === undefined
      ? flushes.flush()
      : withTimeout(flushes.flush(), timeoutMs).catch(() => undefined);

  return {
    tracer,
    exporting: endpoint !== undefined || config.SENTRY_DSN !== undefined,
    reportError: (err, request) => reporter.capture(err, request),
    httpDuration,
    errors,
    cacheRequests,
    sessionsCreated,
    wizardCompletions,
    auditsCreated,
    reportsGenerated,
    emailsSent,
    emailFailures,
    webVitals,
    dropped,
    setDependencyUp: record,
    async metricsText() {
      const { resourceMetrics } = await scrape.collect({ timeoutMillis: 5000 });
      return serialize(resourceMetrics);
    },
    flush,
    async shutdown() {
      await flush();
      await Promise.allSettled([
        pusher?.shutdown(),
        meterProvider.shutdown(),
        tracerProvider.shutdown(),
      ]);
    },
  };
}
