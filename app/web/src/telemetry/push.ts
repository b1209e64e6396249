import type { MetricReader, PushMetricExporter } from "@opentelemetry/sdk-metrics";

/**
 * Pushes the metrics one reader collects to an exporter, every `intervalMs` and on demand.
 *
 * The app's metrics leave two ways, /api/metrics and OTLP, both cumulative with the same
 * aggregations. A second reader (the SDK's PeriodicExportingMetricReader) gave every
 * instrument a second storage, so each measurement was hashed and aggregated twice on the
 * request path; collecting the Prometheus reader's aggregation for the exporter as well does it
 * once. A failed or timed-out export is the exporter's to report (CountingMetricExporter).
 */
export interface MetricPusher {
  /** Collects and exports; settles after an export that started after the call. Never rejects. */
  push(): Promise<void>;
  shutdown(): Promise<void>;
}

export function metricPusher(
  reader: MetricReader,
  exporter: PushMetricExporter,
  intervalMs: number,
  timeoutMs: number,
): MetricPusher {
  let running: Promise<void> | undefined;
  const once = async () => {
    const { resourceMetrics } = await reader.collect({ timeoutMillis: timeoutMs });
    if (resourceMetrics.scopeMetrics.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => exporter.export(resourceMetrics, () => resolve())),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        timer.unref();
      }),
    ]).finally(() => clearTimeout(timer));
  };
  const push = async (): Promise<void> => {
    // One export at a time, and never one that collected before this call.
    while (running) await running;
    const p = once()
      .catch(() => undefined)
      .finally(() => {
        running = undefined;
      });
    running = p;
    return p;
  };
  const interval = setInterval(() => void push(), intervalMs);
  interval.unref();
  return {
    push,
    async shutdown() {
      clearInterval(interval);
      await push();
      await exporter.shutdown();
    },
  };
}
